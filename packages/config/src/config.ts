/**
 * Finding, reading and validating totewatch.yaml. Problems are worded by
 * issues.ts; which database to use is decided by database-url.ts.
 */

import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";
import { ConfigError } from "./config-error.js";
import { resolveDatabase, type ResolvedDatabase } from "./database-url.js";
import { userCwd } from "./environment.js";
import { expandEnv, linePos } from "./expand-env.js";
import { describeIssue } from "./issues.js";
import { totewatchConfigSchema, type TotewatchConfig } from "./schema/index.js";

export const DEFAULT_CONFIG_FILE_NAME = "totewatch.yaml";

/**
 * Everything a command needs from its configuration, resolved once by
 * loadConfig: every setting of totewatch.yaml with its defaults filled in,
 * plus
 * - `database.url`: always set and absolute (a `--db` option, else
 *   DATABASE_URL, else the file's `database.url`, else data/horses.db at the
 *   repository root), and `database.urlFrom` saying which;
 * - `source`: the absolute path of the config file read (null: built-in defaults).
 * A command hands `database.url` to `createDb` and reads no environment itself.
 */
export type LoadedConfig = Omit<TotewatchConfig, "database"> & {
  database: ResolvedDatabase;
  source: string | null;
};

export interface LoadConfigOptions {
  /** Config file (a `--config` option); default TOTEWATCH_CONFIG, else ./totewatch.yaml if present, else defaults only. */
  file?: string;
  /** Database URL or path from the command line (a `--db` option); wins over DATABASE_URL and the file. */
  databaseUrl?: string;
  /**
   * Environment for `${VAR}` expansion, TOTEWATCH_CONFIG, DATABASE_URL and
   * INIT_CWD; default process.env. Nothing else is read from process.env, so
   * tests that pass their own env are not affected by the developer's shell.
   */
  env?: NodeJS.ProcessEnv;
  /**
   * The folder the command was run in: relative `file`, `databaseUrl` and
   * DATABASE_URL start here, and ./totewatch.yaml is looked for here.
   * Default userCwd(env): INIT_CWD (where pnpm was run), else process.cwd().
   */
  cwd?: string;
}

/**
 * Finds, reads, expands and validates totewatch.yaml, and resolves the
 * database (see LoadedConfig). A relative `database.url` in the file is made
 * absolute against the file's folder. Throws ConfigError listing every problem.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? userCwd(env);
  const file = findConfigFile(options.file, env, cwd);
  let config: TotewatchConfig;
  if (file === null) {
    config = parseConfig("", "<defaults>", env);
  } else {
    const shown = displayPath(file, cwd);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new ConfigError(shown, [{ message: `cannot read config file: ${(error as Error).message}` }]);
    }
    config = parseConfig(text, shown, env);
  }
  const database = resolveDatabase({
    option: options.databaseUrl,
    env: env.DATABASE_URL,
    file: config.database.url,
    cwd,
    configDir: file === null ? cwd : path.dirname(file),
  });
  return { ...config, database, source: file };
}

/**
 * Parses and validates config text (`${VAR}` references expanded from `env`). `database.url` is
 * left as written (or absent): loadConfig is what resolves the database a command uses.
 */
export function parseConfig(
  yamlText: string,
  source = "<inline>",
  env: NodeJS.ProcessEnv = process.env,
): TotewatchConfig {
  const text = expandEnv(yamlText, env, source);
  const doc = parseDocument(text, { prettyErrors: false, merge: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((error) => ({ ...linePos(text, error.pos[0]), message: firstLine(error.message) })),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 }) ?? {};
  } catch (error) {
    // e.g. an alias to an anchor that does not exist
    throw new ConfigError(source, [{ message: (error as Error).message }]);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new ConfigError(source, [
      { path: "", message: "the file must be a mapping of sections (database:, tracks:, ...)" },
    ]);
  }
  const result = totewatchConfigSchema.safeParse(data, { reportInput: true });
  if (!result.success) {
    throw new ConfigError(
      source,
      result.error.issues.flatMap((issue) => describeIssue(issue, doc, text)),
    );
  }
  return result.data;
}

function findConfigFile(explicit: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string | null {
  const chosen = explicit ?? (env.TOTEWATCH_CONFIG || undefined);
  if (chosen !== undefined) {
    const file = path.resolve(cwd, chosen);
    const origin = explicit !== undefined ? "" : " (from TOTEWATCH_CONFIG)";
    if (!existsSync(file))
      throw new ConfigError(chosen, [{ message: `config file not found${origin}: ${file}` }]);
    if (statSync(file).isDirectory()) {
      throw new ConfigError(chosen, [{ message: `is a directory, not a config file${origin}` }]);
    }
    return file;
  }
  const candidate = path.join(cwd, DEFAULT_CONFIG_FILE_NAME);
  return existsSync(candidate) ? candidate : null;
}

function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}
