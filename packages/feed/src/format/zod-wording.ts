/**
 * The schema's (messages.ts) refusals in the feed's own wording: the first
 * zod issue of a message as `path: reason`, naming the value it found.
 *
 * Invariants: pure; one message, one reason (the first issue); a missing
 * field reads "required" whatever zod called it; the value is quoted as
 * field-error.ts quotes every value.
 */
import type { z } from "zod";
import { describeValue, formatShortKeyPath } from "./field-error.js";

/** The first problem of a zod error as `path: reason` (one message, one reason). */
export function describeZodError(error: z.ZodError, raw: unknown): string {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return `a message must be a JSON object with a "kind", got ${describeValue(raw)}`;
  }
  const issue = error.issues[0];
  if (!issue) return "invalid message";
  const path = formatShortKeyPath(issue.path);
  const reason = describeIssue(issue, valueAt(raw, issue.path));
  return path ? `${path}: ${reason}` : reason;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = raw;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  if (value === undefined && (issue.code === "invalid_type" || issue.code === "invalid_union"))
    return "required";
  switch (issue.code) {
    case "invalid_type":
      return `expected ${issue.expected === "int" ? "a whole number" : issue.expected}, got ${describeValue(value)}`;
    case "invalid_union":
      if (issue.path.at(-1) === "kind") {
        return `unknown kind ${describeValue(value)} (expected "card", "win", "exacta" or "status")`;
      }
      return `${describeValue(value)} is not allowed here`;
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, got ${describeValue(value)}`;
    default:
      return `${issue.message}${value === undefined || typeof value === "object" ? "" : ` (got ${describeValue(value)})`}`;
  }
}
