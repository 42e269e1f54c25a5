/**
 * `${NAME}` references in totewatch.yaml, expanded in the parsed document's
 * string values (never in its text), so whatever bytes a variable holds
 * arrive unchanged whatever the quoting: a `\`, `"`, `#`, `: ` or newline in a
 * secret is never read as YAML. References in comments are naturally ignored,
 * and keys are never expanded.
 */
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Document,
  type LineCounter,
  type Pair,
  type Scalar,
  type ScalarTag,
  type YAMLMap,
  type YAMLSeq,
} from "yaml";
import type { ConfigProblem } from "./config-error.js";

/** `$${` (escape), `${NAME}`, `${NAME:-default}`, or a malformed `${...`. */
const REFERENCE = /\$\$\{|\$\{([^}\n]*)(\})?/g;
const NAME_AND_DEFAULT = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/** A reference that could not be expanded, at `index` in the string. */
export interface ReferenceProblem {
  index: number;
  /** The reference as written, e.g. `${SMTP_PASS}`. */
  reference: string;
  /** The variable's name when the reference is well formed but the variable is unset. */
  unset?: string;
  message: string;
}

/**
 * Replaces `${NAME}` and `${NAME:-default}` in one string with values from
 * `env`; `$${` yields a literal `${`. The default applies when the variable is
 * unset or empty, as in sh. The value is inserted as it is: no escapes are
 * interpreted. Unset variables (without a default) and malformed references
 * are returned as problems and left out of `value`.
 */
export function expandReferences(
  text: string,
  env: NodeJS.ProcessEnv,
): { value: string; problems: ReferenceProblem[] } {
  const problems: ReferenceProblem[] = [];
  let value = "";
  let last = 0;
  for (const match of text.matchAll(REFERENCE)) {
    const start = match.index;
    value += text.slice(last, start);
    last = start + match[0].length;
    if (match[0] === "$${") {
      value += "${";
      continue;
    }
    const parsed = NAME_AND_DEFAULT.exec(match[1] ?? "");
    if (match[2] === undefined || parsed === null) {
      problems.push({
        index: start,
        reference: match[0],
        message: `malformed variable reference "${match[0]}" (use \${NAME} or \${NAME:-default}; write $\${ for a literal \${)`,
      });
      continue;
    }
    const name = parsed[1] as string;
    const fallback = parsed[2];
    const variable = env[name];
    if (variable !== undefined && (variable !== "" || fallback === undefined)) value += variable;
    else if (fallback !== undefined) value += fallback;
    else {
      problems.push({
        index: start,
        reference: match[0],
        unset: name,
        message: `environment variable ${name} is not set (referenced as ${match[0]})`,
      });
    }
  }
  value += text.slice(last);
  return { value, problems };
}

/** Key path of a value in the document, as the data has it (`["alerts", "channels", "webhook", "secret"]`). */
export type DocumentPath = ReadonlyArray<string | number>;

/** A reference in the document that could not be expanded. */
export interface DocumentReferenceProblem extends ConfigProblem {
  /** Where the value is in the document. */
  valuePath: DocumentPath;
  /** The variable, when the reference is well formed but its variable unset. */
  unset?: string;
  /** Takes the value out of the document (its pair from a mapping, its item from a list). */
  remove(): void;
}

export interface ExpandDocumentOptions {
  env: NodeJS.ProcessEnv;
  /** The lineCounter the document was parsed with, for each problem's line and column. */
  lineCounter: LineCounter;
  /** The text the document was parsed from. */
  text: string;
  /**
   * Whether an unquoted value with references at `path` is read as YAML reads
   * an unquoted value once expanded (`port: ${SMTP_PORT}` -> 2525, `enabled:
   * ${X:-false}` -> false); otherwise it stays the expanded text. Default: never.
   */
  typedAt?: (path: DocumentPath) => boolean;
}

/**
 * Expands the references in every string value of `doc` in place (keys are
 * left as written). Values whose references cannot be expanded are left as
 * they were and returned as problems, in document order, each with its line
 * and column and a way to remove the value, so the caller decides which are
 * errors.
 */
export function expandEnvInDocument(
  doc: Document,
  options: ExpandDocumentOptions,
): DocumentReferenceProblem[] {
  const problems: DocumentReferenceProblem[] = [];
  const typedAt = options.typedAt ?? (() => false);

  const expandScalar = (node: Scalar, path: DocumentPath, remove: () => void): void => {
    if (typeof node.value !== "string" || !node.value.includes("${")) return;
    const { value, problems: found } = expandReferences(node.value, options.env);
    if (found.length > 0) {
      const source = node.range ? options.text.slice(node.range[0], node.range[1]) : "";
      let from = 0;
      for (const problem of found) {
        // Locate the reference in the source; escapes in a double-quoted scalar can hide it.
        const at = source.indexOf(problem.reference, from);
        if (at >= 0) from = at + problem.reference.length;
        const offset = (node.range?.[0] ?? 0) + Math.max(at, 0);
        problems.push({
          ...options.lineCounter.linePos(offset),
          message: problem.message,
          valuePath: path,
          ...(problem.unset === undefined ? {} : { unset: problem.unset }),
          remove,
        });
      }
      return;
    }
    node.value = node.type === "PLAIN" && !node.tag && typedAt(path) ? readAsYaml(value, doc) : value;
  };

  const walk = (node: unknown, path: DocumentPath, remove: () => void): void => {
    if (isScalar(node)) expandScalar(node, path, remove);
    else if (isMap(node)) {
      const map = node as YAMLMap<unknown, unknown>;
      for (const pair of map.items) {
        if (!isScalar(pair.key) && pair.key !== null) continue; // complex keys: left alone
        const key = isScalar(pair.key) ? String(pair.key.value) : "";
        walk(pair.value, [...path, key], () => removeFrom(map.items, pair));
      }
    } else if (isSeq(node)) {
      const seq = node as YAMLSeq<unknown>;
      seq.items.forEach((item, index) => {
        walk(item, [...path, index], () => removeFrom(seq.items, item));
      });
    } else if (isPair(node)) {
      // A pair as a list item (`[a: 1]`).
      const pair = node as Pair<unknown, unknown>;
      walk(pair.value, path, remove);
    }
    // Aliases point at a node expanded where its anchor is.
  };

  walk(doc.contents, [], () => {
    doc.contents = null;
  });
  return problems;
}

function removeFrom<T>(items: T[], item: T): void {
  const index = items.indexOf(item);
  if (index >= 0) items.splice(index, 1);
}

/** `text` as an unquoted YAML scalar reads in `doc`'s schema: 2525 -> number, false -> boolean, ~ -> null. */
function readAsYaml(text: string, doc: Document): unknown {
  const tag = doc.schema.tags.find(
    (candidate): candidate is ScalarTag =>
      (candidate as ScalarTag).default === true && (candidate as ScalarTag).test?.test(text) === true,
  );
  if (tag === undefined) return text;
  try {
    const value: unknown = tag.resolve(text, () => undefined, doc.options);
    return isScalar(value) ? value.value : value;
  } catch {
    return text;
  }
}

/** 1-based line and column of `offset` in `text`. */
export function linePos(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf("\n") + 1;
  return { line: before.split("\n").length, col: offset - lineStart + 1 };
}
