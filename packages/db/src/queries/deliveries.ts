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
import { fromDbTime, toDbTime, type DbTime } from "../time.js";

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
 * Holds one channel until `until` (a receiver answered 429 "retry after"):
 * its hold (channel_hold) is raised to `until` (a longer hold already there is
 * kept), so no deliverer on the file finds a due row of it or claims one
 * before then, rows stored during the hold included; and every undelivered row
 * due earlier gets next_attempt_at = `until` (a later one keeps its own), so
 * what the dashboard and `alerts list` show as the next try is true. No
 * attempt is counted: the rows were not tried. Rows given up on
 * (`maxAttempts` used) are left as they are. Returns how many rows were held
 * back.
 */
export async function deferChannelDeliveries(
  db: Db,
  channel: string,
  options: { until: Date; maxAttempts: number },
): Promise<number> {
  validateChannels([channel], "deferChannelDeliveries");
  const untilText = toDbTime(options.until);
  return writeTransaction(db, (sql) => {
    statement(
      sql,
      `INSERT INTO channel_hold (channel, held_until) VALUES (?, ?)
       ON CONFLICT (channel) DO UPDATE SET held_until = max(held_until, excluded.held_until)`,
    ).run(channel, untilText);
    return statement(
      sql,
      `UPDATE alert_delivery SET next_attempt_at = ?
       WHERE channel = ? AND delivered_at IS NULL AND attempts < ?
         AND (next_attempt_at IS NULL OR next_attempt_at < ?)`,
    ).run(untilText, channel, options.maxAttempts, untilText).changes;
  });
}

/** When `channel`'s hold ends (deferChannelDeliveries), or null when it was never held. */
export async function channelHeldUntil(db: Db, channel: string): Promise<Date | null> {
  const row = await readRaw(
    db,
    (sql) =>
      statement(sql, `SELECT held_until FROM channel_hold WHERE channel = ?`).get(channel) as
        { held_until: DbTime } | undefined,
  );
  return row ? fromDbTime(row.held_until) : null;
}

/**
 * Marks rows as one digest message before it is first sent: the rows of
 * `deliveryIds` not yet in a digest (and undelivered) get digest_id = the
 * smallest delivery id among them. A row already in a digest keeps its own.
 * A retry then finds the rows grouped (DueDelivery.digestId) and sends the
 * same alerts as one message again, under the same idempotency key. Returns
 * the new digest's id, or null when every row already was in one.
 */
export async function markDigest(db: Db, deliveryIds: readonly number[]): Promise<number | null> {
  if (deliveryIds.length === 0) throw new InvalidInputError("markDigest: no delivery ids");
  return writeTransaction(db, (sql) => {
    const free = statement(
      sql,
      `SELECT 1 FROM alert_delivery WHERE delivery_id = ? AND digest_id IS NULL AND delivered_at IS NULL`,
    );
    const unmarked = deliveryIds.filter((id) => free.get(id) !== undefined);
    if (unmarked.length === 0) return null;
    const digestId = Math.min(...unmarked);
    const mark = statement(sql, `UPDATE alert_delivery SET digest_id = ? WHERE delivery_id = ?`);
    for (const id of unmarked) mark.run(digestId, id);
    return digestId;
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
         AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
         AND NOT EXISTS (SELECT 1 FROM channel_hold h
                         WHERE h.channel = alert_delivery.channel AND h.held_until > ?)`,
    );
    return rows
      .filter((row) => claim.run(until, row.deliveryId, row.attempts, nowText, nowText).changes === 1)
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
  return writeTransaction(db, (sql) => {
    const row = statement(
      sql,
      `UPDATE alert_delivery
       SET attempts = attempts + ?, last_error = ?, last_attempt_at = ?, next_attempt_at = ?
       WHERE delivery_id = ? AND delivered_at IS NULL
       RETURNING attempts`,
    ).get(
      failure.counted === false ? 0 : 1,
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
