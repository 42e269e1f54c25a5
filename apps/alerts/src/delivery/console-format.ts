/**
 * What the console channel (and the tables beside it) print of a time: the
 * track's clock, named. A day spans tracks in several zones, so a bare
 * "13:42:05" could be any of them.
 */
import type { StoredAlert } from "@totewatch/db";
import { consoleLine, localTime } from "./format.js";

/** The zone's short name at that instant: "EDT", "PST", "UTC", "GMT+1" (UTC when the zone is not valid). */
export function zoneAbbreviation(instant: Date, timeZone: string): string {
  try {
    const parts = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "short" }).formatToParts(
      instant,
    );
    return parts.find((part) => part.type === "timeZoneName")?.value ?? timeZone;
  } catch {
    return "UTC";
  }
}

/** "13:42:05 EDT": the time on the track's clock with the clock's name (UTC when unknown). */
export function zonedTime(instant: Date, timeZone: string | null): string {
  const zone = timeZone ?? "UTC";
  return `${localTime(instant, zone)} ${zoneAbbreviation(instant, zone)}`;
}

/** `13:42:05 EDT Saratoga R5 #3 Thunder Road [steam] 5-1 -> 5-2 (-50.0%), 8 min to post`. */
export function consoleAlertLine(alert: StoredAlert): string {
  return consoleLine(alert, (each) => zonedTime(each.triggeredAt, each.race?.timezone ?? null));
}
