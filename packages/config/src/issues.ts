/**
 * zod's issues in the words of a YAML author: "expected whole number,
 * received string", the line of the key in the file, and "did you mean" for
 * a misspelt key.
 */
import { isMap, isNode, isScalar, isSeq, type Document } from "yaml";
import { z } from "zod";
import { formatKeyPath } from "@totewatch/tote";
import type { ConfigProblem } from "./config-error.js";
import { linePos } from "./expand-env.js";
import { schemaAt } from "./schema-path.js";

/** One or more problems (one per unknown key) for a zod issue, with the YAML line when found. */
export function describeIssue(issue: z.core.$ZodIssue, doc: Document, text: string): ConfigProblem[] {
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
  const schema = schemaAt(keyPath);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
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
