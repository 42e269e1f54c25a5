/**
 * How format/ says what is wrong with a message: a FieldError names the field
 * (its key path) and the reason, and parse.ts turns the first one thrown into
 * the message's one error, `path: reason`. The wording helpers quote values
 * the way every error does.
 *
 * Invariants: pure; a value is quoted as the message wrote it (text quoted,
 * numbers and null plain); long text is cut at 60 characters, in values and
 * in key paths alike (a message's keys are the sender's text too).
 */
import { formatKeyPath } from "@totewatch/tote";

/** One field of a message is wrong: `path` is its key path (["horses", 0, "win_odds"]). */
export class FieldError extends Error {
  constructor(
    readonly path: readonly PropertyKey[],
    message: string,
  ) {
    super(message);
  }
}

/**
 * Refuses blank odds text. The parsers read blank text as "no odds"; the feed names that "SCR"
 * or null, so a blank is more likely a source that lost the value than a runner without odds.
 */
export function rejectBlank(value: unknown, path: readonly PropertyKey[]): void {
  if (typeof value === "string" && value.trim() === "") {
    throw new FieldError(path, `odds text is empty (${describeValue(value)}); use "SCR" or null for no odds`);
  }
}

/** Longest text shown whole in an error; longer is cut (a 2 MB value must not make a 2 MB log line). */
const MAX_SHOWN = 60;

/** Text cut at MAX_SHOWN characters, "…" marking the cut. */
function cut(text: string): string {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

/** A value as the message wrote it: text quoted (cut at 60 characters), numbers and null plain. */
export function shown(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(cut(value)) : String(value);
}

/** Currency to the cent: $2.10, $1.00. */
export function money(amount: number): string {
  return `$${amount.toFixed(2)}`;
}

/** Any value for an error: its JSON type and, for scalars, the value ("nothing" when absent). */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return JSON.stringify(cut(value));
  return `${typeof value} ${String(value)}`;
}

/** formatKeyPath with long string keys cut at 60 characters, as values are (a key is the sender's text too). */
export function formatShortKeyPath(path: readonly PropertyKey[]): string {
  return formatKeyPath(path.map((key) => (typeof key === "string" ? cut(key) : key)));
}
