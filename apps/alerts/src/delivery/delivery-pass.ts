/**
 * What one delivery pass (deliverDue, deliver.ts) shares with its parts: the
 * database, the clock, the settings, the running counts, the channels that
 * asked to wait; and how a failed send is recorded (recordSendFailure), the
 * one place that decides attempts, backoff, giving up and rate limits.
 *
 * Invariants:
 * - A send is recorded as one unit: a digest message's rows in one
 *   transaction with one attempt count and one next attempt
 *   (recordDeliveriesFailure), so they are retried, and given up on, together.
 * - Only a 429 ("not now") uses no attempt; any other failure, a 503 with
 *   Retry-After included, counts toward maxAttempts.
 * - A wait the receiver asked for is honoured (at most backoffMaxMs) and holds
 *   the whole channel for every deliverer on the file (deferChannelDeliveries).
 */
import { backoffDelayMs, type Logger } from "@totewatch/config";
import {
  deferChannelDeliveries,
  recordDeliveriesFailure,
  recordDeliveryFailure,
  type ChannelRoute,
  type Db,
  type DueDelivery,
} from "@totewatch/db";
import { isRateLimited, retryAfterMsOf, type Channel } from "./types.js";

export interface DeliverySettings {
  /** Attempts per alert and channel before giving up (a 429 uses none). */
  maxAttempts: number;
  /** First retry after about this long (jittered), doubling per attempt... */
  backoffBaseMs: number;
  /** ...up to this. */
  backoffMaxMs: number;
}

export interface DeliverDueResult {
  /** Channel deliveries the receiver accepted. */
  delivered: number;
  /** Failed attempts that will be retried (a 429's wait included). */
  failed: number;
  /** Failed attempts that used the last one: left unsent (`alerts list --unsent`). */
  gaveUp: number;
  /** Due deliveries a dry-run channel stood in for (nothing sent, nothing recorded), not shown by an earlier pass (dryRunShown). */
  dryRun: number;
  /** Due rows another deliverer had claimed or tried meanwhile: left to it, not sent. */
  skipped: number;
  /** Sent, but another deliverer had recorded the row delivered first (a claim outlived): not counted as delivered. */
  alreadyDelivered: number;
}

export interface PassContext {
  db: Db;
  /** The pass's clock, read at each use. */
  clock: () => Date;
  logger: Logger;
  delivery: DeliverySettings;
  random: () => number;
  /** Claim rows for this long before a send (several deliverers); undefined: no claims. */
  claimForMs: number | undefined;
  /** Rows read per page. */
  limit: number;
  result: DeliverDueResult;
  /** Channels that answered "retry after" in this pass: sent nothing more. */
  rateLimited: Set<string>;
  /** The first page of due rows of these routes (rows sent or backed off this pass are not due). */
  due(routes: ChannelRoute[]): Promise<DueDelivery[]>;
}

/** Records a failed send of `rows` (one message: a single alert, or a digest's rows) as one unit. */
export async function recordSendFailure(
  pass: PassContext,
  channel: Channel,
  rows: readonly DueDelivery[],
  error: unknown,
): Promise<void> {
  const { db, delivery, logger, result } = pass;
  const message = error instanceof Error ? error.message : String(error);
  const at = pass.clock();
  // A receiver that said how long to wait is not asked sooner (its wait wins over a shorter backoff).
  // At most backoffMaxMs (a service asking for longer is retried after that cap); a negative or
  // NaN wait is none: an absurd one must never make an Invalid Date that fails every pass.
  const askedMs = retryAfterMsOf(error);
  const retryAfterMs =
    askedMs === undefined || !(askedMs >= 0) ? undefined : Math.min(askedMs, delivery.backoffMaxMs);
  // A 429 did not refuse the alert: it uses no attempt, so a busy service never makes Totewatch
  // give an alert up (each retry is at most backoffMaxMs away).
  const counted = !isRateLimited(error);
  const mostAttempts = Math.max(...rows.map((row) => row.attempts));
  const delayMs = Math.max(backoffDelayMs(mostAttempts, delivery, pass.random), retryAfterMs ?? 0);
  const attempt = mostAttempts + (counted ? 1 : 0);
  const gaveUp = counted && attempt >= delivery.maxAttempts;
  const nextAttemptAt = gaveUp ? null : new Date(at.getTime() + delayMs);
  const failure = { at, error: message, nextAttemptAt, counted };
  if (rows.length === 1) await recordDeliveryFailure(db, rows[0]!.deliveryId, failure);
  else
    await recordDeliveriesFailure(
      db,
      rows.map((row) => row.deliveryId),
      failure,
    );
  for (const { alert } of rows) {
    const context = { channel: channel.name, alert: alert.dedupeKey, alertId: alert.alertId };
    if (gaveUp) {
      result.gaveUp += 1;
      logger.error(
        { ...context, attempt, error: message },
        `alert delivery gave up after ${attempt} attempts; the alert stays unsent (alerts list --unsent)`,
      );
    } else {
      result.failed += 1;
      logger.warn(
        { ...context, attempt, counted, nextAttemptAt: nextAttemptAt?.toISOString(), error: message },
        counted
          ? "alert delivery failed; will retry"
          : "alert delivery asked to wait (429, not counted as an attempt); will retry",
      );
    }
  }
  if (retryAfterMs !== undefined) {
    pass.rateLimited.add(channel.name);
    const until = new Date(at.getTime() + retryAfterMs);
    const held = await deferChannelDeliveries(db, channel.name, { until, maxAttempts: delivery.maxAttempts });
    logger.warn(
      { channel: channel.name, retryAfterMs, until: until.toISOString(), held },
      "channel rate-limited: nothing more is sent to it until then",
    );
  }
}
