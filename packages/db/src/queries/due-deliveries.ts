/**
 * Reading delivery state: the rows due now, each with its alert in the one
 * StoredAlert shape (what every channel renders), and one alert's delivery
 * status. Writes to the rows are in deliveries.ts.
 */
import type { Db } from "../client.js";
import type { Alert, AlertDelivery } from "../generated/prisma/client.js";
import { InvalidInputError } from "../errors.js";
import { readRaw, readTransaction, type Dialect, type SqlRow } from "../sql.js";
import { fromDbTime, toDbTime, type DbTime } from "../time.js";
import { HOLD_ACTIVE_SQL } from "./delivery-claims.js";
import {
  MISSING_SQL,
  routeChannelSql,
  routeMatchSql,
  routesFromSql,
  routesJson,
  type ChannelRoute,
} from "./delivery-routes.js";
import {
  STORED_ALERT_COLUMNS,
  STORED_ALERT_JOINS,
  toStoredAlert,
  type StoredAlert,
  type StoredAlertRow,
} from "./stored-alert.js";

/** One channel that still owes one alert, and may be tried now. */
export type DueDelivery = Pick<AlertDelivery, "channel" | "attempts" | "lastError" | "digestId"> & {
  /** 0 for a row not created yet (`withMissing`). */
  deliveryId: AlertDelivery["id"];
  /**
   * When the row was created (the alert stored for delivery on this channel): a digest's window
   * is measured from it, not from the alert's triggered_at. Null for a row not created yet.
   */
  createdAt: AlertDelivery["createdAt"] | null;
  alert: StoredAlert;
};

export interface DueDeliveriesOptions {
  /**
   * Only these channels (the ones enabled now); a channel given as a route
   * (DeliveryRoute) only with the alerts its route takes.
   */
  channels: readonly ChannelRoute[];
  now: Date;
  /** Rows that already used this many attempts are given up on and not returned. */
  maxAttempts: number;
  /** Default 100. */
  limit?: number;
  /**
   * Skip this many due rows first (paging through a backlog without claiming
   * it, e.g. a dry run that writes nothing). Default 0.
   */
  offset?: number;
  /**
   * Also return the rows ensurePendingDeliveries would create (an unsent
   * alert without a row for one of `channels`), with deliveryId 0 and no
   * attempts: what a pass would send, read without writing (a dry run).
   */
  withMissing?: boolean;
}

export type DeliveryState = Pick<
  AlertDelivery,
  "channel" | "attempts" | "lastError" | "lastAttemptAt" | "nextAttemptAt" | "deliveredAt"
> & { deliveryId: AlertDelivery["id"] };

export type DeliveryStatus = Pick<Alert, "sent" | "sentAt"> & {
  alertId: Alert["id"];
  /** By channel name. */
  deliveries: DeliveryState[];
};

type DueRow = StoredAlertRow & SqlRow<Omit<DueDelivery, "alert">>;

/** The delivery rows, plus (as delivery_id 0) the missing ones of unsent alerts for the channels in `?`. */
const rowsWithMissing = (dialect: Dialect) => `(
    SELECT delivery_id, alert_id, channel, attempts, last_error, next_attempt_at, delivered_at, created_at,
           digest_id
    FROM alert_delivery
    UNION ALL
    SELECT 0, a.alert_id, ${routeChannelSql(dialect)}, 0, NULL, NULL, NULL, NULL, NULL ${MISSING_SQL[dialect]})`;

const dueSql = (rows: string, dialect: Dialect) => `
  SELECT d.delivery_id AS "deliveryId", d.channel, d.attempts, d.last_error AS "lastError",
         d.created_at AS "createdAt", d.digest_id AS "digestId", ${STORED_ALERT_COLUMNS}
  FROM ${rows} d
  JOIN alert a ON a.alert_id = d.alert_id ${STORED_ALERT_JOINS}
  WHERE d.delivered_at IS NULL
    AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= ?)
    AND d.attempts < ?
    AND EXISTS (SELECT 1 FROM ${routesFromSql(dialect)}
                WHERE ${routeChannelSql(dialect)} = d.channel AND ${routeMatchSql("c.value", dialect)})
    AND NOT EXISTS (SELECT 1 FROM channel_hold h WHERE h.channel = d.channel AND ${HOLD_ACTIVE_SQL})
  ORDER BY d.digest_id IS NULL, d.digest_id, a.triggered_at, a.alert_id, d.channel
  LIMIT ? OFFSET ?`;
// By dialect: the routes are read with json_each on SQLite, jsonb on PostgreSQL (delivery-routes.ts).
const DUE_SQL = {
  sqlite: dueSql("alert_delivery", "sqlite"),
  postgres: dueSql("alert_delivery", "postgres"),
};
const DUE_WITH_MISSING_SQL = {
  sqlite: dueSql(rowsWithMissing("sqlite"), "sqlite"),
  postgres: dueSql(rowsWithMissing("postgres"), "postgres"),
};

/**
 * Undelivered rows of `channels` that may be tried at `now` (never tried, or
 * their backoff has passed) and have attempts left, with their alert, oldest
 * alert first; the rows of a digest sent before (digest_id) come first, each
 * digest's together, so a page cuts at most its last digest. A channel held
 * by a receiver's "retry after" (channel_hold, deferChannelDeliveries) has no
 * due rows until the hold ends, rows stored during it included.
 */
export async function dueDeliveries(db: Db, options: DueDeliveriesOptions): Promise<DueDelivery[]> {
  const json = routesJson(options.channels, "dueDeliveries");
  if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1) {
    throw new InvalidInputError(
      `dueDeliveries: maxAttempts must be a whole number >= 1, got ${options.maxAttempts}`,
    );
  }
  const limit = options.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InvalidInputError(`dueDeliveries: limit must be a whole number >= 1, got ${limit}`);
  }
  const offset = options.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) {
    throw new InvalidInputError(`dueDeliveries: offset must be a whole number >= 0, got ${offset}`);
  }
  if (options.channels.length === 0) return [];
  const now = toDbTime(options.now);
  const params = [now, options.maxAttempts, json, now, now, limit, offset];
  if (options.withMissing) {
    return readRaw(db, async (sql) =>
      (await sql.all<DueRow>(DUE_WITH_MISSING_SQL[sql.dialect], json, ...params)).map(toDueDelivery),
    );
  }
  // Reads only: a deliverer claims each row with claimDelivery right before sending it.
  return readRaw(db, async (sql) =>
    (await sql.all<DueRow>(DUE_SQL[sql.dialect], ...params)).map(toDueDelivery),
  );
}

function toDueDelivery(row: DueRow): DueDelivery {
  return {
    deliveryId: row.deliveryId,
    channel: row.channel,
    attempts: row.attempts,
    lastError: row.lastError,
    createdAt: row.createdAt === null ? null : fromDbTime(row.createdAt),
    digestId: row.digestId,
    alert: toStoredAlert(row),
  };
}

/** An alert's sent flag and its delivery rows by channel, or null when there is no such alert. */
export async function deliveryStatus(db: Db, alertId: number): Promise<DeliveryStatus | null> {
  return readTransaction(db, async (sql) => {
    const alert = await sql.get<SqlRow<Pick<DeliveryStatus, "alertId" | "sent" | "sentAt">>>(
      `SELECT alert_id AS "alertId", sent, sent_at AS "sentAt" FROM alert WHERE alert_id = ?`,
      alertId,
    );
    if (!alert) return null;
    const deliveries = await sql.all<SqlRow<DeliveryState>>(
      `SELECT delivery_id AS "deliveryId", channel, attempts, last_error AS "lastError",
              last_attempt_at AS "lastAttemptAt", next_attempt_at AS "nextAttemptAt", delivered_at AS "deliveredAt"
       FROM alert_delivery WHERE alert_id = ? ORDER BY channel`,
      alertId,
    );
    return {
      alertId: alert.alertId,
      sent: alert.sent === 1,
      sentAt: toDate(alert.sentAt),
      deliveries: deliveries.map((delivery) => ({
        deliveryId: delivery.deliveryId,
        channel: delivery.channel,
        attempts: delivery.attempts,
        lastError: delivery.lastError,
        lastAttemptAt: toDate(delivery.lastAttemptAt),
        nextAttemptAt: toDate(delivery.nextAttemptAt),
        deliveredAt: toDate(delivery.deliveredAt),
      })),
    };
  });
}

const toDate = (stored: DbTime | null) => (stored === null ? null : fromDbTime(stored));
