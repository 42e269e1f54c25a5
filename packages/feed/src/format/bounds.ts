/**
 * The sane bounds of a feed message (docs/feed.md, "Bad input"): values no
 * real tote shows, refused with the field's path instead of being stored and
 * carried into alerts (odds of 1e308 made an alert read "+Infinity%").
 *
 * Invariants: pure; fixed bounds, the same for every source (no clock: an
 * instant is judged by a fixed range of years, not against "now").
 */
import { describeValue, FieldError, shown } from "./field-error.js";

/** Longest odds accepted, odds-to-1: 9999-1 (a $2 win ticket paying $20,000). */
export const MAX_ODDS = 9999;
/** Shortest odds accepted, odds-to-1: 1-9999 (the mirror of MAX_ODDS). */
export const MIN_ODDS = 1 / 9999;
/** Largest pool, amount, payout, stake or dividend unit: 10 billion currency units. */
export const MAX_MONEY = 1e10;
/** Longest track, horse, jockey or trainer name (and track code), in characters. */
export const MAX_NAME_LENGTH = 100;
/** Longest odds text ("9999-1", "SCRATCHED", "1234.56"): anything longer is no board's. */
export const MAX_ODDS_TEXT = 32;
/** Longest exacta key: two program numbers of at most 8 characters and the dash. */
export const MAX_EXACTA_KEY = 17;
/**
 * Longest card `timezone` and `post_time` text, in characters (64 each, @totewatch/tote's own
 * limits): checked by the schema, so an over-long one is refused with its position before a
 * time zone lookup or a pattern reads it.
 */
export { MAX_POST_TIME_LENGTH, MAX_TIME_ZONE_LENGTH } from "@totewatch/tote";
/** Dates and instants are accepted from the start of FIRST_YEAR to the end of LAST_YEAR (UTC). */
export const FIRST_YEAR = 2000;
export const LAST_YEAR = 2100;

const EARLIEST = Date.UTC(FIRST_YEAR, 0, 1);
const LATEST_EXCLUSIVE = Date.UTC(LAST_YEAR + 1, 0, 1);

/** The refusal of a date or instant outside FIRST_YEAR..LAST_YEAR. */
export const OUT_OF_YEARS = `is outside the years ${FIRST_YEAR}..${LAST_YEAR}`;

/** Whether an instant (epoch ms) falls in FIRST_YEAR..LAST_YEAR. */
export function withinFeedYears(instant: number): boolean {
  return instant >= EARLIEST && instant < LATEST_EXCLUSIVE;
}

/** Whether a "YYYY-MM-DD" (already checked as a calendar date) falls in FIRST_YEAR..LAST_YEAR. */
export function dateWithinFeedYears(date: string): boolean {
  const year = Number(date.slice(0, 4));
  return year >= FIRST_YEAR && year <= LAST_YEAR;
}

/** Refuses odds text over MAX_ODDS_TEXT characters (before any parser quotes it whole). */
export function checkOddsText(value: unknown, path: readonly PropertyKey[]): void {
  if (typeof value === "string" && value.length > MAX_ODDS_TEXT) {
    throw new FieldError(
      path,
      `odds text is longer than ${MAX_ODDS_TEXT} characters (got ${describeValue(value)})`,
    );
  }
}

/** "N-D" or "N/D" as the odds parsers read it (trimmed, spaces around the dash allowed). */
const FRACTION = /^\s*(\d+)\s*[-/]\s*(\d+)\s*$/;

/**
 * Refuses a fraction whose numerator or denominator is not a safe integer: past 2^53 - 1 the
 * digits written are not the number read ("99999999999999999999999-1" would be 1e23).
 */
export function checkFractionParts(value: unknown, path: readonly PropertyKey[]): void {
  if (typeof value !== "string") return;
  const match = FRACTION.exec(value);
  if (!match) return;
  for (const part of [match[1]!, match[2]!]) {
    if (!Number.isSafeInteger(Number(part))) {
      const digits = part.length > 24 ? `${part.slice(0, 24)}…` : part;
      throw new FieldError(
        path,
        `${shown(value)}: fraction part ${digits} is too large (not a safe integer, at most ${Number.MAX_SAFE_INTEGER})`,
      );
    }
  }
}

/**
 * Refuses odds-to-1 (read from `value`) longer than 9999-1 or shorter than 1-9999. `note` says
 * how `value` was read when that is not plain odds-to-1 (a decimal dividend).
 */
export function checkOddsRange(
  odds: number,
  value: unknown,
  path: readonly PropertyKey[],
  note?: string,
): void {
  const read = note === undefined ? "" : ` (${note}: ${Number(odds.toPrecision(6))}-1)`;
  if (odds > MAX_ODDS) {
    throw new FieldError(path, `odds ${shown(value)}${read} are longer than the maximum of ${MAX_ODDS}-1`);
  }
  if (odds < MIN_ODDS) {
    throw new FieldError(path, `odds ${shown(value)}${read} are shorter than the minimum of 1-${MAX_ODDS}`);
  }
}
