/**
 * Schema migrations: `prisma migrate deploy` on the migrations in
 * prisma/migrations, run as a child process (Prisma's CLI) on the WASM schema
 * engine (prisma.config.ts). Invariant: every command migrates before it
 * opens the database, so a fresh file gets the schema and an up-to-date one
 * is left alone; the fast path below keeps that cheap.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { databasePathFromUrl, ensureDatabaseDir } from "./database-url.js";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const migrationsDir = path.join(packageDir, "prisma", "migrations");

function prismaCli(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("prisma/package.json")), "build", "index.js");
}

/**
 * Runs a Prisma CLI command against the database file; throws with its output
 * on failure. The child learns the file from DATABASE_URL (prisma.config.ts
 * reads it through @totewatch/config's loadConfig, where it wins).
 */
export function runPrisma(args: string[], file: string, opts: { quiet?: boolean } = {}): string {
  const result = spawnSync(process.execPath, [prismaCli(), ...args], {
    cwd: packageDir,
    // The child inherits this process's environment (PATH and the like) and is told the file;
    // nothing here reads a setting from it.
    // eslint-disable-next-line no-restricted-properties
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
export function migrateDatabase(url: string, opts: { quiet?: boolean } = {}): string {
  const file = databasePathFromUrl(url);
  ensureDatabaseDir(file);
  // Starting the Prisma CLI costs seconds; every command migrates first, so
  // skip it when the database already records every migration as applied.
  if (allMigrationsApplied(file)) {
    if (!opts.quiet) process.stdout.write(`${file}: all migrations already applied.\n`);
    return file;
  }
  runPrisma(["migrate", "deploy"], file, opts);
  return file;
}

/** Names of the migrations in the migrations folder, oldest first. */
export function migrationNames(): string[] {
  return readdirSync(migrationsDir)
    .filter((name) => existsSync(path.join(migrationsDir, name, "migration.sql")))
    .sort();
}

interface MigrationRecord {
  name: string;
  finished: boolean;
  rolledBack: boolean;
}

/** The file's `_prisma_migrations` rows; null when there is no file or no such table. */
function migrationRecords(file: string): MigrationRecord[] | null {
  if (file === ":memory:" || !existsSync(file) || statSync(file).size === 0) return null;
  // Not readonly: a read-only open of a WAL database fails when its -shm file is missing.
  const sql = new Database(file, { fileMustExist: true, timeout: 15_000 });
  try {
    const table = sql
      .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'`)
      .get();
    if (!table) return null;
    const rows = sql
      .prepare(`SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations`)
      .all() as Array<{ migration_name: string; finished_at: unknown; rolled_back_at: unknown }>;
    return rows.map((r) => ({
      name: r.migration_name,
      finished: r.finished_at != null,
      rolledBack: r.rolled_back_at != null,
    }));
  } finally {
    sql.close();
  }
}

/**
 * True when the file's `_prisma_migrations` lists every migration of the
 * folder as finished and none as failed. Anything else (no file, no table,
 * a pending or failed migration) is left to `prisma migrate deploy`, which
 * applies or explains it.
 */
export function allMigrationsApplied(file: string): boolean {
  const records = migrationRecords(file);
  if (!records || records.some((r) => !r.finished && !r.rolledBack)) return false;
  const applied = new Set(records.filter((r) => r.finished).map((r) => r.name));
  return migrationNames().every((name) => applied.has(name));
}

/** The migrations the file records as applied (finished, not rolled back), oldest first. */
export function appliedMigrations(file: string): string[] {
  return (migrationRecords(file) ?? [])
    .filter((r) => r.finished && !r.rolledBack)
    .map((r) => r.name)
    .sort();
}

/** Deletes the database file (and its WAL/SHM) and migrates from nothing. */
export function resetDatabase(url: string, opts: { quiet?: boolean } = {}): string {
  const file = databasePathFromUrl(url);
  // `migrate reset` fails on a non-empty database with the WASM schema engine.
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(file + suffix, { force: true });
  return migrateDatabase(file, opts);
}

/** A short fingerprint of the migrations folder: a template made from it is reusable until it changes. */
export function migrationsFingerprint(): string {
  const hash = createHash("sha256");
  for (const name of migrationNames()) {
    hash.update(name).update(readFileSync(path.join(migrationsDir, name, "migration.sql")));
  }
  return hash.digest("hex").slice(0, 16);
}

/** Moves a freshly migrated file into place atomically (parallel test workers may race). */
export function publishFile(from: string, to: string): void {
  renameSync(from, to);
}
