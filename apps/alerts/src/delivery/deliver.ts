/**
 * Delivering stored alerts, at least once per channel, and exactly once to a
 * receiver that honours the idempotency key.
 *
 * Crash safety. An alert is stored (with its delivery rows) before any channel
 * is tried, and a channel's success is recorded only after the receiver
 * accepted it. So:
 * - dying before a send, or during one, leaves the row undelivered: the next
 *   pass (in this process or after a restart) sends it;
 * - dying after the receiver accepted but before recordDeliverySuccess
 *   committed also leaves it undelivered, and the retry sends it AGAIN - with
 *   the same Idempotency-Key (webhook) and Message-ID (email), both derived
 *   from the alert's dedupe key and nothing else. A receiver that deduplicates
 *   on them sees each alert once; that window is why the guarantee is
 *   "exactly once for receivers honouring the key" and not more (no protocol
 *   can make a remote side effect and a local commit atomic).
 * - channels of one alert are recorded separately, so one channel failing
 *   never re-sends another that already delivered.
 */
import type { Logger } from "@totewatch/config";
import {
  dueDeliveries,
  ensurePendingDeliveries,
  recordDeliveryFailure,
  recordDeliverySuccess,
  type Db,
  type DueDelivery,
} from "@totewatch/db";
import { toDeliverableAlert, type Channel } from "./types.js";

export interface DeliverySettings {
  /** Attempts per alert and channel before giving up. */
  maxAttempts: number;
  /** First retry after about this long (jittered), doubling per attempt... */
  backoffBaseMs: number;
  /** ...up to this. */
  backoffMaxMs: number;
}

export interface DeliverDueOptions {
  /** The pass's clock: which rows are due, and the times recorded. Default: the wall clock. */
  now?: Date;
  delivery: DeliverySettings;
  logger: Logger;
  /** Jitter source in [0, 1); default Math.random. */
  random?: () => number;
  /** Rows looked at per pass; default 100. */
  limit?: number;
  /**
   * Claim the rows of this pass for this long, so another process delivering
   * from the same file leaves them alone (see dueDeliveries). Default: no claim,
   * so a restart after a crash retries at once.
   */
  claimForMs?: number;
}

export interface DeliverDueResult {
  /** Channel deliveries the receiver accepted. */
  delivered: number;
  /** Failed attempts that will be retried. */
  failed: number;
  /** Failed attempts that used the last one: left unsent (`alerts list --unsent`). */
  gaveUp: number;
  /** Due deliveries a dry-run channel stood in for (nothing sent, nothing recorded). */
  dryRun: number;
}

/**
 * Exponential backoff with jitter: min(max, base * 2^attemptsBefore) scaled
 * by 0.5..1, so receivers recovering from an outage are not hit by every
 * retry at the same instant.
 */
export function retryDelayMs(
  attemptsBefore: number,
  settings: DeliverySettings,
  random: () => number,
): number {
  const ceiling = Math.min(settings.backoffMaxMs, settings.backoffBaseMs * 2 ** attemptsBefore);
  return Math.round(ceiling * (0.5 + 0.5 * random()));
}

/**
 * Sends every due delivery of these channels once: stored alerts without
 * delivery rows get them first, then each channel works through its own rows
 * oldest first (channels run side by side, so a slow SMTP server does not hold
 * up the webhook). Success and failure are recorded per alert and channel.
 */
export async function deliverDue(
  db: Db,
  channels: readonly Channel[],
  options: DeliverDueOptions,
): Promise<DeliverDueResult> {
  const result: DeliverDueResult = { delivered: 0, failed: 0, gaveUp: 0, dryRun: 0 };
  const byName = new Map(channels.map((channel) => [channel.name, channel]));
  if (byName.size === 0) return result;
  const names = [...byName.keys()];
  const now = options.now ?? new Date();
  const random = options.random ?? Math.random;
  const { logger, delivery } = options;
  const anyDryRun = channels.some((channel) => channel.dryRun);

  // An alert stored by a process that died before creating its delivery rows.
  await ensurePendingDeliveries(db, names);
  const due = await dueDeliveries(db, {
    channels: names,
    now,
    maxAttempts: delivery.maxAttempts,
    limit: options.limit,
    // A dry run writes nothing about deliveries, claims included.
    claimForMs: anyDryRun ? undefined : options.claimForMs,
  });

  const queues = new Map<string, DueDelivery[]>();
  for (const row of due) queues.set(row.channel, [...(queues.get(row.channel) ?? []), row]);

  const deliverOne = async (channel: Channel, row: DueDelivery): Promise<void> => {
    const alert = toDeliverableAlert(row.alert);
    const context = { channel: channel.name, alert: alert.dedupeKey, alertId: alert.alertId };
    try {
      await channel.send(alert);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const attempt = row.attempts + 1;
      const gaveUp = attempt >= delivery.maxAttempts;
      const at = options.now ?? new Date();
      const nextAttemptAt = gaveUp
        ? null
        : new Date(now.getTime() + retryDelayMs(row.attempts, delivery, random));
      await recordDeliveryFailure(db, row.deliveryId, { at, error: message, nextAttemptAt });
      if (gaveUp) {
        result.gaveUp += 1;
        logger.error(
          { ...context, attempt, error: message },
          `alert delivery gave up after ${attempt} attempts; the alert stays unsent (alerts list --unsent)`,
        );
      } else {
        result.failed += 1;
        logger.warn(
          { ...context, attempt, nextAttemptAt: nextAttemptAt?.toISOString(), error: message },
          "alert delivery failed; will retry",
        );
      }
      return;
    }
    if (channel.dryRun) {
      result.dryRun += 1;
      return;
    }
    // If we die right here the receiver has it and we do not know: the retry re-sends with the same key.
    const { alertSent } = await recordDeliverySuccess(db, row.deliveryId, options.now ?? new Date());
    result.delivered += 1;
    logger.debug({ ...context, attempt: row.attempts + 1, alertSent }, "alert delivered");
  };

  const outcomes = await Promise.allSettled(
    [...queues].map(async ([name, rows]) => {
      const channel = byName.get(name as Channel["name"]);
      if (!channel) return;
      for (const row of rows) await deliverOne(channel, row);
    }),
  );
  // Only the database can fail here (channel errors are recorded): surface it after every channel finished.
  const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
  if (failure) throw failure.reason;
  return result;
}
