import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { databasePathFromUrl, ensureDatabaseDir } from "./database-url.js";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const migrationsDir = path.join(packageDir, "prisma", "migrations");

function prismaCli(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("prisma/package.json")), "build", "index.js");
}

/** Runs a Prisma CLI command against the database file; throws with its output on failure. */
export function runPrisma(args: string[], file: string, opts: { quiet?: boolean } = {}): string {
  const result = spawnSync(process.execPath, [prismaCli(), ...args], {
    cwd: packageDir,
    env: { ...process.env, DATABASE_URL: `file:${file}`, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    encoding: "utf8",
  });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  if (result.status !== 0) {
    throw new Error(`prisma ${args.join(" ")} failed for ${file} (exit ${result.status}):\n${output}`);
  }
  if (!opts.quiet) process.stdout.write(output);
  return output;
}

/**
 * Applies every pending migration (`prisma migrate deploy`), creating the
 * database file and its folder if missing. Safe to run on every start.
 */
export function migrateDatabase(url?: string, opts: { quiet?: boolean } = {}): string {
  const file = databasePathFromUrl(url);
  ensureDatabaseDir(file);
  runPrisma(["migrate", "deploy"], file, opts);
  return file;
}

/** Deletes the database file (and its WAL/SHM) and migrates from nothing. */
export function resetDatabase(url?: string, opts: { quiet?: boolean } = {}): string {
  const file = databasePathFromUrl(url);
  // `migrate reset` fails on a non-empty database with the WASM engine (PRISMA.md trap 4).
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(file + suffix, { force: true });
  return migrateDatabase(file, opts);
}

/** A short fingerprint of the migrations folder: a template made from it is reusable until it changes. */
export function migrationsFingerprint(): string {
  const hash = createHash("sha256");
  for (const name of readdirSync(migrationsDir).sort()) {
    const sqlFile = path.join(migrationsDir, name, "migration.sql");
    if (existsSync(sqlFile)) hash.update(name).update(readFileSync(sqlFile));
  }
  return hash.digest("hex").slice(0, 16);
}

/** Moves a freshly migrated file into place atomically (parallel test workers may race). */
export function publishFile(from: string, to: string): void {
  renameSync(from, to);
}
