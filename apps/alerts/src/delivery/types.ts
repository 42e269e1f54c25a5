/**
 * What a delivery channel is. A channel is handed a StoredAlert, the one read
 * shape of an alert (@totewatch/db): the same value a listing or the backtest
 * shows, so there is no delivery-only copy of an alert to keep in step.
 */
import type { StoredAlert } from "@totewatch/db";

export type ChannelName = "console" | "webhook" | "email";

export interface Channel {
  name: ChannelName;
  /** Resolves when the receiver accepted the alert; rejects with a readable error otherwise. */
  send(alert: StoredAlert): Promise<void>;
  /** A dry-run stand-in: it only logs, and its "deliveries" are not recorded. */
  readonly dryRun?: boolean;
  /**
   * The longest one send can take before it fails (its own timeouts); a
   * delivery claim outlasts it (claimDurationMs). Unstated: a conservative default.
   */
  readonly sendTimeoutMs?: number;
}
