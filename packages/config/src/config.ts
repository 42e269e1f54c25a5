/**
 * Finding, reading and validating totewatch.yaml. Problems are worded by
 * issues.ts; which database to use is decided by database-url.ts.
 */

import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { LineCounter, parseDocument, type Document } from "yaml";
import { ConfigError, type ConfigProblem } from "./config-error.js";
import { resolveDatabase, type ResolvedDatabase } from "./database-url.js";
import { userCwd } from "./environment.js";
import { expandEnvInDocument } from "./expand-env.js";
import { describeIssue } from "./issues.js";
import { takesYamlScalar } from "./schema-path.js";
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
    configSource: file === null ? undefined : displayPath(file, cwd),
  });
  return { ...config, database, source: file };
}

/**
 * Parses and validates config text, expanding `${VAR}` references in its values from `env` (see
 * expandConfigReferences). `database.url` is left as written (or absent): loadConfig is what
 * resolves the database a command uses.
 */
export function parseConfig(
  yamlText: string,
  source = "<inline>",
  env: NodeJS.ProcessEnv = process.env,
): TotewatchConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { prettyErrors: false, merge: true, lineCounter });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((error) => {
        const at = lineCounter.linePos(error.pos[0]);
        return { ...at, message: firstLine(error.message) + referenceHint(yamlText, lineCounter, at.line) };
      }),
    );
  }
  expandConfigReferences(doc, yamlText, lineCounter, source, env);
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
      result.error.issues.flatMap((issue) => describeIssue(issue, doc, yamlText)),
    );
  }
  return result.data;
}

/**
 * Expands the `${VAR}` references in the parsed document's values, in place:
 * - a variable's value arrives byte for byte, whatever the quoting;
 * - an unquoted value where a setting takes a number or boolean is read as YAML
 *   reads it once expanded (`port: ${SMTP_PORT}` is 2525, not "2525");
 * - in a disabled alert channel (`enabled` absent or false) an unset variable is
 *   no error: the setting is left unset, so a disabled channel needs nothing;
 * - anywhere else an unset variable (or a malformed reference) is an error
 *   naming it with its line.
 */
function expandConfigReferences(
  doc: Document,
  text: string,
  lineCounter: LineCounter,
  source: string,
  env: NodeJS.ProcessEnv,
): void {
  const found = expandEnvInDocument(doc, { env, lineCounter, text, typedAt: takesYamlScalar });
  const errors: ConfigProblem[] = [];
  for (const problem of found) {
    if (problem.unset !== undefined && inDisabledChannel(doc, problem.valuePath)) problem.remove();
    else errors.push({ line: problem.line, col: problem.col, message: problem.message });
  }
  if (errors.length > 0) throw new ConfigError(source, errors);
}

/**
 * Whether `valuePath` is inside `alerts.channels.<channel>` (not its `enabled`
 * itself) while that channel is not enabled.
 */
function inDisabledChannel(doc: Document, valuePath: readonly (string | number)[]): boolean {
  const [alerts, channels, channel, setting] = valuePath;
  if (alerts !== "alerts" || channels !== "channels" || channel === undefined || setting === undefined)
    return false;
  if (setting === "enabled") return false;
  return doc.getIn(["alerts", "channels", channel, "enabled"]) !== true;
}

/** A hint for a YAML syntax error on a line with a `${...}` reference (unquoted in `[ ]`/`{ }` it breaks). */
function referenceHint(text: string, lineCounter: LineCounter, line: number): string {
  const start = lineCounter.lineStarts[line - 1] ?? 0;
  const end = lineCounter.lineStarts[line] ?? text.length;
  return text.slice(start, end).includes("${") ? ' (inside [ ] or { }, quote a reference: ["${NAME}"])' : "";
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
