/** What a delivery channel gets and what it is. */
import type { DeliveryAlert } from "@totewatch/db";

/** The facts a rule recorded with the alert, with the common ones typed. */
export interface DeliverableDetails {
  /** Odds-to-1 (or $2 payout, for exacta alerts) the comparison started from. */
  before?: number;
  /** Odds-to-1 (or $2 payout) when the alert fired. */
  after?: number;
  /** Minutes to post when the alert fired (negative after post); null when post time is unknown. */
  minutesToPost?: number | null;
  [key: string]: unknown;
}

/** One stored alert, as every channel renders it. */
export interface DeliverableAlert {
  alertId: number;
  /** The alert's identity; channels derive their idempotency keys from it. */
  dedupeKey: string;
  alertType: string;
  triggeredAt: Date;
  /** The rule's one-line text. */
  message: string;
  /** Null for an alert not tied to a race. */
  track: string | null;
  /** IANA zone of the track (UTC when unknown). */
  timezone: string;
  /** The track's local calendar date, "YYYY-MM-DD". */
  raceDate: string | null;
  raceNumber: number | null;
  postTime: Date | null;
  /** Program number ("3") or exacta combination ("1-2"). */
  subject: string | null;
  /** Horse name of the runner the alert is about; null for exacta combinations. */
  horse: string | null;
  details: DeliverableDetails;
}

export type ChannelName = "console" | "webhook" | "email";

export interface Channel {
  name: ChannelName;
  /** Resolves when the receiver accepted the alert; rejects with a readable error otherwise. */
  send(alert: DeliverableAlert): Promise<void>;
  /** A dry-run stand-in: it only logs, and its "deliveries" are not recorded. */
  readonly dryRun?: boolean;
  /**
   * The longest one send can take before it fails (its own timeouts); a
   * delivery claim outlasts it (claimDurationMs). Unstated: a conservative default.
   */
  readonly sendTimeoutMs?: number;
}

/** The channel-facing shape of an alert read from the database. */
export function toDeliverableAlert(alert: DeliveryAlert): DeliverableAlert {
  return {
    alertId: alert.alertId,
    dedupeKey: alert.dedupeKey,
    alertType: alert.alertType,
    triggeredAt: alert.triggeredAt,
    message: alert.message,
    track: alert.race?.track ?? null,
    timezone: alert.race?.timezone ?? "UTC",
    raceDate: alert.race?.raceDate ?? null,
    raceNumber: alert.race?.raceNumber ?? null,
    postTime: alert.race?.postTime ?? null,
    subject: alert.subject ?? alert.runner?.programNumber ?? null,
    horse: alert.runner?.horse ?? null,
    details: normalizeDetails(alert.details),
  };
}

/** Details are JSON text written by rules: keep the known fields only when they are numbers. */
function normalizeDetails(details: Record<string, unknown> | null): DeliverableDetails {
  const normalized: DeliverableDetails = { ...details };
  for (const key of ["before", "after"] as const) {
    if (typeof normalized[key] !== "number" || !Number.isFinite(normalized[key])) delete normalized[key];
  }
  const minutes = normalized.minutesToPost;
  if (minutes !== null && (typeof minutes !== "number" || !Number.isFinite(minutes)))
    delete normalized.minutesToPost;
  return normalized;
}
