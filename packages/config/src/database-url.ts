/**
 * Which database a command uses, decided once: a `--db` option, else
 * DATABASE_URL, else totewatch.yaml's `database.url`, else the default file
 * data/horses.db at the repository root. The result is always absolute, so no
 * later step depends on the folder the process happens to run in.
 */
import { realpathSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "./config-error.js";
import { redactUrl } from "./redact.js";

/** The database a user gets without configuring anything: data/horses.db at the repository root. */
export const DEFAULT_DATABASE_PATH = path.join(
  fileURLToPath(new URL("../../..", import.meta.url)),
  "data",
  "horses.db",
);

/** Where a loaded config's database url came from (for messages such as "using x, from DATABASE_URL"). */
export type DatabaseUrlOrigin = "option" | "DATABASE_URL" | "config file" | "default";

export interface ResolvedDatabase {
  /** Absolute `file:` URL or path (`:memory:` as given), or a `postgresql://` URL as given. */
  url: string;
  urlFrom: DatabaseUrlOrigin;
}

/**
 * Picks the database url. Relative paths in `option` and `env` (typed by the
 * user) start at `cwd`, the folder the command was run in; one in the file
 * starts at the file's folder. Throws ConfigError, naming where the url came
 * from, for a url that is neither a SQLite file nor a PostgreSQL server (see databaseUrlProblem).
 */
export function resolveDatabase(choices: {
  option: string | undefined;
  env: string | undefined;
  file: string | undefined;
  cwd: string;
  configDir: string;
  /** The config file as shown to the user, for messages about its `database.url`. */
  configSource?: string;
}): ResolvedDatabase {
  const option = choices.option?.trim();
  if (option) return { url: absoluteDatabaseUrl(option, choices.cwd, "--db"), urlFrom: "option" };
  const env = choices.env?.trim();
  if (env) return { url: absoluteDatabaseUrl(env, choices.cwd, "DATABASE_URL"), urlFrom: "DATABASE_URL" };
  if (choices.file !== undefined) {
    const fromFile = { source: choices.configSource ?? "<config file>", path: "database.url" };
    return { url: absoluteDatabaseUrl(choices.file, choices.configDir, fromFile), urlFrom: "config file" };
  }
  return { url: DEFAULT_DATABASE_PATH, urlFrom: "default" };
}

/** Where a database url was given, for its error: `--db`, `DATABASE_URL`, or a key in a config file. */
export type DatabaseUrlSource = string | { source: string; path: string };

/**
 * `file:./x.db` -> `file:/base/x.db`, `./x.db` -> `/base/x.db`, `FILE:` -> `file:`; `:memory:`
 * and absolute paths unchanged. Throws ConfigError (one line, naming `from`, password redacted) when the url is not a
 * SQLite file Totewatch can use (see databaseUrlProblem).
 */
export function absoluteDatabaseUrl(
  url: string,
  baseDir: string,
  from: DatabaseUrlSource = "database url",
): string {
  const refuse = (message: string): never => {
    throw typeof from === "string"
      ? new ConfigError(from, [{ message }])
      : new ConfigError(from.source, [{ path: from.path, message }]);
  };
  const schemeProblem = unsupportedSchemeProblem(url);
  if (schemeProblem !== undefined) refuse(schemeProblem);
  // A server url is used as given: nothing in it is relative to a folder.
  if (isPostgresUrl(url)) return url.trim();
  const file = fileUrlPath(url);
  if ("problem" in file) return refuse(file.problem);
  if (file.memory) return url;
  const absolute = path.resolve(baseDir, file.filePath);
  const systemProblem = systemPathProblem(absolute);
  if (systemProblem !== undefined) refuse(systemProblem);
  return file.isFileUrl ? `file:${absolute}` : absolute;
}

/**
 * Why `url` cannot name a Totewatch database, or undefined: a scheme other
 * than `file:` and `postgresql:`/`postgres:` (a SQLite file or a PostgreSQL
 * server; `mysql://...` is neither), a server url without a host or database, or a file under /proc, /sys or /dev (but /dev/shm), where SQLite
 * hangs or fails. A relative path is not resolved here (absoluteDatabaseUrl
 * checks the absolute one). Passwords in the url are redacted in the text.
 */
export function databaseUrlProblem(url: string): string | undefined {
  const schemeProblem = unsupportedSchemeProblem(url);
  if (schemeProblem !== undefined) return schemeProblem;
  if (isPostgresUrl(url)) return undefined;
  const file = fileUrlPath(url);
  if ("problem" in file) return file.problem;
  if (file.memory) return undefined;
  return path.isAbsolute(file.filePath) ? systemPathProblem(path.normalize(file.filePath)) : undefined;
}

type FileUrlPath = { isFileUrl: boolean; filePath: string; memory: boolean } | { problem: string };

/**
 * The path a `file:` URL or bare path names. After `file://` comes an authority (RFC 8089),
 * and Totewatch takes what SQLite takes: an empty one (`file:///abs/x.db`) or exactly
 * `localhost` (`file://localhost/abs/x.db`), both meaning this machine. Any other (a host, a
 * user, a password: `file://user:pw@host/x.db`) names no local file and used to become a
 * relative folder named after it, password included, so it is refused, with the password
 * redacted. `file:/abs/x.db` and `file:rel/x.db` have no authority and are kept;
 * `file::memory:` (and `file://:memory:`, accepted before) are SQLite's in-memory database.
 */
function fileUrlPath(url: string): FileUrlPath {
  const isFileUrl = /^file:/i.test(url);
  const afterScheme = isFileUrl ? url.slice("file:".length) : url;
  const hasAuthority = isFileUrl && afterScheme.startsWith("//");
  const rest = hasAuthority ? afterScheme.slice(2) : afterScheme;
  if (rest.startsWith(":memory:")) return { isFileUrl, filePath: rest, memory: true };
  if (!hasAuthority) return { isFileUrl, filePath: rest, memory: false };
  const slash = rest.indexOf("/");
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  if (authority === "" || authority.toLowerCase() === "localhost") {
    return { isFileUrl, filePath: rest.slice(authority.length), memory: false };
  }
  return {
    problem:
      `file: URL ${JSON.stringify(redactUrl(url))} names a host or user after file://, which a ` +
      `local SQLite file cannot have: write file:///abs/path.db, file:/abs/path.db or file:rel/path.db`,
  };
}

/**
 * `scheme:` at the start of a url: two or more characters, so `C:\x` (a Windows drive) is a path.
 * `:memory:` has none.
 */
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]+):/;

const ACCEPTED =
  "Totewatch uses a SQLite file, given as a path or a file: URL (e.g. file:./data/horses.db), " +
  "or a PostgreSQL server, given as a postgresql:// URL (e.g. postgresql://totewatch@127.0.0.1:5432/totewatch)";

/** Whether `url` names a PostgreSQL server (the second engine) rather than a SQLite file. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(url.trim());
}

function unsupportedSchemeProblem(url: string): string | undefined {
  if (isPostgresUrl(url)) return postgresUrlProblem(url);
  const scheme = SCHEME.exec(url)?.[1];
  if (scheme === undefined || scheme.toLowerCase() === "file") return undefined;
  return `unsupported database url scheme "${scheme}:" in ${JSON.stringify(redactUrl(url))}: ${ACCEPTED}`;
}

/** The query keys Totewatch reads from a postgresql:// url (as libpq does); anything else is refused. */
const POSTGRES_QUERY_KEYS = new Set(["host", "sslmode"]);

/** What a postgresql:// url lacks (a host, a database name) or has that is not read, or undefined. */
function postgresUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return `${JSON.stringify(redactUrl(url.replace(/\?.*$/, "")))} is not a url PostgreSQL can be reached by: write postgresql://user@host:5432/database (a password goes after the user, user:password@, percent-encoded)`;
  }
  // Query values may hold a password (?password=…): shown masked, like the user:password@ part.
  const masked = new URL(parsed.toString());
  for (const key of [...masked.searchParams.keys()]) masked.searchParams.set(key, "***");
  const shown = JSON.stringify(redactUrl(masked.toString()).replaceAll("%2A%2A%2A", "***"));
  const unread = [...parsed.searchParams.keys()].filter((key) => !POSTGRES_QUERY_KEYS.has(key));
  if (unread.length > 0) {
    return (
      `${shown} has ${unread.map((key) => `?${key}=`).join(", ")}, which Totewatch does not read: put the user ` +
      "and password before the host, not in the query; only ?host= (a socket folder) and ?sslmode= are read"
    );
  }
  if (!parsed.hostname && !parsed.searchParams.get("host")) {
    return `${shown} names no host: write postgresql://user@host:5432/database`;
  }
  if (parsed.pathname.replace(/^\//, "") === "") {
    return `${shown} names no database: write postgresql://user@host:5432/database`;
  }
  return undefined;
}

/** Kernel and device file systems, where a SQLite file hangs (at 100 % CPU in /proc) or fails. */
const SYSTEM_DIRS = ["/proc", "/sys", "/dev"];
const ALLOWED_SYSTEM_DIRS = ["/dev/shm"];

function systemPathProblem(absolute: string): string | undefined {
  for (const candidate of [absolute, realPathOfNearestExisting(absolute)]) {
    if (candidate === undefined) continue;
    const dir = SYSTEM_DIRS.find((system) => isWithin(candidate, system));
    if (dir === undefined || ALLOWED_SYSTEM_DIRS.some((allowed) => isWithin(candidate, allowed))) continue;
    const shown = candidate === absolute ? absolute : `${absolute} (${candidate})`;
    return `${redactUrl(shown)} is under ${dir}, which cannot hold a database file: give a path on a disk (e.g. file:./data/horses.db)`;
  }
  return undefined;
}

function isWithin(file: string, dir: string): boolean {
  return file === dir || file.startsWith(`${dir}/`);
}

/** `file` with symbolic links resolved, as far as it exists (so a link into /proc is seen); undefined when unknown. */
function realPathOfNearestExisting(file: string): string | undefined {
  let existing = file;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(realpathSync.native(existing), ...rest);
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return undefined;
      rest.unshift(path.basename(existing));
      existing = parent;
    }
  }
}
