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
}

/**
 * A failed send that says when the receiver will take more: an HTTP 429 (or
 * 503) with Retry-After or a `retry_after` in its body. deliverDue waits at
 * least `retryAfterMs` before the next attempt of this delivery, holds the
 * channel's other rows back as long, and sends that channel nothing more in
 * the same pass.
 */
export class ChannelSendError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "ChannelSendError";
  }
}

/** The wait a failed send asked for, if it asked for one. */
export function retryAfterMsOf(error: unknown): number | undefined {
  if (!(error instanceof ChannelSendError)) return undefined;
  const { retryAfterMs } = error;
  return retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0
    ? retryAfterMs
    : undefined;
}
