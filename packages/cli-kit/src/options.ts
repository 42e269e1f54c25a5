/**
 * Commander argument parsers for numbers and dates: every CLI (ingest,
 * alerts, demo, db scripts) refuses a bad value the same way, naming the option.
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

/** A whole number >= `min` (default 0). */
export function wholeNumber(name: string, options: { min?: number } = {}) {
  const min = options.min ?? 0;
  return (text: string): number => {
    const value = Number(text);
    if (text.trim() === "" || !Number.isInteger(value) || value < min) {
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
