import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root: packages/db/src -> ../../.. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** The database a user gets without configuring anything. */
export const defaultDatabasePath = path.join(repoRoot, "data", "horses.db");

/**
 * Turns a `file:` URL (or a bare path) into an absolute file path.
 * Relative paths resolve against the directory the user ran the command
 * from (pnpm's INIT_CWD), not the package folder pnpm switched into,
 * because the adapter would otherwise resolve them against process.cwd().
 */
export function databasePathFromUrl(url: string | undefined = process.env.DATABASE_URL): string {
  if (url === undefined || url.trim() === "") return defaultDatabasePath;
  const raw = url.trim().replace(/^file:(\/\/)?/, "");
  if (raw === ":memory:") return raw;
  const base = process.env.INIT_CWD ?? process.cwd();
  return path.resolve(base, raw);
}

/** Creates the folder that will hold the database file, if missing. */
export function ensureDatabaseDir(filePath: string): void {
  if (filePath !== ":memory:") mkdirSync(path.dirname(filePath), { recursive: true });
}
