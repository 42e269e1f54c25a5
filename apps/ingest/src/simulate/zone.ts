/** Writing instants as ISO-8601 text: in a track's zone with its offset, or in UTC with "Z". */

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone: building Intl formatters is slow and zones repeat. */
function offsetFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = offsetFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" });
    offsetFormatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The zone's offset from UTC at an instant, in minutes (New York in summer: -240). */
export function zoneOffsetMinutes(epochMs: number, timeZone: string): number {
  const label = offsetFormatter(timeZone)
    .formatToParts(new Date(epochMs))
    .find((part) => part.type === "timeZoneName")?.value;
  // "GMT-04:00", "GMT+05:30", or plain "GMT" for a zero offset.
  const match = /^GMT(?:([+-])(\d{1,2})(?::?(\d{2}))?)?$/.exec(label ?? "");
  if (!match) throw new RangeError(`cannot read the UTC offset of time zone ${timeZone} (got ${label})`);
  if (!match[1]) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? 0);
  return match[1] === "-" ? -minutes : minutes;
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
