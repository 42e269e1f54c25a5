/**
 * The alert aggregate (`alert`). Its writers, each the only one of its kind:
 * insertAlert (here) creates alerts, with their delivery rows in the same
 * transaction; recordDeliverySuccess (deliveries.ts) sets `sent`/`sent_at`;
 * pruneOldData (retention.ts) deletes. Alerts are stored through the
 * evaluation writer's storeAlert (evaluation/view.ts), so an alert, its
 * delivery rows and the high-water marks of the pass that raised it commit
 * together.
 *
 * The alert shapes, and why each remains:
 * - AlertCandidate (apps/alerts rules): what a rule found, before suppression
 *   decides whether it becomes an alert; pure, so it knows no database.
 * - AlertInput (here): what insertAlert stores; Prisma's Alert minus what the
 *   database fills (id, sent, sent_at, created_at), details as an object.
 * - StoredAlert (stored-alert.ts): the one read shape, an alert with its race
 *   and runner, for listings, deliveries, channels, reports, dry runs and the
 *   backtest.
 * - AlertRef (here): the three columns suppression compares (Pick of Alert).
 * - Alert: Prisma's generated row, for typed reads through Prisma.
 */
import type { Alert } from "../generated/prisma/client.js";
import type { Sql } from "../sql.js";
import { toDbTime } from "../time.js";
import { insertDeliveryRows, validateChannels } from "./deliveries.js";
import type { AlertDetails } from "./stored-alert.js";

export type { Alert };

/** What an alert is stored from. */
export type AlertInput = Pick<Alert, "triggeredAt" | "alertType" | "message"> &
  Partial<Pick<Alert, "raceId" | "entryId" | "thresholdValue" | "actualValue" | "subject">> & {
    /** Identity of the event; a known key makes storing a no-op. */
    dedupeKey: Alert["dedupeKey"];
    details?: AlertDetails | null;
  };

/** A stored alert as suppression compares it. */
export type AlertRef = Pick<Alert, "alertType" | "subject" | "triggeredAt">;

/**
 * Stores an alert unless its dedupe key is known, with one delivery row per
 * channel for a new alert, inside the caller's write transaction. Returns
 * the alert id and whether it was new.
 */
export async function insertAlert(
  sql: Sql,
  input: AlertInput,
  channels: readonly string[],
  now: Date,
): Promise<{ alertId: number; created: boolean }> {
  validateChannels(channels, "storeAlert");
  const at = toDbTime(now);
  const inserted = await sql.get<{ alert_id: number }>(
    `INSERT INTO alert (triggered_at, race_id, entry_id, alert_type, threshold_value, actual_value, message,
                        dedupe_key, subject, details, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (dedupe_key) DO NOTHING RETURNING alert_id`,
    toDbTime(input.triggeredAt),
    input.raceId ?? null,
    input.entryId ?? null,
    input.alertType,
    input.thresholdValue ?? null,
    input.actualValue ?? null,
    input.message,
    input.dedupeKey,
    input.subject ?? null,
    input.details ? JSON.stringify(input.details) : null,
    at,
  );
  if (!inserted) {
    const existing = await sql.get<{ alert_id: number }>(
      `SELECT alert_id FROM alert WHERE dedupe_key = ?`,
      input.dedupeKey,
    );
    return { alertId: existing!.alert_id, created: false };
  }
  await insertDeliveryRows(sql, inserted.alert_id, channels, at);
  return { alertId: inserted.alert_id, created: true };
}
