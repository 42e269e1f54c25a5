/**
 * Who may send a delivery row now: claims (a compare-and-set on
 * next_attempt_at and attempts, so two deliverers on one file never both send
 * a row), a channel's hold after a receiver's "retry after" (channel_hold), and
 * a digest's marking (digest_id: the rows of one message stay one message).
 *
 * Invariants:
 * - A row is claimed only while undelivered, due, at the attempts the claimer
 *   read, and its channel not held; a claim ends by itself (forMs), so a
 *   claimer that died only delays the row.
 * - A digest's rows are marked in the transaction that claims them
 *   (claimDeliveries digest "new"), so a retry finds exactly the rows sent.
 */
import type { Db } from "../client.js";
import { InvalidInputError } from "../errors.js";
import { readRaw, rowLockedTransaction, writeTransaction, type Sql } from "../sql.js";
import { fromDbTime, toDbTime, type DbTime } from "../time.js";
import { validateChannels } from "./deliveries.js";

/**
 * The longest a channel hold is believed (a day): a longer one was written by a deliverer whose
 * clock ran ahead, and is ignored where holds are read and replaced when the channel is next held.
 */
export const MAX_CHANNEL_HOLD_MS = 24 * 60 * 60 * 1000;

/** `h` (a channel_hold row) holds its channel at instant `?` (and is believable: MAX_CHANNEL_HOLD_MS). */
export const HOLD_ACTIVE_SQL = `h.held_until > ? AND h.held_until <= CAST(? AS BIGINT) + ${MAX_CHANNEL_HOLD_MS}`;

/**
 * Holds one channel until `until` (a receiver answered 429 "retry after"):
 * its hold (channel_hold) is raised to `until` (a longer hold already there is
 * kept), so no deliverer on the file finds a due row of it or claims one
 * before then, rows stored during the hold included; and every undelivered row
 * due earlier gets next_attempt_at = `until` (a later one keeps its own), so
 * what the dashboard and `alerts list` show as the next try is true. No
 * attempt is counted: the rows were not tried. Rows given up on
 * (`maxAttempts` used) are left as they are. A hold more than a day past
 * `until` (a clock gone wrong, MAX_CHANNEL_HOLD_MS) is replaced, not kept.
 * Returns how many rows were held back.
 */
export async function deferChannelDeliveries(
  db: Db,
  channel: string,
  options: { until: Date; maxAttempts: number },
): Promise<number> {
  validateChannels([channel], "deferChannelDeliveries");
  const untilText = toDbTime(options.until);
  return writeTransaction(db, async (sql) => {
    await sql.run(
      sql.dialect === "postgres" ? HOLD_CHANNEL_SQL.postgres : HOLD_CHANNEL_SQL.sqlite,
      channel,
      untilText,
    );
    return sql.run(
      `UPDATE alert_delivery SET next_attempt_at = ?
       WHERE channel = ? AND delivered_at IS NULL AND attempts < ?
         AND (next_attempt_at IS NULL OR next_attempt_at < ?)`,
      untilText,
      channel,
      options.maxAttempts,
      untilText,
    );
  });
}

// Raises a channel's hold (deferChannelDeliveries); two-argument max is SQLite's, greatest PostgreSQL's.
const holdChannelSql = (
  larger: "max" | "greatest",
) => `INSERT INTO channel_hold (channel, held_until) VALUES (?, ?)
       ON CONFLICT (channel) DO UPDATE SET held_until = CASE
         WHEN channel_hold.held_until > excluded.held_until + ${MAX_CHANNEL_HOLD_MS} THEN excluded.held_until
         ELSE ${larger}(channel_hold.held_until, excluded.held_until) END`;
const HOLD_CHANNEL_SQL = { sqlite: holdChannelSql("max"), postgres: holdChannelSql("greatest") };

/** When `channel`'s hold ends (deferChannelDeliveries), or null when it was never held. */
export async function channelHeldUntil(db: Db, channel: string): Promise<Date | null> {
  const row = await readRaw(db, (sql) =>
    sql.get<{ held_until: DbTime }>(`SELECT held_until FROM channel_hold WHERE channel = ?`, channel),
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
  return writeTransaction(db, (sql) => markDigestIn(sql, deliveryIds));
}

/** markDigest inside the caller's write transaction. */
async function markDigestIn(sql: Sql, deliveryIds: readonly number[]): Promise<number | null> {
  const unmarked: number[] = [];
  for (const id of deliveryIds) {
    const free = await sql.get(
      `SELECT 1 FROM alert_delivery WHERE delivery_id = ? AND digest_id IS NULL AND delivered_at IS NULL`,
      id,
    );
    if (free !== undefined) unmarked.push(id);
  }
  if (unmarked.length === 0) return null;
  const digestId = Math.min(...unmarked);
  await sql.runEach(
    `UPDATE alert_delivery SET digest_id = ? WHERE delivery_id = ?`,
    unmarked.map((id) => [digestId, id]),
  );
  return digestId;
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
 * transaction that takes no writers' lock, SKIP_LOCKED_ROW): next_attempt_at = now + forMs, only while the row is
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

// One row's claim decides everything in its UPDATE, so it needs no writers' lock (rowLocked): on
// PostgreSQL it never queues behind ingest, and a row another deliverer is claiming right now
// (locked) is passed over at once instead of waited for (FOR UPDATE SKIP LOCKED).
const SKIP_LOCKED_ROW = `AND delivery_id IN (SELECT d.delivery_id FROM alert_delivery d
                                  WHERE d.delivery_id = ? FOR UPDATE SKIP LOCKED)`;

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
  options: Omit<ClaimDeliveryOptions, "attempts"> & {
    /**
     * A digest message: "new" claims only rows in no digest yet and marks the ones claimed as one
     * (markDigest's rule: the smallest id claimed), in the same transaction; a number claims only
     * rows of that digest (its retry). Default: rows as they are.
     */
    digest?: "new" | number;
  },
): Promise<number[]> {
  return claimRows(db, "claimDeliveries", rows, options);
}

/** The compare-and-set both claims make, for `rows` in one transaction; `fn` names the caller in errors. */
async function claimRows(
  db: Db,
  fn: string,
  rows: ReadonlyArray<{ deliveryId: number; attempts: number }>,
  options: Omit<ClaimDeliveryOptions, "attempts"> & { digest?: "new" | number },
): Promise<number[]> {
  if (!Number.isInteger(options.forMs) || options.forMs < 1) {
    throw new InvalidInputError(`${fn}: forMs must be a whole number >= 1, got ${options.forMs}`);
  }
  if (rows.length === 0) return [];
  const nowText = toDbTime(options.now);
  const until = toDbTime(options.now.getTime() + options.forMs);
  const { digest } = options;
  const inDigest =
    digest === undefined ? "" : digest === "new" ? "AND digest_id IS NULL" : "AND digest_id = ?";
  // A digest's rows are claimed under the writers' lock, all in one transaction, so two deliverers
  // racing for one digest cannot split it; a lone row needs only its own lock.
  const single = rows.length === 1 && digest === undefined;
  const transaction = single ? rowLockedTransaction : writeTransaction;
  return transaction(db, async (sql) => {
    const skipLocked = single && sql.dialect === "postgres" ? SKIP_LOCKED_ROW : "";
    const claim = `UPDATE alert_delivery SET next_attempt_at = ?
       WHERE delivery_id = ? AND delivered_at IS NULL AND attempts = ? ${inDigest}
         AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
         AND NOT EXISTS (SELECT 1 FROM channel_hold h
                         WHERE h.channel = alert_delivery.channel AND ${HOLD_ACTIVE_SQL}) ${skipLocked}`;
    const claimed: number[] = [];
    for (const row of rows) {
      const changed = await sql.run(
        claim,
        until,
        row.deliveryId,
        row.attempts,
        ...(typeof digest === "number" ? [digest] : []),
        nowText,
        nowText,
        nowText,
        ...(skipLocked ? [row.deliveryId] : []),
      );
      if (changed === 1) claimed.push(row.deliveryId);
    }
    if (digest === "new" && claimed.length > 0) await markDigestIn(sql, claimed);
    return claimed;
  });
}

/**
 * How many rows of digest `digestId` are still owed (undelivered, with attempts left): a retry
 * sends the digest only when all of them are due together, never a part of it under a new key.
 */
export async function digestSize(db: Db, digestId: number, maxAttempts: number): Promise<number> {
  return readRaw(db, async (sql) => {
    const row = await sql.get<{ n: number }>(
      `SELECT count(*) AS n FROM alert_delivery
       WHERE digest_id = ? AND delivered_at IS NULL AND attempts < ?`,
      digestId,
      maxAttempts,
    );
    return row!.n;
  });
}
