/**
 * Per alert and channel delivery bookkeeping (`alert_delivery`): which
 * channel still owes which alert, how often it was tried, the last error, and
 * when to try again.
 *
 * Invariants:
 * - `alert.sent` turns true in the same transaction as the last channel's
 *   success (recordDeliverySuccess, its only writer), so "sent" never
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

/** Unsent alerts without a delivery row for one of the channels in `?` (a JSON array). */
export const MISSING_SQL = `
  FROM alert a JOIN json_each(?) c
  WHERE a.sent = 0
    AND NOT EXISTS (SELECT 1 FROM alert_delivery d WHERE d.alert_id = a.alert_id AND d.channel = c.value)`;

/**
 * Creates the missing delivery rows for every unsent alert (a channel
 * enabled after the alert was stored). Looks first and writes only when
 * something is missing (no write lock taken on the common, nothing-to-do
 * path). Returns how many rows were created.
 */
export async function ensurePendingDeliveries(db: Db, channels: readonly string[]): Promise<number> {
  validateChannels(channels, "ensurePendingDeliveries");
  if (channels.length === 0) return 0;
  const channelsJson = JSON.stringify([...new Set(channels)]);
  const anyMissing = await readRaw(db, (sql) =>
    statement(sql, `SELECT 1 ${MISSING_SQL} LIMIT 1`).get(channelsJson),
  );
  if (!anyMissing) return 0;
  return writeTransaction(db, (sql) => {
    const missing = statement(sql, `SELECT a.alert_id, c.value AS channel ${MISSING_SQL}`).all(
      channelsJson,
    ) as Array<{ alert_id: number; channel: string }>;
    const at = toDbTime(new Date());
    return missing.reduce(
      (created, row) => created + insertDeliveryRows(sql, row.alert_id, [row.channel], at),
      0,
    );
  });
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
  if (!Number.isInteger(options.forMs) || options.forMs < 1) {
    throw new InvalidInputError(`claimDelivery: forMs must be a whole number >= 1, got ${options.forMs}`);
  }
  const nowText = toDbTime(options.now);
  const until = toDbTime(options.now.getTime() + options.forMs);
  return writeTransaction(
    db,
    (sql) =>
      statement(
        sql,
        `UPDATE alert_delivery SET next_attempt_at = ?
         WHERE delivery_id = ? AND delivered_at IS NULL AND attempts = ?
           AND (next_attempt_at IS NULL OR next_attempt_at <= ?)`,
      ).run(until, deliveryId, options.attempts, nowText).changes === 1,
  );
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
  return writeTransaction(db, (sql) => {
    const row = statement(sql, `SELECT alert_id, delivered_at FROM alert_delivery WHERE delivery_id = ?`).get(
      deliveryId,
    ) as { alert_id: number; delivered_at: DbTime | null } | undefined;
    if (!row) throw new InvalidInputError(`recordDeliverySuccess: no delivery with id ${deliveryId}`);
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
  });
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
