/** Writing instants as ISO-8601 text: in a track's zone with its offset, or in UTC with "Z". */
import { zoneOffsetMs } from "@totewatch/tote";

/** The zone's offset from UTC at an instant, in minutes (New York in summer: -240). */
export function zoneOffsetMinutes(epochMs: number, timeZone: string): number {
  const offsetMs = zoneOffsetMs(epochMs, timeZone);
  // An ISO-8601 offset has no seconds: historical local mean times (New York before 1883: -4:56:02) have no text.
  if (offsetMs % 60_000 !== 0) {
    throw new RangeError(
      `time zone ${timeZone} is ${offsetMs / 1000} s from UTC at ${new Date(epochMs).toISOString()}: not a whole minute`,
    );
  }
  return offsetMs / 60_000;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** "2025-09-12T18:42:00-04:00": the wall-clock time in `timeZone` with its offset (whole seconds). */
export function isoInZone(epochMs: number, timeZone: string): string {
  const offset = zoneOffsetMinutes(epochMs, timeZone);
  const local = new Date(Math.floor(epochMs / 1000) * 1000 + offset * 60_000).toISOString().slice(0, 19);
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  return `${local}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** "2025-09-12T22:30:00Z" (milliseconds only when there are some). */
export function isoUtc(epochMs: number): string {
  const text = new Date(epochMs).toISOString();
  return text.endsWith(".000Z") ? `${text.slice(0, -5)}Z` : text;
}
