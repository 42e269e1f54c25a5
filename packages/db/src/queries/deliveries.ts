/**
 * Per alert and channel delivery bookkeeping (`alert_delivery`): which
 * channel still owes which alert, how often it was tried, the last error, and
 * when to try again.
 *
 * Invariants:
 * - `alert.sent` turns true in the same transaction as the last channel's
 *   success (recordDeliverySuccess / recordDeliveriesSuccess, through one
 *   shared statement set), so "sent" never
 *   disagrees with the delivery rows.
 * - insertDeliveryRows is the only statement that creates delivery rows: for
 *   a new alert (the evaluation writer's storeAlert, in the alert's own
 *   transaction) and for an unsent alert missing a channel enabled later
 *   (ensurePendingDeliveries). A sent alert never gets new rows, so enabling
 *   a channel does not re-deliver history.
 *
 * Reads (the rows due now, an alert's status) are in due-deliveries.ts.
 */
import type { Db } from "../client.js";
import { InvalidInputError } from "../errors.js";
import { readRaw, statement, writeTransaction, type Connection } from "../sql.js";
import { toDbTime, type DbTime } from "../time.js";

/** A stored error text is capped: a receiver's HTML error page is not worth keeping whole. */
const MAX_ERROR_LENGTH = 1000;

/**
 * Creates an alert's delivery rows, one per channel (a repeated name or an
 * existing row is skipped), inside the caller's write transaction. Returns
 * how many were new.
 */
export function insertDeliveryRows(
  sql: Connection,
  alertId: number,
  channels: readonly string[],
  at: DbTime,
): number {
  const insert = statement(
    sql,
    `INSERT INTO alert_delivery (alert_id, channel, created_at) VALUES (?, ?, ?)
     ON CONFLICT (alert_id, channel) DO NOTHING`,
  );
  let created = 0;
  for (const channel of new Set(channels)) created += insert.run(alertId, channel, at).changes;
  return created;
}

/**
 * Which alerts one channel takes (its `only:` in the config). An absent (or null) field takes every
 * alert: `types` by alert type, `tracks` by the name of the alert's race's track (an alert naming no
 * race matches no track list), `minStrength` by details.strength (an alert without one does not
 * reach a minimum). A bare channel name is a route that takes every alert.
 */
export interface DeliveryRoute {
  channel: string;
  types?: readonly string[] | null;
  tracks?: readonly string[] | null;
  minStrength?: number | null;
}

export type ChannelRoute = string | DeliveryRoute;

/** The routes as the JSON array the SQL below reads (`?`), one per channel (the first wins). */
export function routesJson(channels: readonly ChannelRoute[], where: string): string {
  const routes = new Map<string, Required<DeliveryRoute>>();
  for (const entry of channels) {
    const route = typeof entry === "string" ? { channel: entry } : entry;
    validateChannels([route.channel], where);
    if (route.minStrength != null && !Number.isFinite(route.minStrength)) {
      throw new InvalidInputError(`${where}: minStrength must be a number, got ${route.minStrength}`);
    }
    if (routes.has(route.channel)) continue;
    routes.set(route.channel, {
      channel: route.channel,
      types: route.types ?? null,
      tracks: route.tracks ?? null,
      minStrength: route.minStrength ?? null,
    });
  }
  return JSON.stringify([...routes.values()]);
}

/**
 * True when alert `a` is one the route `route` (a JSON object of routesJson) takes. The JS twin is
 * routeTakes (tested to agree).
 */
export const routeMatchSql = (route: string) => `(
    (json_extract(${route}, '$.types') IS NULL
      OR a.alert_type IN (SELECT value FROM json_each(${route}, '$.types')))
    AND (json_extract(${route}, '$.tracks') IS NULL
      OR EXISTS (SELECT 1 FROM race rr JOIN track tt ON tt.track_id = rr.track_id
                 WHERE rr.race_id = a.race_id
                   AND tt.name IN (SELECT value FROM json_each(${route}, '$.tracks'))))
    AND (json_extract(${route}, '$.minStrength') IS NULL
      OR json_extract(CASE WHEN json_valid(a.details) THEN a.details END, '$.strength')
         >= json_extract(${route}, '$.minStrength')))`;

/** What routeMatchSql decides, for an alert in hand (a dry run's would-be alert). */
export function routeTakes(
  route: ChannelRoute,
  alert: { alertType: string; details: Record<string, unknown> | null; race: { track: string } | null },
): boolean {
  if (typeof route === "string") return true;
  if (route.types != null && !route.types.includes(alert.alertType)) return false;
  if (route.tracks != null && (alert.race === null || !route.tracks.includes(alert.race.track))) return false;
  if (route.minStrength != null) {
    const strength = alert.details?.strength;
    if (typeof strength !== "number" || !(strength >= route.minStrength)) return false;
  }
  return true;
}

/**
 * Unsent alerts without a delivery row for one of the routes in `?` (routesJson) that takes them;
 * `c.value` is the route.
 */
export const MISSING_SQL = `
  FROM alert a JOIN json_each(?) c
  WHERE a.sent = 0
    AND NOT EXISTS (SELECT 1 FROM alert_delivery d
                    WHERE d.alert_id = a.alert_id AND d.channel = json_extract(c.value, '$.channel'))
    AND ${routeMatchSql("c.value")}`;

/**
 * Creates the missing delivery rows for every unsent alert (a channel
 * enabled after the alert was stored), only where the channel's route takes
 * the alert. Looks first and writes only when something is missing (no write
 * lock taken on the common, nothing-to-do path). Returns how many rows were
 * created.
 */
export async function ensurePendingDeliveries(
  db: Db,
  channels: readonly ChannelRoute[],
  /** The rows' created_at (a digest's window starts there); default the wall clock. */
  now: Date = new Date(),
): Promise<number> {
  const json = routesJson(channels, "ensurePendingDeliveries");
  if (channels.length === 0) return 0;
  const anyMissing = await readRaw(db, (sql) => statement(sql, `SELECT 1 ${MISSING_SQL} LIMIT 1`).get(json));
  if (!anyMissing) return 0;
  return writeTransaction(db, (sql) => {
    const missing = statement(
      sql,
      `SELECT a.alert_id, json_extract(c.value, '$.channel') AS channel ${MISSING_SQL}`,
    ).all(json) as Array<{ alert_id: number; channel: string }>;
    const at = toDbTime(now);
    return missing.reduce(
      (created, row) => created + insertDeliveryRows(sql, row.alert_id, [row.channel], at),
      0,
    );
  });
}

/** Undelivered rows of the routes' channels (`?`) whose route does not take their alert. */
const UNROUTED_SQL = `
  FROM alert_delivery d
  JOIN alert a ON a.alert_id = d.alert_id
  JOIN json_each(?) c ON json_extract(c.value, '$.channel') = d.channel
  WHERE d.delivered_at IS NULL AND NOT ${routeMatchSql("c.value")}`;

export interface DroppedDeliveries {
  /** Undelivered rows removed: their channel's route no longer takes the alert. */
  dropped: number;
  /** Alerts that became sent by it (every row left was delivered). */
  sent: number;
  /**
   * Alerts this left with no delivery row at all (no channel's route takes them): they stay unsent,
   * and are reported here once (the call that drops their last row).
   */
  unrouted: Array<{ alertId: number; alertType: string }>;
}

/**
 * Removes the undelivered rows a channel owes for alerts its route does not
 * take (rows stored with the alert for every enabled channel, or before the
 * route was set), so no row waits forever for a channel that will never send
 * it. An alert left with rows that are all delivered becomes sent, at its
 * last delivery's time, in the same transaction (as recordDeliverySuccess
 * would have made it); one left with no rows at all stays unsent. Delivered
 * rows are history and are kept. Looks first; writes only when there is
 * something to remove.
 */
export async function dropUnroutedDeliveries(
  db: Db,
  channels: readonly ChannelRoute[],
): Promise<DroppedDeliveries> {
  const json = routesJson(channels, "dropUnroutedDeliveries");
  if (channels.length === 0) return { dropped: 0, sent: 0, unrouted: [] };
  const any = await readRaw(db, (sql) => statement(sql, `SELECT 1 ${UNROUTED_SQL} LIMIT 1`).get(json));
  if (!any) return { dropped: 0, sent: 0, unrouted: [] };
  return writeTransaction(db, (sql) => {
    const rows = statement(sql, `SELECT d.delivery_id, d.alert_id ${UNROUTED_SQL}`).all(json) as Array<{
      delivery_id: number;
      alert_id: number;
    }>;
    const remove = statement(
      sql,
      `DELETE FROM alert_delivery WHERE delivery_id = ? AND delivered_at IS NULL`,
    );
    let dropped = 0;
    for (const row of rows) dropped += remove.run(row.delivery_id).changes;
    const markSent = statement(
      sql,
      `UPDATE alert SET sent = 1,
         sent_at = (SELECT max(delivered_at) FROM alert_delivery WHERE alert_id = alert.alert_id)
       WHERE alert_id = ? AND sent = 0
         AND EXISTS (SELECT 1 FROM alert_delivery WHERE alert_id = alert.alert_id)
         AND NOT EXISTS (SELECT 1 FROM alert_delivery WHERE alert_id = alert.alert_id AND delivered_at IS NULL)`,
    );
    const rowless = statement(
      sql,
      `SELECT alert_id AS alertId, alert_type AS alertType FROM alert
       WHERE alert_id = ? AND sent = 0 AND NOT EXISTS (SELECT 1 FROM alert_delivery WHERE alert_id = alert.alert_id)`,
    );
    let sent = 0;
    const unrouted: DroppedDeliveries["unrouted"] = [];
    for (const alertId of new Set(rows.map((row) => row.alert_id))) {
      sent += markSent.run(alertId).changes;
      const left = rowless.get(alertId) as { alertId: number; alertType: string } | undefined;
      if (left) unrouted.push(left);
    }
    return { dropped, sent, unrouted };
  });
}

/**
 * Holds back every undelivered row of one channel until `until` (a receiver
 * answered 429 "retry after"): a row due earlier gets next_attempt_at =
 * `until`, a later one keeps its own. No attempt is counted: the rows were not
 * tried. Rows given up on (`maxAttempts` used) are left as they are. Every
 * deliverer on the file then leaves the channel alone until then. Returns how
 * many rows were held back.
 */
export async function deferChannelDeliveries(
  db: Db,
  channel: string,
  options: { until: Date; maxAttempts: number },
): Promise<number> {
  validateChannels([channel], "deferChannelDeliveries");
  const untilText = toDbTime(options.until);
  return writeTransaction(
    db,
    (sql) =>
      statement(
        sql,
        `UPDATE alert_delivery SET next_attempt_at = ?
         WHERE channel = ? AND delivered_at IS NULL AND attempts < ?
           AND (next_attempt_at IS NULL OR next_attempt_at < ?)`,
      ).run(untilText, channel, options.maxAttempts, untilText).changes,
  );
}

export interface ClaimDeliveryOptions {
  /** The claimer's clock: the row must be due at this instant. */
  now: Date;
  /** The claim lasts this long from `now`: longer than one send can take. */
  forMs: number;
  /** The attempts the caller read with the row: a row tried meanwhile (by another process) is not claimed. */
  attempts: number;
}

/**
 * Claims one due delivery just before it is sent (compare-and-set in one
 * write transaction): next_attempt_at = now + forMs, only while the row is
 * undelivered, due at `now` and still at `attempts`. Returns whether this
 * caller got it; false means another deliverer holds it (or already tried or
 * delivered it), so the caller must not send. A claimer that dies mid-send
 * only delays the row until the claim expires; then it is due again and
 * re-sent under the same idempotency key.
 */
export async function claimDelivery(
  db: Db,
  deliveryId: number,
  options: ClaimDeliveryOptions,
): Promise<boolean> {
  const claimed = await claimRows(db, "claimDelivery", [{ deliveryId, attempts: options.attempts }], options);
  return claimed.length === 1;
}

/**
 * Claims several due deliveries at once (a digest: one message for many
 * rows), in ONE write transaction, with claimDelivery's compare-and-set per
 * row: each is claimed only while undelivered, due at `now` and still at the
 * attempts the caller read with it. Returns the delivery ids this caller got
 * (in the order given); the caller sends only those. Two deliverers racing
 * for the same digest cannot split it: the first transaction takes every row
 * still free, the second finds them held.
 */
export async function claimDeliveries(
  db: Db,
  rows: ReadonlyArray<{ deliveryId: number; attempts: number }>,
  options: Omit<ClaimDeliveryOptions, "attempts">,
): Promise<number[]> {
  return claimRows(db, "claimDeliveries", rows, options);
}

/** The compare-and-set both claims make, for `rows` in one write transaction; `fn` names the caller in errors. */
async function claimRows(
  db: Db,
  fn: string,
  rows: ReadonlyArray<{ deliveryId: number; attempts: number }>,
  options: Omit<ClaimDeliveryOptions, "attempts">,
): Promise<number[]> {
  if (!Number.isInteger(options.forMs) || options.forMs < 1) {
    throw new InvalidInputError(`${fn}: forMs must be a whole number >= 1, got ${options.forMs}`);
  }
  if (rows.length === 0) return [];
  const nowText = toDbTime(options.now);
  const until = toDbTime(options.now.getTime() + options.forMs);
  return writeTransaction(db, (sql) => {
    const claim = statement(
      sql,
      `UPDATE alert_delivery SET next_attempt_at = ?
       WHERE delivery_id = ? AND delivered_at IS NULL AND attempts = ?
         AND (next_attempt_at IS NULL OR next_attempt_at <= ?)`,
    );
    return rows
      .filter((row) => claim.run(until, row.deliveryId, row.attempts, nowText).changes === 1)
      .map((row) => row.deliveryId);
  });
}

export interface DeliverySuccess {
  /** This call marked the row delivered; false: it already was (another deliverer recorded it first). */
  recorded: boolean;
  /** Every channel of the alert has delivered (alert.sent). */
  alertSent: boolean;
}

/**
 * Records that a channel delivered: delivered_at, one more attempt, no next
 * attempt; when that was the alert's last undelivered channel, also
 * `alert.sent`/`sent_at` - all in one transaction. Recording an already
 * delivered row again changes nothing (`recorded: false`).
 */
export async function recordDeliverySuccess(db: Db, deliveryId: number, at: Date): Promise<DeliverySuccess> {
  const atText = toDbTime(at);
  return writeTransaction(db, (sql) => recordSuccessIn(sql, deliveryId, atText, "recordDeliverySuccess"));
}

/**
 * Records several deliveries at once (one digest message for many rows), as
 * recordDeliverySuccess records each, but in ONE transaction: a crash leaves
 * all of them undelivered or none. Returns each row's outcome, in the order
 * given. An unknown id fails the whole call (nothing is recorded).
 */
export async function recordDeliveriesSuccess(
  db: Db,
  deliveryIds: readonly number[],
  at: Date,
): Promise<DeliverySuccess[]> {
  if (deliveryIds.length === 0) return [];
  const atText = toDbTime(at);
  return writeTransaction(db, (sql) =>
    deliveryIds.map((deliveryId) => recordSuccessIn(sql, deliveryId, atText, "recordDeliveriesSuccess")),
  );
}

/** One row's success (and its alert's sent flag), inside the caller's write transaction. */
function recordSuccessIn(
  sql: Connection,
  deliveryId: number,
  atText: DbTime,
  where: string,
): DeliverySuccess {
  const row = statement(sql, `SELECT alert_id, delivered_at FROM alert_delivery WHERE delivery_id = ?`).get(
    deliveryId,
  ) as { alert_id: number; delivered_at: DbTime | null } | undefined;
  if (!row) throw new InvalidInputError(`${where}: no delivery with id ${deliveryId}`);
  const recorded =
    statement(
      sql,
      `UPDATE alert_delivery
       SET delivered_at = ?, attempts = attempts + 1, last_attempt_at = ?, next_attempt_at = NULL
       WHERE delivery_id = ? AND delivered_at IS NULL`,
    ).run(atText, atText, deliveryId).changes === 1;
  const pending = statement(
    sql,
    `SELECT count(*) AS n FROM alert_delivery WHERE alert_id = ? AND delivered_at IS NULL`,
  ).get(row.alert_id) as { n: number };
  if (pending.n > 0) return { recorded, alertSent: false };
  statement(sql, `UPDATE alert SET sent = 1, sent_at = ? WHERE alert_id = ? AND sent = 0`).run(
    atText,
    row.alert_id,
  );
  return { recorded, alertSent: true };
}

/**
 * Records a failed attempt: one more attempt, the error, and when to try
 * again (null: not again). Returns the attempts made so far.
 */
export async function recordDeliveryFailure(
  db: Db,
  deliveryId: number,
  failure: { at: Date; error: string; nextAttemptAt: Date | null },
): Promise<{ attempts: number }> {
  const error =
    failure.error.length > MAX_ERROR_LENGTH ? `${failure.error.slice(0, MAX_ERROR_LENGTH)}…` : failure.error;
  return writeTransaction(db, (sql) => {
    const row = statement(
      sql,
      `UPDATE alert_delivery
       SET attempts = attempts + 1, last_error = ?, last_attempt_at = ?, next_attempt_at = ?
       WHERE delivery_id = ? AND delivered_at IS NULL
       RETURNING attempts`,
    ).get(
      error,
      toDbTime(failure.at),
      failure.nextAttemptAt === null ? null : toDbTime(failure.nextAttemptAt),
      deliveryId,
    ) as { attempts: number } | undefined;
    if (row) return { attempts: row.attempts };
    const existing = statement(sql, `SELECT attempts FROM alert_delivery WHERE delivery_id = ?`).get(
      deliveryId,
    ) as { attempts: number } | undefined;
    if (!existing) throw new InvalidInputError(`recordDeliveryFailure: no delivery with id ${deliveryId}`);
    // Already delivered (by another process): a late failure report must not undo that.
    return { attempts: existing.attempts };
  });
}

/** Channel names are non-empty text; `where` names the caller in the error. */
export function validateChannels(channels: readonly string[], where: string): void {
  for (const channel of channels) {
    if (typeof channel !== "string" || channel.trim() === "") {
      throw new InvalidInputError(
        `${where}: channel names must be non-empty strings, got ${JSON.stringify(channel)}`,
      );
    }
  }
}
