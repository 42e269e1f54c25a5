/**
 * Commander argument parsers for numbers, dates and counts: every CLI
 * (ingest, alerts, demo, db scripts) refuses a bad value the same way, naming
 * the option. Use them with `new Option(...).argParser(parser)`; commander
 * prints `error: option '--x <n>' argument 'abc' is invalid. <message>`.
 *
 * | value wanted          | parser                                          |
 * | --------------------- | ----------------------------------------------- |
 * | number > 0            | positiveNumber("--speed")                       |
 * | number >= 0           | positiveNumber("--speed", { allowZero: true })  |
 * | whole number >= 0     | wholeNumber("--seed")                           |
 * | whole number >= 1     | wholeNumber("--limit", { min: 1 })              |
 * | YYYY-MM-DD            | calendarDate                                    |
 * | "12" or "8-12"        | countOrRange                                    |
 * | 100000, 100k, 1m      | abbreviatedCount("--rows")                      |
 */
import { InvalidArgumentError } from "commander";
import { isCalendarDate } from "@totewatch/tote";

/** A finite number > 0 (>= 0 with `allowZero`). */
export function positiveNumber(name: string, options: { allowZero?: boolean } = {}) {
  const allowZero = options.allowZero === true;
  return (text: string): number => {
    const value = Number(text);
    if (text.trim() === "" || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
      throw new InvalidArgumentError(`${name} must be a ${allowZero ? "non-negative" : "positive"} number`);
    }
    return value;
  };
}

/**
 * A whole number >= `min` (default 0). Numbers too large to hold exactly
 * (over 2^53 - 1) are refused rather than silently rounded.
 */
export function wholeNumber(name: string, options: { min?: number } = {}) {
  const min = options.min ?? 0;
  return (text: string): number => {
    const value = Number(text);
    if (text.trim() === "" || !Number.isSafeInteger(value) || value < min) {
      throw new InvalidArgumentError(
        min === 0 ? `${name} must be a whole number` : `${name} must be a whole number >= ${min}`,
      );
    }
    return value;
  };
}

/** A real calendar date, YYYY-MM-DD. */
export function calendarDate(text: string): string {
  if (!isCalendarDate(text)) throw new InvalidArgumentError("must be a real date, YYYY-MM-DD");
  return text;
}

/**
 * A count (`12`) or an inclusive range (`8-12`), digits only. Whether the
 * numbers make sense (e.g. min <= max) is for the command to say: it knows the limits.
 */
export function countOrRange(text: string): number | [number, number] {
  const range = /^(\d+)-(\d+)$/.exec(text);
  if (range) return [Number(range[1]), Number(range[2])];
  if (/^\d+$/.test(text)) return Number(text);
  throw new InvalidArgumentError('must be a count ("12") or a range ("8-12")');
}

/** A count written in full or with a k/m suffix (100000, 100k, 1.5m, 10m), rounded to a whole number. */
export function abbreviatedCount(name: string) {
  return (text: string): number => {
    const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
    if (!match) throw new InvalidArgumentError(`${name} must be a count like 100000, 100k, 1m or 10m`);
    const unit = { "": 1, k: 1_000, m: 1_000_000 }[match[2]!.toLowerCase() as "" | "k" | "m"];
    return Math.round(Number(match[1]) * unit);
  };
}
