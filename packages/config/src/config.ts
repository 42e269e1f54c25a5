import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { isMap, isNode, isScalar, isSeq, parseDocument, type Document } from "yaml";
import { z } from "zod";
import { ConfigError, formatKeyPath, type ConfigProblem } from "./config-error.js";
import { expandEnv, linePos } from "./expand-env.js";
import { totewatchConfigSchema, unwrap, type TotewatchConfig } from "./schema.js";

export const DEFAULT_CONFIG_FILE_NAME = "totewatch.yaml";

/** A loaded config and the absolute path of the file it came from (null: built-in defaults). */
export type LoadedConfig = TotewatchConfig & { source: string | null };

export interface LoadConfigOptions {
  /** Config file; default TOTEWATCH_CONFIG, else ./totewatch.yaml if present, else defaults only. */
  file?: string;
  /**
   * Environment for `${VAR}` expansion, TOTEWATCH_CONFIG, DATABASE_URL and
   * INIT_CWD; default process.env. Nothing else is read from process.env, so
   * tests that pass their own env are not affected by the developer's shell.
   */
  env?: NodeJS.ProcessEnv;
  /** Folder relative paths start from; default INIT_CWD (where pnpm was run), else process.cwd(). */
  cwd?: string;
}

/**
 * Finds, reads, expands and validates totewatch.yaml. A relative
 * `database.url` is made absolute against the config file's folder, and
 * DATABASE_URL, when set, replaces it. Throws ConfigError listing every problem.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? env.INIT_CWD ?? process.cwd();
  const file = findConfigFile(options.file, env, cwd);
  if (file === null) {
    return withDatabaseUrl({ ...parseConfig("", "<defaults>", env), source: null }, cwd, cwd, env);
  }
  const shown = displayPath(file, cwd);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(shown, [{ message: `cannot read config file: ${(error as Error).message}` }]);
  }
  const config = parseConfig(text, shown, env);
  return withDatabaseUrl({ ...config, source: file }, path.dirname(file), cwd, env);
}

/** Parses and validates config text (`${VAR}` references expanded from `env`). */
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

/**
 * DATABASE_URL wins over the file. A relative path in the file is relative to
 * the file's folder; one in DATABASE_URL to where the command was run, which
 * is how @totewatch/db reads DATABASE_URL too.
 */
function withDatabaseUrl(
  config: LoadedConfig,
  configDir: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): LoadedConfig {
  const fromEnv = env.DATABASE_URL?.trim();
  const fromFile = config.database.url;
  const url = fromEnv
    ? absoluteDatabaseUrl(fromEnv, cwd)
    : fromFile === undefined
      ? undefined
      : absoluteDatabaseUrl(fromFile, configDir);
  return { ...config, database: { ...config.database, url } };
}

/** `file:./x.db` -> `file:/base/x.db`, `./x.db` -> `/base/x.db`; `:memory:` and absolute paths unchanged. */
export function absoluteDatabaseUrl(url: string, baseDir: string): string {
  const prefix = /^file:(\/\/)?/.exec(url)?.[0] ?? "";
  const filePath = url.slice(prefix.length);
  if (filePath === ":memory:" || filePath.startsWith(":memory:")) return url;
  const absolute = path.resolve(baseDir, filePath);
  return prefix ? `file:${absolute}` : absolute;
}

function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}

// ---------------------------------------------------------------- issue wording

/** One or more problems (one per unknown key) for a zod issue, with the YAML line when found. */
function describeIssue(issue: z.core.$ZodIssue, doc: Document, text: string): ConfigProblem[] {
  const at = (keyPath: readonly PropertyKey[], key?: string): ConfigProblem => {
    const line = lineOf(doc, text, keyPath, key);
    return { path: formatKeyPath(key === undefined ? keyPath : [...keyPath, key]), message: "", line };
  };
  if (issue.code === "unrecognized_keys") {
    const known = knownKeysAt(issue.path);
    return issue.keys.map((key) => {
      const hint = closest(key, known);
      return { ...at(issue.path, key), message: `unknown key${hint ? ` (did you mean "${hint}"?)` : ""}` };
    });
  }
  return [{ ...at(issue.path), message: issueMessage(issue) }];
}

function issueMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type": {
      if (issue.input === undefined) return "required";
      const expected = TYPE_WORDS[issue.expected] ?? issue.expected;
      return `expected ${expected}, received ${describeValue(issue.input)}`;
    }
    case "invalid_value":
      return `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}, received ${describeValue(issue.input)}`;
    case "invalid_union":
      // Only nullable numbers use unions; report the number's problem.
      return issue.errors.flat().map(issueMessage)[0] ?? "invalid value";
    case "too_small":
      if (issue.origin === "array") return `needs at least ${String(issue.minimum)} item(s)`;
      if (issue.origin === "string") {
        return issue.minimum === 1
          ? "must not be empty"
          : `must be at least ${String(issue.minimum)} characters`;
      }
      return `must be ${issue.inclusive ? ">=" : ">"} ${String(issue.minimum)}`;
    case "too_big":
      return issue.origin === "array"
        ? `allows at most ${String(issue.maximum)} item(s)`
        : `must be ${issue.inclusive ? "<=" : "<"} ${String(issue.maximum)}`;
    default:
      return issue.message;
  }
}

/** zod's type names in the words a YAML author uses. */
const TYPE_WORDS: Record<string, string> = {
  int: "whole number",
  object: "mapping",
  record: "mapping",
  array: "list",
};

function describeValue(value: unknown): string {
  if (value === null) return "null (empty value)";
  if (Array.isArray(value)) return "list";
  if (typeof value === "object") return "mapping";
  if (typeof value === "string")
    return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

/** Line of the key (or list item) at `keyPath` (+ `key`), or of its nearest ancestor in the file. */
function lineOf(
  doc: Document,
  text: string,
  keyPath: readonly PropertyKey[],
  key?: string,
): number | undefined {
  const full = key === undefined ? [...keyPath] : [...keyPath, key];
  for (let length = full.length; length > 0; length--) {
    const parent = doc.getIn(full.slice(0, length - 1), true);
    const last = full[length - 1];
    let range: [number, number, number] | null | undefined;
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === last);
      range = pair && isScalar(pair.key) ? pair.key.range : undefined;
    } else if (isSeq(parent) && typeof last === "number") {
      const item = parent.items[last];
      range = isNode(item) ? item.range : undefined;
    }
    if (range) return linePos(text, range[0]).line;
  }
  return undefined;
}

/** Keys the schema allows at `keyPath`, for "did you mean" hints. */
function knownKeysAt(keyPath: readonly PropertyKey[]): string[] {
  let schema: z.ZodType = totewatchConfigSchema;
  for (const key of keyPath) {
    schema = unwrapAll(schema);
    if (schema instanceof z.ZodObject)
      schema = (schema.shape as Record<string, z.ZodType>)[String(key)] ?? z.never();
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else if (schema instanceof z.ZodRecord) schema = schema.valueType as z.ZodType;
    else return [];
  }
  schema = unwrapAll(schema);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function unwrapAll(schema: z.ZodType): z.ZodType {
  let current = unwrap(schema);
  while (current instanceof z.ZodOptional || current instanceof z.ZodNullable) {
    current = unwrap(current.def.innerType as z.ZodType);
  }
  return current;
}

/** The known key a typo most likely meant, if any is close enough. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase());
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(key.length / 3)) ? best.name : undefined;
}

/** Optimal-string-alignment distance: edits, counting a swap of neighbours as one ("endpiont"). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}
