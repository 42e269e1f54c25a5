/**
 * Which database a command uses, decided once: a `--db` option, else
 * DATABASE_URL, else totewatch.yaml's `database.url`, else the default file
 * data/horses.db at the repository root. The result is always absolute, so no
 * later step depends on the folder the process happens to run in.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The database a user gets without configuring anything: data/horses.db at the repository root. */
export const DEFAULT_DATABASE_PATH = path.join(
  fileURLToPath(new URL("../../..", import.meta.url)),
  "data",
  "horses.db",
);

/** Where a loaded config's database url came from (for messages such as "using x, from DATABASE_URL"). */
export type DatabaseUrlOrigin = "option" | "DATABASE_URL" | "config file" | "default";

export interface ResolvedDatabase {
  /** Absolute `file:` URL or path (`:memory:` as given). */
  url: string;
  urlFrom: DatabaseUrlOrigin;
}

/**
 * Picks the database url. Relative paths in `option` and `env` (typed by the
 * user) start at `cwd`, the folder the command was run in; one in the file
 * starts at the file's folder.
 */
export function resolveDatabase(choices: {
  option: string | undefined;
  env: string | undefined;
  file: string | undefined;
  cwd: string;
  configDir: string;
}): ResolvedDatabase {
  const option = choices.option?.trim();
  if (option) return { url: absoluteDatabaseUrl(option, choices.cwd), urlFrom: "option" };
  const env = choices.env?.trim();
  if (env) return { url: absoluteDatabaseUrl(env, choices.cwd), urlFrom: "DATABASE_URL" };
  if (choices.file !== undefined) {
    return { url: absoluteDatabaseUrl(choices.file, choices.configDir), urlFrom: "config file" };
  }
  return { url: DEFAULT_DATABASE_PATH, urlFrom: "default" };
}

/** `file:./x.db` -> `file:/base/x.db`, `./x.db` -> `/base/x.db`; `:memory:` and absolute paths unchanged. */
export function absoluteDatabaseUrl(url: string, baseDir: string): string {
  const prefix = /^file:(\/\/)?/.exec(url)?.[0] ?? "";
  const filePath = url.slice(prefix.length);
  if (filePath === ":memory:" || filePath.startsWith(":memory:")) return url;
  const absolute = path.resolve(baseDir, filePath);
  return prefix ? `file:${absolute}` : absolute;
}
