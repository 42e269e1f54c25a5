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
 *
 * Several deliverers on one file (`alerts run --once` beside a running
 * `alerts run`). With `claimForMs`, each row is claimed (compare-and-set on
 * next_attempt_at) right before its send, so only one process sends it; a
 * claim outlasts the channel's own timeout, and one left by a process that
 * died mid-send expires and makes the row due again (the crash retry above).
 *
 * Routing. A channel with `only:` (Channel.only) gets delivery rows only for
 * the alerts it takes: missing rows are created only for those, rows stored
 * for it with an alert it does not take (the engine stores one per enabled
 * channel) are dropped, and an alert is sent once every channel that took it
 * delivered (@totewatch/db dropUnroutedDeliveries, ensurePendingDeliveries).
 *
 * Rate limits. A send that fails with a wait (ChannelSendError.retryAfterMs:
 * HTTP 429 or 503 with Retry-After or `retry_after`) is retried no sooner
 * than that wait (capped at backoffMaxMs), however short its backoff; a 429
 * uses no attempt (the receiver did not refuse the alert), a 503 does. The
 * whole channel is held as long (deferChannelDeliveries: a hold in the file,
 * so every deliverer leaves the channel alone, rows stored during the hold
 * included), and the pass sends that channel nothing more (delivery-pass.ts).
 *
 * Digests. A channel with `digestMinutes: N` (and sendDigest) sends its due
 * rows as messages of many alerts, read on their own page so rows waiting for
 * their window never crowd the other channels out of a pass; see
 * digest-delivery.ts for its rules (one unit per message from the first send
 * on, retried as the same message). A dry run shows each alert as it comes
 * (no batching).
 */
import type { Logger } from "@totewatch/config";
import {
  claimDelivery,
  dropUnroutedDeliveries,
  dueDeliveries,
  ensurePendingDeliveries,
  recordDeliverySuccess,
  type ChannelRoute,
  type Db,
  type DueDelivery,
} from "@totewatch/db";
import { routeOf } from "./channels.js";
import {
  recordSendFailure,
  type DeliverDueResult,
  type DeliverySettings,
  type PassContext,
} from "./delivery-pass.js";
import { deliverDigestChannel } from "./digest-delivery.js";
import type { Channel } from "./types.js";

export type { DeliverDueResult, DeliverySettings } from "./delivery-pass.js";

export interface DeliverDueOptions {
  /**
   * The pass's clock: which rows are due, claims, and the times recorded. A
   * function is read at each use (a long pass claims from the current time).
   * Default: the wall clock.
   */
  now?: Date | (() => Date);
  delivery: DeliverySettings;
  logger: Logger;
  /** Jitter source in [0, 1); default Math.random. */
  random?: () => number;
  /** Rows looked at per pass; default 100. */
  limit?: number;
  /**
   * Claim each row for this long right before sending it (claimDelivery), so
   * another process delivering from the same file skips it; see
   * claimDurationMs. Default: no claim (a single deliverer; a restart after a
   * crash retries at once).
   */
  claimForMs?: number;
  /**
   * Dry run: the (alert, channel) pairs already shown, kept by the caller from
   * pass to pass (the daemon's dry-run state). Rows in it are skipped, and the
   * ones this pass shows are added. Default: a pass of its own (shows every due row).
   */
  dryRunShown?: DryRunShown;
}

/**
 * What a dry run has shown, per alert (by dedupe key, so a stored alert and
 * the would-be alert it was shown as are one) and channel. A dry run records
 * nothing in the file, so the same due rows come round on every pass: this
 * is what keeps each one from being shown and counted again.
 */
export class DryRunShown {
  readonly #byChannel = new Map<string, Set<string>>();

  /** Marks the pair shown; false if it already was. */
  add(channel: string, dedupeKey: string): boolean {
    let keys = this.#byChannel.get(channel);
    if (!keys) this.#byChannel.set(channel, (keys = new Set()));
    if (keys.has(dedupeKey)) return false;
    keys.add(dedupeKey);
    return true;
  }
}

/** Added to the slowest channel's send timeout: the claim must also cover recording the outcome. */
export const CLAIM_MARGIN_MS = 5000;
/** Claim length when no channel states its send timeout. */
export const DEFAULT_CLAIM_MS = 60_000;

/**
 * How long to claim a row before sending it: the slowest channel's send
 * timeout plus a margin, so a claim never expires while its send may still
 * succeed. This is also how long a row held by a process that died mid-send
 * waits before another process retries it.
 */
export function claimDurationMs(channels: readonly Channel[]): number {
  if (channels.length === 0) return DEFAULT_CLAIM_MS;
  if (channels.some((channel) => channel.sendTimeoutMs === undefined)) return DEFAULT_CLAIM_MS;
  return Math.max(...channels.map((channel) => channel.sendTimeoutMs ?? 0)) + CLAIM_MARGIN_MS;
}

/**
 * Sends every due delivery of these channels once: stored alerts without
 * delivery rows get them first, then each channel works through its own rows
 * oldest first (channels run side by side, so a slow SMTP server does not hold
 * up the webhook). Success and failure are recorded per alert and channel.
 *
 * Dry-run channels (all of them, as createChannels builds them for --dry-run)
 * make the pass read-only: no delivery rows created, nothing claimed or
 * recorded, and every due row not in `dryRunShown` is shown (paged, not only
 * the first `limit`) and added to it.
 */
export async function deliverDue(
  db: Db,
  channels: readonly Channel[],
  options: DeliverDueOptions,
): Promise<DeliverDueResult> {
  const result: DeliverDueResult = {
    delivered: 0,
    failed: 0,
    gaveUp: 0,
    dryRun: 0,
    skipped: 0,
    alreadyDelivered: 0,
  };
  const byName = new Map(channels.map((channel) => [channel.name, channel]));
  if (byName.size === 0) return result;
  // Each channel's name with its `only:` (a name alone takes every alert).
  const routes = [...byName.values()].map(routeOf);
  const clock =
    typeof options.now === "function" ? options.now : () => (options.now as Date | undefined) ?? new Date();
  const now = clock();
  const random = options.random ?? Math.random;
  const { logger, delivery } = options;
  const dryRun = channels.some((channel) => channel.dryRun);
  if (dryRun && !channels.every((channel) => channel.dryRun)) {
    // A real channel would record its deliveries: not a dry run, and not a real one either.
    throw new Error("deliverDue: dry-run and real channels cannot be mixed in one pass");
  }
  const limit = options.limit ?? 100;
  const due = async (offset: number, channelRoutes = routes) =>
    dueDeliveries(db, {
      channels: channelRoutes,
      now,
      maxAttempts: delivery.maxAttempts,
      limit,
      offset,
      // A dry run creates no rows: it reads the ones a real pass would create as well.
      withMissing: dryRun,
    });

  if (dryRun) {
    // Read-only: nothing moves rows out of the due set, so page through it; the caller's
    // dryRunShown (not the file) says which of them earlier passes showed.
    const shown = options.dryRunShown ?? new DryRunShown();
    for (let offset = 0; ; offset += limit) {
      const page = await due(offset);
      for (const row of page) {
        const channel = byName.get(row.channel as Channel["name"]);
        if (!channel || !shown.add(row.channel, row.alert.dedupeKey)) continue;
        await channel.send(row.alert);
        result.dryRun += 1;
      }
      if (page.length < limit) return result;
    }
  }

  // Rows owed to a channel whose `only:` does not take the alert: dropped (the alert may become sent).
  const { unrouted } = await dropUnroutedDeliveries(db, routes);
  // Said once per alert: the pass that drops its last row (later passes find no row to drop).
  for (const { alertId, alertType } of unrouted) {
    logger.info(
      { alertId, alertType },
      `alert ${alertId} (${alertType}) goes to no channel: every channel's only: leaves it out`,
    );
  }
  // An alert stored by a process that died before creating its delivery rows (routed the same way).
  // Created at the pass's clock: a digest's window starts when its row was stored.
  await ensurePendingDeliveries(db, routes, now);
  const queues = new Map<string, DueDelivery[]>();
  /** Channels that answered "retry after" in this pass: sent nothing more. */
  const rateLimited = new Set<string>();
  const pass: PassContext = {
    db,
    clock,
    logger,
    delivery,
    random,
    claimForMs: options.claimForMs,
    limit,
    result,
    rateLimited,
    due: (channelRoutes: ChannelRoute[]) => due(0, channelRoutes),
  };
  // A digest channel's rows are read on their own (up to `limit` of them): rows waiting for their
  // window must not fill the page and hold back the immediate channels' newer rows.
  const isDigest = (channel: Channel) =>
    (channel.digestMinutes ?? 0) >= 1 && channel.sendDigest !== undefined;
  const immediate = [...byName.values()].filter((channel) => !isDigest(channel)).map(routeOf);
  const groups = [
    ...(immediate.length > 0 ? [immediate] : []),
    ...[...byName.values()].filter(isDigest).map((channel) => [routeOf(channel)]),
  ];
  for (const group of groups) {
    for (const row of await due(0, group)) queues.set(row.channel, [...(queues.get(row.channel) ?? []), row]);
  }

  const deliverOne = async (channel: Channel, row: DueDelivery): Promise<void> => {
    const { alert } = row;
    const context = { channel: channel.name, alert: alert.dedupeKey, alertId: alert.alertId };
    if (options.claimForMs !== undefined) {
      const claimed = await claimDelivery(db, row.deliveryId, {
        now: clock(),
        forMs: options.claimForMs,
        attempts: row.attempts,
      });
      if (!claimed) {
        result.skipped += 1;
        logger.debug(context, "alert delivery claimed by another deliverer; skipped");
        return;
      }
    }
    try {
      await channel.send(alert);
    } catch (error) {
      await recordSendFailure(pass, channel, [row], error);
      return;
    }
    // If we die right here the receiver has it and we do not know: the retry re-sends with the same key.
    const { recorded, alertSent } = await recordDeliverySuccess(db, row.deliveryId, clock());
    if (recorded) {
      result.delivered += 1;
      logger.debug({ ...context, attempt: row.attempts + 1, alertSent }, "alert delivered");
    } else {
      result.alreadyDelivered += 1;
      logger.warn(
        context,
        "alert sent again after another deliverer had delivered it (same idempotency key)",
      );
    }
  };

  const outcomes = await Promise.allSettled(
    [...queues].map(async ([name, rows]) => {
      const channel = byName.get(name as Channel["name"]);
      if (!channel) return;
      if (isDigest(channel)) {
        await deliverDigestChannel(pass, channel, rows);
        return;
      }
      for (const row of rows) {
        if (rateLimited.has(name)) break;
        await deliverOne(channel, row);
      }
    }),
  );
  // Only the database can fail here (channel errors are recorded): surface it after every channel finished.
  const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
  if (failure) throw failure.reason;
  return result;
}
