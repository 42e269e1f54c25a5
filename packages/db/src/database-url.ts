/**
 * A database url -> the file it names. The url always comes from the caller:
 * commands get it from @totewatch/config's loadConfig, which decides between
 * --db, DATABASE_URL, totewatch.yaml and the default file and makes relative
 * paths absolute. Nothing here reads the environment.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { InvalidInputError } from "./errors.js";

/** Whether a database url names a PostgreSQL server (the second engine) rather than a SQLite file. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(url.trim());
}

/**
 * A PostgreSQL url as messages may show it: scheme, user, host, port and database, never the
 * password or the query (which may carry one too).
 */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url.trim());
    const user = parsed.username ? `${parsed.username}@` : "";
    return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname}`;
  } catch {
    return "the PostgreSQL database (its url cannot be read)";
  }
}

/**
 * Turns a `file:` URL (or a bare path) into an absolute file path. A relative
 * one resolves against the process's folder, as the Prisma adapter would
 * resolve it; `:memory:` stays as it is. The same urls are refused as in
 * @totewatch/config's absoluteDatabaseUrl, which commands go through first;
 * the messages here quote no url, since the rest of it may hold a password.
 */
export function databasePathFromUrl(url: string): string {
  const trimmed = url.trim();
  const isFileUrl = /^file:/i.test(trimmed);
  const afterScheme = isFileUrl ? trimmed.slice("file:".length) : trimmed;
  const hasAuthority = isFileUrl && afterScheme.startsWith("//");
  let raw = hasAuthority ? afterScheme.slice(2) : afterScheme;
  if (hasAuthority && !raw.startsWith(":memory:")) {
    // After file:// comes an authority: only an empty one or `localhost` (as SQLite takes) is
    // this machine; `file://user:pw@host/x.db` would otherwise be a folder "user:pw@host".
    const authority = raw.split("/", 1)[0] ?? "";
    if (authority !== "" && authority.toLowerCase() !== "localhost") {
      throw new InvalidInputError(
        "database url names a host or user after file://, which a local SQLite file cannot have: " +
          "write file:///abs/path.db, file:/abs/path.db or file:rel/path.db",
      );
    }
    raw = raw.slice(authority.length);
  }
  // A server URL (postgres://user:password@host/db, or mysql:user:password@host without the //) is
  // not a path: refused, naming only its scheme, instead of becoming a folder called "postgres:".
  // A scheme has two characters or more, so C:\x (a Windows drive) is a path.
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(raw)?.[1];
  if (scheme !== undefined) {
    throw new InvalidInputError(
      `database url has the scheme "${scheme}:", which is not supported: use a file: URL or a path to a SQLite file, or a postgresql:// URL`,
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
