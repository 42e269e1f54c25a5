/**
 * The dashboard's alert log: stored alerts newest first, each with its delivery rows and one
 * delivery state, filtered and paged; and the values its filter menus offer.
 *
 * Invariants: reads only, each in one read transaction (the alerts and their delivery rows are
 * of one state of the file). An alert's state is decided by one SQL expression
 * (DELIVERY_STATE_SQL), which both the state shown and the `delivery` filter use, so a filter
 * never disagrees with what it lists:
 * - "delivered": alert.sent (set with the last channel's success, deliveries.ts);
 * - "failing": not sent, and some undelivered row's last attempt failed (it has a last_error);
 * - "none": not sent and no delivery rows (stored while no channel was enabled);
 * - "pending": otherwise (rows waiting for their first attempt, or delivered on some channels).
 * Paging is a keyset on the listing's order (triggered_at DESC, alert_id DESC): `beforeId`
 * continues after that alert, so paging never repeats or skips one, even where ids do not follow
 * trigger times (one evaluation pass storing alerts of several races).
 */
import type { Db } from "../../client.js";
import { InvalidInputError } from "../../errors.js";
import type { Alert, AlertDelivery, Track } from "../../generated/prisma/client.js";
import { readTransaction, type SqlRow } from "../../sql.js";
import { fromDbTime } from "../../time.js";
import {
  STORED_ALERT_COLUMNS,
  STORED_ALERT_JOINS,
  toStoredAlert,
  type StoredAlert,
  type StoredAlertRow,
} from "../stored-alert.js";

/** Where an alert's delivery stands (see the module comment). */
export type AlertDeliveryState = "delivered" | "pending" | "failing" | "none";

/** One channel's delivery of an alert. */
export type AlertChannelDelivery = Pick<
  AlertDelivery,
  "channel" | "attempts" | "lastError" | "lastAttemptAt" | "nextAttemptAt" | "deliveredAt"
>;

export type AlertWithDeliveries = StoredAlert & {
  /** By channel name. */
  deliveries: AlertChannelDelivery[];
  delivery: AlertDeliveryState;
};

export interface DashboardAlertsOptions {
  /** Only alerts of races run on this (track-local) date, YYYY-MM-DD. */
  raceDate?: string;
  /** Only alerts of races at this track (its name). */
  track?: string;
  alertType?: string;
  /** Only alerts in this delivery state ("none" too: alerts no channel was to deliver). */
  delivery?: AlertDeliveryState;
  raceId?: number;
  /** Default 100; a whole number from 1 to 1000. */
  limit?: number;
  /**
   * The next page: the alerts listed after this one (pass the last alertId of a page). That is
   * alert_id < beforeId wherever ids follow trigger times; an alert no longer stored (pruned)
   * falls back to exactly that.
   */
  beforeId?: number;
}

/** Values for the alert log's filter menus, each sorted. */
export interface AlertFacets {
  /** Alert types (rules) that have alerts. */
  types: Array<Alert["alertType"]>;
  /** Names of tracks whose races have alerts. */
  tracks: Array<Track["name"]>;
}

const DELIVERY_STATES: readonly AlertDeliveryState[] = ["delivered", "pending", "failing", "none"];
const MAX_LIMIT = 1000;

/** An alert's delivery state (alert a): the one definition, shown and filtered on. */
export const DELIVERY_STATE_SQL = `CASE
    WHEN a.sent THEN 'delivered'
    WHEN EXISTS (SELECT 1 FROM alert_delivery d WHERE d.alert_id = a.alert_id
                 AND d.delivered_at IS NULL AND d.last_error IS NOT NULL) THEN 'failing'
    WHEN EXISTS (SELECT 1 FROM alert_delivery d WHERE d.alert_id = a.alert_id) THEN 'pending'
    ELSE 'none' END`;

// The page's bound is the (triggered_at, alert_id) of the alert `beforeId`, read in the same
// statement; when that alert is gone, @beforeAt is NULL and only alert_id < beforeId is left.
export const DASHBOARD_ALERTS_SQL = `
  WITH bound AS (SELECT (SELECT triggered_at FROM alert WHERE alert_id = @beforeId) AS "beforeAt")
  SELECT ${STORED_ALERT_COLUMNS}, ${DELIVERY_STATE_SQL} AS delivery
  FROM alert a ${STORED_ALERT_JOINS} CROSS JOIN bound
  WHERE (CAST(@raceDate AS TEXT) IS NULL OR r.race_date = @raceDate)
    AND (CAST(@track AS TEXT) IS NULL OR t.name = @track)
    AND (CAST(@alertType AS TEXT) IS NULL OR a.alert_type = @alertType)
    AND (CAST(@raceId AS BIGINT) IS NULL OR a.race_id = @raceId)
    AND (CAST(@delivery AS TEXT) IS NULL OR ${DELIVERY_STATE_SQL} = @delivery)
    AND (CAST(@beforeId AS BIGINT) IS NULL
         OR (bound."beforeAt" IS NULL AND a.alert_id < @beforeId)
         OR a.triggered_at < bound."beforeAt"
         OR (a.triggered_at = bound."beforeAt" AND a.alert_id < @beforeId))
  ORDER BY a.triggered_at DESC, a.alert_id DESC
  LIMIT @limit`;

// The delivery rows of the listed alerts (`?`: their ids as a JSON array), by the (alert_id, channel)
// unique index; json_each on SQLite, jsonb on PostgreSQL (whose elements are cast to ids).
const deliveriesSql = (ids: string) => `
  SELECT alert_id AS "alertId", channel, attempts, last_error AS "lastError", last_attempt_at AS "lastAttemptAt",
         next_attempt_at AS "nextAttemptAt", delivered_at AS "deliveredAt"
  FROM alert_delivery WHERE alert_id IN (${ids}) ORDER BY alert_id, channel`;
const DELIVERIES_SQL = {
  sqlite: deliveriesSql(`SELECT value FROM json_each(?)`),
  postgres: deliveriesSql(`SELECT CAST(value AS BIGINT) FROM jsonb_array_elements_text(CAST(? AS jsonb))`),
};

type DeliveryRow = SqlRow<AlertChannelDelivery & Pick<AlertDelivery, "alertId">>;

const toDate = (stored: number | null) => (stored === null ? null : fromDbTime(stored));

function wholeNumber(name: string, value: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER) {
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new InvalidInputError(`dashboardAlerts: ${name} must be a whole number ${range}, got ${value}`);
  }
}

/** Stored alerts newest first (triggered_at, then alert_id), with their deliveries, filtered and paged. */
export async function dashboardAlerts(
  db: Db,
  options: DashboardAlertsOptions = {},
): Promise<AlertWithDeliveries[]> {
  const limit = options.limit ?? 100;
  wholeNumber("limit", limit, 1, MAX_LIMIT);
  wholeNumber("beforeId", options.beforeId, 1);
  wholeNumber("raceId", options.raceId, 1);
  if (options.delivery !== undefined && !DELIVERY_STATES.includes(options.delivery)) {
    throw new InvalidInputError(
      `dashboardAlerts: delivery must be one of ${DELIVERY_STATES.join(", ")}, got ${String(options.delivery)}`,
    );
  }
  const params = {
    raceDate: options.raceDate ?? null,
    track: options.track ?? null,
    alertType: options.alertType ?? null,
    raceId: options.raceId ?? null,
    delivery: options.delivery ?? null,
    beforeId: options.beforeId ?? null,
    limit,
  };
  return readTransaction(db, async (sql) => {
    const alerts = await sql.all<StoredAlertRow & { delivery: AlertDeliveryState }>(
      DASHBOARD_ALERTS_SQL,
      params,
    );
    const deliveries = new Map<number, AlertChannelDelivery[]>();
    const ids = JSON.stringify(alerts.map((row) => row.alertId));
    for (const row of await sql.all<DeliveryRow>(DELIVERIES_SQL[sql.dialect], ids)) {
      const list = deliveries.get(row.alertId) ?? [];
      list.push({
        channel: row.channel,
        attempts: row.attempts,
        lastError: row.lastError,
        lastAttemptAt: toDate(row.lastAttemptAt),
        nextAttemptAt: toDate(row.nextAttemptAt),
        deliveredAt: toDate(row.deliveredAt),
      });
      deliveries.set(row.alertId, list);
    }
    return alerts.map((row) => ({
      ...toStoredAlert(row),
      deliveries: deliveries.get(row.alertId) ?? [],
      delivery: row.delivery,
    }));
  });
}

/** Alert types and track names that have alerts (of races on `raceDate` when given), sorted. */
export async function alertFacets(db: Db, options: { raceDate?: string } = {}): Promise<AlertFacets> {
  const date = options.raceDate ?? null;
  return readTransaction(db, async (sql) => ({
    types: (
      await sql.all<{ value: string }>(
        `SELECT DISTINCT a.alert_type AS value FROM alert a LEFT JOIN race r ON r.race_id = a.race_id
         WHERE (CAST(? AS TEXT) IS NULL OR r.race_date = ?) ORDER BY value`,
        date,
        date,
      )
    ).map((row) => row.value),
    tracks: (
      await sql.all<{ value: string }>(
        `SELECT DISTINCT t.name AS value FROM alert a JOIN race r ON r.race_id = a.race_id
         JOIN track t ON t.track_id = r.track_id
         WHERE (CAST(? AS TEXT) IS NULL OR r.race_date = ?) ORDER BY value`,
        date,
        date,
      )
    ).map((row) => row.value),
  }));
}
