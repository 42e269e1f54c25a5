/**
 * A digest channel's pass (`digestMinutes: N`): its due rows become messages
 * of many alerts each, page by page.
 *
 * Invariants:
 * - A message's rows are one unit from the first send on: claimed and marked
 *   as one digest in one transaction (claimDeliveries digest "new"; markDigest
 *   for a lone deliverer), recorded together on success
 *   (recordDeliveriesSuccess) and on failure (recordSendFailure). A retry
 *   sends exactly those alerts again, so the same digestKey (the webhook's
 *   Idempotency-Key, the email's Message-ID); alerts stored meanwhile wait for
 *   a digest of their own.
 * - Rows come grouped, digests sent before first (dueDeliveries), so a full
 *   page can cut only its last digest: that one is left for the next page.
 *   A digest is re-sent only whole (digestSize): never a part under a new key.
 * - New rows wait until the oldest of them is N minutes old (the row's
 *   created_at: when the alert was stored for delivery); once one new digest
 *   went out in a pass, the pages after it are the same backlog and go too.
 */
import {
  claimDeliveries,
  digestSize,
  markDigest,
  recordDeliveriesSuccess,
  type DueDelivery,
  type StoredAlert,
} from "@totewatch/db";
import { routeOf } from "./channels.js";
import { recordSendFailure, type PassContext } from "./delivery-pass.js";
import type { Channel } from "./types.js";

/** A digest channel's pages read in one pass at most. */
const MAX_DIGEST_ROUNDS = 50;

interface PageOutcome {
  /** A send failed (recorded): the channel is left for its backoff. */
  failed: boolean;
  /** New rows are younger than the window: nothing more this pass. */
  waiting: boolean;
  /** A new digest (not a retry) was sent. */
  freshSent: boolean;
}

/** Sends a digest channel's due rows, `firstPage` first, then page after page while a page is full. */
export async function deliverDigestChannel(
  pass: PassContext,
  channel: Channel,
  firstPage: DueDelivery[],
): Promise<void> {
  const digestMs = (channel.digestMinutes ?? 0) * 60_000;
  let page = firstPage;
  let freshSent = false;
  for (let round = 0; round < MAX_DIGEST_ROUNDS && page.length > 0; round++) {
    const outcome = await deliverDigestPage(pass, channel, page, digestMs, freshSent);
    freshSent ||= outcome.freshSent;
    if (outcome.failed || outcome.waiting || page.length < pass.limit) break;
    if (pass.rateLimited.has(channel.name)) break;
    page = await pass.due([routeOf(channel)]);
  }
}

async function deliverDigestPage(
  pass: PassContext,
  channel: Channel,
  rows: DueDelivery[],
  digestMs: number,
  windowPassed: boolean,
): Promise<PageOutcome> {
  const outcome: PageOutcome = { failed: false, waiting: false, freshSent: false };
  const retries = new Map<number, DueDelivery[]>();
  const fresh: DueDelivery[] = [];
  for (const row of rows) {
    if (row.digestId === null) fresh.push(row);
    else retries.set(row.digestId, [...(retries.get(row.digestId) ?? []), row]);
  }
  let groups = [...retries.values()];
  // A full page of retries only may have cut its last digest: that one waits for the next page.
  if (rows.length >= pass.limit && fresh.length === 0 && groups.length > 1) groups = groups.slice(0, -1);
  for (const [digestId, group] of groups.map((each) => [each[0]!.digestId!, each] as const)) {
    // Sent only whole: a digest some of whose rows are not due yet waits for them.
    if ((await digestSize(pass.db, digestId, pass.delivery.maxAttempts)) > group.length) {
      pass.logger.debug({ channel: channel.name, digestId }, "digest retry waits for all its rows to be due");
      continue;
    }
    if ((await sendDigestPart(pass, channel, group, digestId)) === "failed") outcome.failed = true;
  }
  if (fresh.length === 0) return outcome;
  // Measured from when each row was stored for delivery (alert_delivery.created_at), not from the
  // alert's triggered_at: a replayed day or a backlog after downtime is one digest, and a source
  // clock running ahead delays nothing.
  const oldest = Math.min(...fresh.map((row) => (row.createdAt ?? pass.clock()).getTime()));
  if (!windowPassed && pass.clock().getTime() - oldest < digestMs) {
    outcome.waiting = true;
    return outcome;
  }
  const rowOf = new Map<StoredAlert, DueDelivery>(fresh.map((row) => [row.alert, row]));
  const alerts = fresh.map((row) => row.alert);
  const parts = channel.digestParts ? channel.digestParts(alerts) : [alerts];
  for (const part of parts) {
    const partRows = part.map((alert) => rowOf.get(alert)).filter((row) => row !== undefined);
    const sent = await sendDigestPart(pass, channel, partRows, "new");
    if (sent === "failed") outcome.failed = true;
    if (sent === "sent") outcome.freshSent = true;
  }
  return outcome;
}

/**
 * One digest message: its rows claimed (only those claimed are sent) and, for a new digest,
 * marked as one in the same transaction; sent; recorded together.
 */
async function sendDigestPart(
  pass: PassContext,
  channel: Channel,
  rows: DueDelivery[],
  digest: "new" | number,
): Promise<"sent" | "failed" | "skipped"> {
  const { db, logger, result } = pass;
  if (pass.rateLimited.has(channel.name)) return "skipped";
  let partRows = rows;
  if (pass.claimForMs !== undefined) {
    const claimed = new Set(
      await claimDeliveries(db, partRows, { now: pass.clock(), forMs: pass.claimForMs, digest }),
    );
    const skipped = partRows.length - claimed.size;
    if (skipped > 0) {
      result.skipped += skipped;
      logger.debug({ channel: channel.name, skipped }, "digest rows claimed by another deliverer; skipped");
    }
    partRows = partRows.filter((row) => claimed.has(row.deliveryId));
    if (partRows.length === 0) return "skipped";
  } else if (digest === "new") {
    // A lone deliverer marks before the first send: a crash after the receiver took it re-sends
    // these same alerts as one message (same digestKey), not a bigger digest under a new key.
    await markDigest(
      db,
      partRows.map((row) => row.deliveryId),
    );
  }
  try {
    await channel.sendDigest!(partRows.map((row) => row.alert));
  } catch (error) {
    await recordSendFailure(pass, channel, partRows, error);
    return "failed";
  }
  // Every row of the message at the message's time, in one transaction: a crash leaves all of
  // them undelivered (the whole message is re-sent) or none.
  const recorded = await recordDeliveriesSuccess(
    db,
    partRows.map((row) => row.deliveryId),
    pass.clock(),
  );
  for (const each of recorded) {
    if (each.recorded) result.delivered += 1;
    else result.alreadyDelivered += 1;
  }
  logger.debug({ channel: channel.name, alerts: partRows.length }, "digest delivered");
  return "sent";
}
