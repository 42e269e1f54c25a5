/**
 * A database url -> the file it names. The url always comes from the caller:
 * commands get it from @totewatch/config's loadConfig, which decides between
 * --db, DATABASE_URL, totewatch.yaml and the default file and makes relative
 * paths absolute. Nothing here reads the environment.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { InvalidInputError } from "./errors.js";

/**
 * Turns a `file:` URL (or a bare path) into an absolute file path. A relative
 * one resolves against the process's folder, as the Prisma adapter would
 * resolve it; `:memory:` stays as it is.
 */
export function databasePathFromUrl(url: string): string {
  // A server URL (postgres://user:password@host/db) is not a path: refused, naming only its scheme
  // (the rest may hold a password), instead of becoming a folder called "postgres:".
  const raw = url.trim().replace(/^file:(\/\/)?/i, "");
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1];
  if (scheme !== undefined) {
    throw new InvalidInputError(
      `database url has the scheme "${scheme}:", which is not supported: use a file: URL or a path to a SQLite file`,
    );
  }
  if (raw === "") throw new InvalidInputError(`database url names no file: "${url}"`);
  if (raw === ":memory:") return raw;
  return path.resolve(raw);
}

/** Creates the folder that will hold the database file, if missing. */
export function ensureDatabaseDir(filePath: string): void {
  if (filePath !== ":memory:") mkdirSync(path.dirname(filePath), { recursive: true });
}
