/**
 * What a delivery channel is. A channel is handed a StoredAlert, the one read
 * shape of an alert (@totewatch/db): the same value a listing or the backtest
 * shows, so there is no delivery-only copy of an alert to keep in step.
 */
import type { ChannelOnly } from "@totewatch/config";
import type { StoredAlert } from "@totewatch/db";

export type ChannelName = "console" | "webhook" | "email" | "telegram" | "discord" | "slack" | "ntfy";

export interface Channel {
  name: ChannelName;
  /** Resolves when the receiver accepted the alert; rejects with a readable error otherwise (see ChannelSendError). */
  send(alert: StoredAlert): Promise<void>;
  /** A dry-run stand-in: it only logs, and its "deliveries" are not recorded. */
  readonly dryRun?: boolean;
  /**
   * The longest one send can take before it fails (its own timeouts); a
   * delivery claim outlasts it (claimDurationMs). Unstated: a conservative default.
   */
  readonly sendTimeoutMs?: number;
  /**
   * Which alerts this channel takes (the config's `only:`); unset: every
   * alert. deliverDue creates and sends delivery rows only for alerts it takes.
   */
  readonly only?: ChannelOnly;
  /**
   * The config's `digestMinutes`: when set (>= 1) and the channel has
   * sendDigest, deliverDue batches its alerts into digests (see deliver.ts).
   */
  readonly digestMinutes?: number;
  /**
   * Sends several alerts as ONE message (a digest); resolves when the
   * receiver accepted it. deliverDue hands it at most one message's worth
   * (digestParts).
   */
  sendDigest?(alerts: StoredAlert[]): Promise<void>;
  /**
   * Splits a digest into the messages the service takes (its length limits),
   * oldest first, every alert in exactly one part. Unset: one message.
   */
  digestParts?(alerts: StoredAlert[]): StoredAlert[][];
}

/**
 * Greedy split of `alerts` into the parts one message takes: each part's
 * alerts' `sizeOf` (each alert's share of the message, its separator
 * included) adds up to at most `budget`, and it holds at most `maxCount`
 * alerts. An alert too big alone is a part of its own (the renderer
 * truncates it). Order kept, every alert in exactly one part.
 */
export function splitDigest(
  alerts: readonly StoredAlert[],
  sizeOf: (alert: StoredAlert) => number,
  budget: number,
  maxCount = Infinity,
): StoredAlert[][] {
  const parts: StoredAlert[][] = [];
  let current: StoredAlert[] = [];
  let used = 0;
  for (const alert of alerts) {
    const size = sizeOf(alert);
    if (current.length > 0 && (used + size > budget || current.length >= maxCount)) {
      parts.push(current);
      current = [];
      used = 0;
    }
    current.push(alert);
    used += size;
  }
  if (current.length > 0) parts.push(current);
  return parts;
}

/**
 * A failed send that says when the receiver will take more: an HTTP 429 (or
 * 503) with Retry-After or a `retry_after` in its body. deliverDue waits at
 * least `retryAfterMs` before the next attempt of this delivery, holds the
 * channel's other rows back as long, and sends that channel nothing more in
 * the same pass. `status` is the HTTP status the receiver answered, when it
 * answered: a 429 ("not now", isRateLimited) uses no attempt.
 */
export class ChannelSendError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    readonly status?: number,
  ) {
    super(message);
    this.name = "ChannelSendError";
  }
}

/** True when the receiver answered 429 Too Many Requests: it did not refuse the alert, only not now. */
export function isRateLimited(error: unknown): boolean {
  return error instanceof ChannelSendError && error.status === 429;
}

/** The wait a failed send asked for, if it asked for one. */
export function retryAfterMsOf(error: unknown): number | undefined {
  if (!(error instanceof ChannelSendError)) return undefined;
  const { retryAfterMs } = error;
  return retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0
    ? retryAfterMs
    : undefined;
}
