/**
 * Race dates and post times. A race date is a day in the track's local
 * calendar; a post time is either an instant with an offset or a local
 * wall-clock time read in the track's IANA time zone.
 */

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** ISO-8601 date-time that names its offset; without one the instant would be ambiguous. */
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const ISO_WITHOUT_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/i;
const LOCAL_TIME = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/**
 * Longest post time text accepted: the longest instant written is 35 characters
 * ("2025-09-12T18:42:00.123456789-04:00"); anything much longer is no tote's, and is
 * refused before any pattern or quote looks at it.
 */
export const MAX_POST_TIME_LENGTH = 64;
/** Longest time zone name accepted: the longest IANA name is 32 ("America/Argentina/ComodRivadavia"). */
export const MAX_TIME_ZONE_LENGTH = 64;
/** Longest text quoted whole in an error; longer is cut, so a 2 MB value makes no 2 MB log line. */
const MAX_QUOTED = 60;

/** Text as an error quotes it: JSON-quoted, cut at MAX_QUOTED characters ("…" marks the cut). */
function quoted(text: string): string {
  return JSON.stringify(text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text);
}

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isRealDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Strict `YYYY-MM-DD` naming a day that exists (2024-02-29 yes, 2025-02-30 no). */
export function isCalendarDate(s: string): boolean {
  const match = CALENDAR_DATE.exec(s);
  if (!match) return false;
  return isRealDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

/** True when Intl knows this IANA zone name ("America/New_York", "UTC"); offsets like "+05:00" are not zones. */
export function isIanaTimeZone(tz: string): boolean {
  if (typeof tz !== "string" || tz.trim() === "" || tz.length > MAX_TIME_ZONE_LENGTH || /^[+-]/.test(tz)) {
    return false;
  }
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone: building Intl formatters is slow and zones repeat. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock reading of an instant in a zone. */
function wallClockAt(epochMs: number, timeZone: string): WallClock {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(epochMs))) parts[part.type] = part.value;
  const yearOfEra = Number(parts.year);
  // "BC" years count backwards; 1 BC is astronomical year 0.
  const year = parts.era === "BC" ? 1 - yearOfEra : yearOfEra;
  return {
    year,
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** Date.UTC without its two-digit-year quirk (years 0-99 would become 1900-1999). */
function utcMs(clock: WallClock, millisecond = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(clock.year, clock.month - 1, clock.day);
  date.setUTCHours(clock.hour, clock.minute, clock.second, millisecond);
  return date.getTime();
}

/**
 * The zone's offset from UTC at an instant, in ms (New York in summer: -4h), read
 * at the instant's whole second. Throws RangeError for a zone Intl does not know.
 */
export function zoneOffsetMs(epochMs: number, timeZone: string): number {
  const wholeSecond = Math.floor(epochMs / 1000) * 1000;
  return utcMs(wallClockAt(wholeSecond, timeZone)) - wholeSecond;
}

/**
 * The instant a local wall-clock time names in a zone. Across DST changes this follows
 * Temporal's "compatible" rule: a repeated hour (fall back) takes the earlier instant,
 * a skipped hour (spring forward) is pushed forward by the gap (02:30 -> 03:30).
 */
function localToInstant(clock: WallClock, timeZone: string): number {
  const asIfUtc = utcMs(clock);
  // Offsets a day either side bracket any transition near this time.
  const offsetBefore = zoneOffsetMs(asIfUtc - MS_PER_DAY, timeZone);
  const offsetAfter = zoneOffsetMs(asIfUtc + MS_PER_DAY, timeZone);
  const candidates = [...new Set([offsetBefore, offsetAfter])]
    .map((offset) => asIfUtc - offset)
    .filter((instant) => utcMs(wallClockAt(instant, timeZone)) === asIfUtc)
    .sort((a, b) => a - b);
  return candidates[0] ?? asIfUtc - offsetBefore;
}

/** The instant an ISO_INSTANT match names, or null when a field is out of range (Feb 30, 24:00, +25:00). */
function instantOfMatch(match: RegExpExecArray): Date | null {
  const [, y, mo, d, h, mi, s, fraction, offset] = match;
  const clock: WallClock = {
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: Number(h),
    minute: Number(mi),
    second: Number(s ?? 0),
  };
  const offsetMatch = /^([+-])(\d{2}):?(\d{2})$/.exec(offset ?? "");
  const offsetHours = Number(offsetMatch?.[2] ?? 0);
  const offsetMinutes = Number(offsetMatch?.[3] ?? 0);
  if (
    !isRealDate(clock.year, clock.month, clock.day) ||
    clock.hour > 23 ||
    clock.minute > 59 ||
    clock.second > 59 ||
    offsetHours > 23 ||
    offsetMinutes > 59
  ) {
    return null;
  }
  // Digits past milliseconds are dropped, as Date cannot hold them.
  const millisecond = fraction ? Number(fraction.slice(1, 4).padEnd(3, "0")) : 0;
  const offsetSign = offsetMatch?.[1] === "-" ? -1 : 1;
  const offsetMs = offsetSign * (offsetHours * 60 + offsetMinutes) * MS_PER_MINUTE;
  return new Date(utcMs(clock, millisecond) - offsetMs);
}

/**
 * A strict ISO-8601 instant that names its offset ("2025-09-12T22:30:00Z",
 * "2025-09-12T18:42:00-04:00", "2025-09-12T18:42-0400"). Unlike Date.parse it
 * refuses fields out of range instead of rolling them over (2025-02-30 is not
 * March 2, 24:00 is not the next day). Throws RangeError naming the text.
 */
export function parseIsoInstant(text: string): Date {
  const match = typeof text === "string" ? ISO_INSTANT.exec(text) : null;
  const instant = match ? instantOfMatch(match) : null;
  if (!instant) {
    throw new RangeError(
      `${typeof text === "string" ? quoted(text) : String(text)} is not an ISO-8601 instant with an offset (e.g. 2025-09-12T22:30:00Z)`,
    );
  }
  return instant;
}

/**
 * The instant of a race's post. `postTime` is an ISO-8601 instant with an offset or "Z"
 * ("2025-09-12T18:42:00-04:00"), or a local "HH:MM" / "HH:MM:SS" on `raceDate` in `timeZone`
 * (an IANA name). Throws RangeError naming the bad value otherwise; an ISO date-time
 * without an offset is refused because it does not say which zone it means.
 */
export function resolvePostTime(postTime: string, raceDate: string, timeZone: string): Date {
  if (typeof postTime !== "string") {
    throw new RangeError(`post time must be a string, got ${typeof postTime}`);
  }
  if (postTime.length > MAX_POST_TIME_LENGTH) {
    throw new RangeError(
      `post time ${quoted(postTime)} is longer than ${MAX_POST_TIME_LENGTH} characters (${postTime.length})`,
    );
  }
  const text = postTime.trim();

  const iso = ISO_INSTANT.exec(text);
  if (iso) {
    const instant = instantOfMatch(iso);
    if (!instant) throw new RangeError(`post time ${quoted(postTime)} is not a valid ISO-8601 instant`);
    return instant;
  }
  if (ISO_WITHOUT_OFFSET.test(text)) {
    throw new RangeError(
      `post time ${quoted(postTime)} has no UTC offset; give one (e.g. "-04:00" or "Z") or a local "HH:MM"`,
    );
  }

  const local = LOCAL_TIME.exec(text);
  if (!local) {
    throw new RangeError(
      `post time ${quoted(postTime)} is neither an ISO-8601 instant with an offset nor a local "HH:MM"`,
    );
  }
  const hour = Number(local[1]);
  const minute = Number(local[2]);
  const second = Number(local[3] ?? 0);
  if (hour > 23 || minute > 59 || second > 59) {
    throw new RangeError(`post time ${quoted(postTime)} is not a valid time of day`);
  }
  if (!isCalendarDate(raceDate)) {
    throw new RangeError(`race date ${quoted(raceDate)} is not a real YYYY-MM-DD date`);
  }
  if (!isIanaTimeZone(timeZone)) {
    throw new RangeError(`time zone ${quoted(timeZone)} is not an IANA time zone`);
  }
  const [year, month, day] = raceDate.split("-").map(Number) as [number, number, number];
  return new Date(localToInstant({ year, month, day, hour, minute, second }, timeZone));
}

function assertValidDate(fn: string, name: string, value: Date): void {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new RangeError(`${fn}: ${name} must be a valid Date, got ${String(value)}`);
  }
}

/** Minutes from `at` until post: positive before post, negative after, fractional. */
export function minutesToPost(postTime: Date, at: Date): number {
  assertValidDate("minutesToPost", "postTime", postTime);
  assertValidDate("minutesToPost", "at", at);
  return (postTime.getTime() - at.getTime()) / MS_PER_MINUTE;
}

/** Zones isIanaTimeZone accepted: checking builds an Intl formatter, and zones repeat. */
const ianaZones = new Set<string>();

function assertIanaTimeZone(fn: string, timeZone: string): void {
  if (ianaZones.has(timeZone)) return;
  if (!isIanaTimeZone(timeZone)) {
    throw new RangeError(`${fn}: time zone ${quoted(timeZone)} is not an IANA time zone`);
  }
  ianaZones.add(timeZone);
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");

function dateText({ year, month, day }: WallClock): string {
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** The calendar date (YYYY-MM-DD) an instant falls on in a zone. */
export function localDateOf(instant: Date, timeZone: string): string {
  assertValidDate("localDateOf", "instant", instant);
  assertIanaTimeZone("localDateOf", timeZone);
  return dateText(wallClockAt(instant.getTime(), timeZone));
}

/**
 * The wall-clock date and time (whole seconds, 24-hour) of an instant in a zone:
 * "2025-06-01 13:42:05". Throws RangeError for an invalid Date or a zone that is
 * not an IANA time zone.
 */
export function localDateTimeOf(instant: Date, timeZone: string): string {
  assertValidDate("localDateTimeOf", "instant", instant);
  assertIanaTimeZone("localDateTimeOf", timeZone);
  const clock = wallClockAt(instant.getTime(), timeZone);
  return `${dateText(clock)} ${pad(clock.hour, 2)}:${pad(clock.minute, 2)}:${pad(clock.second, 2)}`;
}
