/**
 * The one read shape of a stored alert: the alert with the race and runner it
 * names. Listings, due deliveries (and so every channel), the engine's dry run
 * and the backtest (the alerts they would store) all read alerts as a
 * StoredAlert, so one alert has one shape from the database to a notification.
 *
 * Row types come from Prisma's generated models (Pick), so a schema change
 * shows up here at compile time; the SQL is raw because these reads join four
 * tables on hot paths (every delivery pass).
 */
import type { Alert, Entry, Horse, Race, Track } from "../generated/prisma/client.js";
import type { SqlRow } from "../sql.js";
import { fromDbTime } from "../time.js";

/** An alert's `details`: rule-specific facts, stored as JSON text, read back as an object. */
export type AlertDetails = Record<string, unknown>;

/** The race an alert (or an evaluation) names: declared once, here. */
export type AlertRace = Pick<Race, "raceDate" | "raceNumber" | "postTime"> & {
  raceId: Race["id"];
  track: Track["name"];
  /** IANA zone of the track. */
  timezone: Track["timezone"];
};

/** The runner an alert names. */
export type AlertRunner = Pick<Entry, "programNumber"> & { entryId: Entry["id"]; horse: Horse["name"] };

/** A stored alert with its race and runner. A would-be alert (dry run, backtest) has alertId 0. */
export type StoredAlert = Pick<
  Alert,
  | "dedupeKey"
  | "alertType"
  | "triggeredAt"
  | "message"
  | "subject"
  | "thresholdValue"
  | "actualValue"
  | "sent"
  | "sentAt"
> & {
  alertId: Alert["id"];
  /** Parsed; `{ unparsed }` when the stored text is not JSON; null when none. */
  details: AlertDetails | null;
  race: AlertRace | null;
  runner: AlertRunner | null;
};

/** details.strength when the rule recorded one: how far past its threshold (ranks alerts of different rules). */
export function alertStrength(alert: Pick<StoredAlert, "details">): number | null {
  const strength = alert.details?.strength;
  return typeof strength === "number" ? strength : null;
}

/** An alert's `details` JSON text as an object (tolerating rows written by hand). */
export function parseAlertDetails(text: string | null): AlertDetails | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as AlertDetails)
      : { value };
  } catch {
    return { unparsed: text };
  }
}

/** The columns of a StoredAlert, under its field names; `a` is the alert, joined with STORED_ALERT_JOINS. */
export const STORED_ALERT_COLUMNS = `
  a.alert_id AS "alertId", a.dedupe_key AS "dedupeKey", a.alert_type AS "alertType", a.triggered_at AS "triggeredAt",
  a.message, a.subject, a.threshold_value AS "thresholdValue", a.actual_value AS "actualValue", a.details, a.sent,
  a.sent_at AS "sentAt", r.race_id AS "raceId", t.name AS track, t.timezone, r.race_date AS "raceDate",
  r.race_number AS "raceNumber", r.post_time AS "postTime", e.entry_id AS "entryId", e.program_number AS "programNumber",
  h.name AS horse`;

export const STORED_ALERT_JOINS = `
  LEFT JOIN race r ON r.race_id = a.race_id
  LEFT JOIN track t ON t.track_id = r.track_id
  LEFT JOIN entry e ON e.entry_id = a.entry_id
  LEFT JOIN horse h ON h.horse_id = e.horse_id`;

type Nullable<T> = { [K in keyof T]: T[K] | null };

/** A row of STORED_ALERT_COLUMNS as the engines return it (race and runner columns null when absent). */
export type StoredAlertRow = SqlRow<
  Omit<StoredAlert, "details" | "race" | "runner"> &
    Pick<Alert, "details"> &
    Nullable<AlertRace & AlertRunner>
>;

export function toStoredAlert(row: StoredAlertRow): StoredAlert {
  return {
    alertId: row.alertId,
    dedupeKey: row.dedupeKey,
    alertType: row.alertType,
    triggeredAt: fromDbTime(row.triggeredAt),
    message: row.message,
    subject: row.subject,
    thresholdValue: row.thresholdValue,
    actualValue: row.actualValue,
    details: parseAlertDetails(row.details),
    sent: row.sent === 1,
    sentAt: row.sentAt === null ? null : fromDbTime(row.sentAt),
    // The joins follow foreign keys: a race row always has its track, an entry its horse.
    race:
      row.raceId === null
        ? null
        : {
            raceId: row.raceId,
            track: row.track ?? "",
            timezone: row.timezone ?? "UTC",
            raceDate: row.raceDate ?? "",
            raceNumber: row.raceNumber ?? 0,
            postTime: row.postTime === null ? null : fromDbTime(row.postTime),
          },
    runner:
      row.entryId === null
        ? null
        : { entryId: row.entryId, programNumber: row.programNumber ?? "", horse: row.horse ?? "" },
  };
}
