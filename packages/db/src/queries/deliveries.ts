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
import { writeTransaction, type Sql } from "../sql.js";
import { toDbTime, type DbTime } from "../time.js";

/** A stored error text is capped: a receiver's HTML error page is not worth keeping whole. */
const MAX_ERROR_LENGTH = 1000;

/**
 * Creates an alert's delivery rows, one per channel (a repeated name or an
 * existing row is skipped), inside the caller's write transaction. Returns
 * how many were new.
 */
export async function insertDeliveryRows(
  sql: Sql,
  alertId: number,
  channels: readonly string[],
  at: DbTime,
): Promise<number> {
  return sql.runEach(
    `INSERT INTO alert_delivery (alert_id, channel, created_at) VALUES (?, ?, ?)
     ON CONFLICT (alert_id, channel) DO NOTHING`,
    [...new Set(channels)].map((channel) => [alertId, channel, at]),
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
  return writeTransaction(db, async (sql) => {
    const outcomes: DeliverySuccess[] = [];
    for (const deliveryId of deliveryIds) {
      outcomes.push(await recordSuccessIn(sql, deliveryId, atText, "recordDeliveriesSuccess"));
    }
    return outcomes;
  });
}

/** One row's success (and its alert's sent flag), inside the caller's write transaction. */
async function recordSuccessIn(
  sql: Sql,
  deliveryId: number,
  atText: DbTime,
  where: string,
): Promise<DeliverySuccess> {
  const row = await sql.get<{ alert_id: number; delivered_at: DbTime | null }>(
    `SELECT alert_id, delivered_at FROM alert_delivery WHERE delivery_id = ?`,
    deliveryId,
  );
  if (!row) throw new InvalidInputError(`${where}: no delivery with id ${deliveryId}`);
  const recorded =
    (await sql.run(
      `UPDATE alert_delivery
       SET delivered_at = ?, attempts = attempts + 1, last_attempt_at = ?, next_attempt_at = NULL
       WHERE delivery_id = ? AND delivered_at IS NULL`,
      atText,
      atText,
      deliveryId,
    )) === 1;
  const pending = (await sql.get<{ n: number }>(
    `SELECT count(*) AS n FROM alert_delivery WHERE alert_id = ? AND delivered_at IS NULL`,
    row.alert_id,
  ))!;
  if (pending.n > 0) return { recorded, alertSent: false };
  await sql.run(
    `UPDATE alert SET sent = TRUE, sent_at = ? WHERE alert_id = ? AND sent = FALSE`,
    atText,
    row.alert_id,
  );
  return { recorded, alertSent: true };
}

/**
 * Records a failed attempt: one more attempt, the error, and when to try
 * again (null: not again). With `counted: false` (the receiver said "retry
 * after": the alert was not refused, only not taken yet) the error and time
 * are recorded but the attempt is not counted toward maxAttempts. Returns the
 * attempts made so far.
 */
export async function recordDeliveryFailure(
  db: Db,
  deliveryId: number,
  failure: { at: Date; error: string; nextAttemptAt: Date | null; counted?: boolean },
): Promise<{ attempts: number }> {
  const error =
    failure.error.length > MAX_ERROR_LENGTH ? `${failure.error.slice(0, MAX_ERROR_LENGTH)}…` : failure.error;
  return writeTransaction(db, async (sql) => {
    const row = await sql.get<{ attempts: number }>(
      `UPDATE alert_delivery
       SET attempts = attempts + ?, last_error = ?, last_attempt_at = ?, next_attempt_at = ?
       WHERE delivery_id = ? AND delivered_at IS NULL
       RETURNING attempts`,
      failure.counted === false ? 0 : 1,
      error,
      toDbTime(failure.at),
      failure.nextAttemptAt === null ? null : toDbTime(failure.nextAttemptAt),
      deliveryId,
    );
    if (row) return { attempts: row.attempts };
    const existing = await sql.get<{ attempts: number }>(
      `SELECT attempts FROM alert_delivery WHERE delivery_id = ?`,
      deliveryId,
    );
    if (!existing) throw new InvalidInputError(`recordDeliveryFailure: no delivery with id ${deliveryId}`);
    // Already delivered (by another process): a late failure report must not undo that.
    return { attempts: existing.attempts };
  });
}

/**
 * Records one failed send of several rows (a digest message) in ONE transaction,
 * as one unit: every row gets the error, the time, the next attempt, and the
 * same attempt count, the most any of them had plus one (plus none when not
 * `counted`), so the rows are retried, and given up on, together, and a crash
 * never leaves half of them recorded. Rows already delivered are left alone.
 * Returns the attempts the rows now have.
 */
export async function recordDeliveriesFailure(
  db: Db,
  deliveryIds: readonly number[],
  failure: { at: Date; error: string; nextAttemptAt: Date | null; counted?: boolean },
): Promise<{ attempts: number }> {
  if (deliveryIds.length === 0) throw new InvalidInputError("recordDeliveriesFailure: no delivery ids");
  const error =
    failure.error.length > MAX_ERROR_LENGTH ? `${failure.error.slice(0, MAX_ERROR_LENGTH)}…` : failure.error;
  return writeTransaction(db, async (sql) => {
    let most = 0;
    for (const id of deliveryIds) {
      const row = await sql.get<{ attempts: number }>(
        `SELECT attempts FROM alert_delivery WHERE delivery_id = ?`,
        id,
      );
      if (!row) throw new InvalidInputError(`recordDeliveriesFailure: no delivery with id ${id}`);
      most = Math.max(most, row.attempts);
    }
    const attempts = most + (failure.counted === false ? 0 : 1);
    const next = failure.nextAttemptAt === null ? null : toDbTime(failure.nextAttemptAt);
    await sql.runEach(
      `UPDATE alert_delivery SET attempts = ?, last_error = ?, last_attempt_at = ?, next_attempt_at = ?
       WHERE delivery_id = ? AND delivered_at IS NULL`,
      deliveryIds.map((id) => [attempts, error, toDbTime(failure.at), next, id]),
    );
    return { attempts };
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
