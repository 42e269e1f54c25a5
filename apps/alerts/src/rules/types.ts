/**
 * Shapes the alert rules read and produce. Rules are pure: snapshots and the
 * race come in as values, time comes in as the snapshots' fetchedAt.
 */

import type { RuleSettings } from "@totewatch/config";
import type { AlertRace } from "@totewatch/db";

export type { RuleSettings };

/** The race being evaluated, as the alert message needs it: the same shape a stored alert names its race by. */
export type RaceContext = AlertRace;

/** One runner's win odds in one snapshot (scratched runners are not listed). */
export interface RunnerOdds {
  entryId: number;
  programNumber: string;
  horse: string;
  /** Morning line, odds-to-1. */
  morningLine: number | null;
  fetchedAt: Date;
  /** Win odds, odds-to-1 (5-2 is 2.5). */
  winOdds: number;
  winPoolAmount: number | null;
  totalWinPool: number | null;
}

/** The win board of one race at one instant. */
export interface WinSnapshot {
  fetchedAt: Date;
  totalWinPool: number | null;
  runners: RunnerOdds[];
}

export interface ExactaProbable {
  /** Program number of the winner. */
  first: string;
  /** Program number of the runner-up. */
  second: string;
  /** Probable payout for a $2 ticket. */
  payout: number;
}

/** The exacta probables of one race at one instant. */
export interface ExactaSnapshot {
  fetchedAt: Date;
  totalExactaPool: number | null;
  probables: ExactaProbable[];
}

export type AlertType =
  | "odds_below"
  | "odds_above"
  | "odds_change"
  | "steam"
  | "overlay"
  | "exacta_low"
  | "exacta_high"
  | "exacta_overlay"
  | "exacta_underlay";

export interface AlertDetails {
  /** Odds-to-1 (or payout) the comparison started from. */
  before?: number;
  /** Odds-to-1 (or payout) now. */
  after?: number;
  /** Minutes to post at triggeredAt (negative after post); null when post time is unknown. */
  minutesToPost?: number | null;
  /** Fair $2 exacta payout, for the cross-pool rules. */
  fair?: number;
  [key: string]: unknown;
}

/** What a rule found; the caller decides (suppression) whether it becomes a stored alert. */
export interface AlertCandidate {
  type: AlertType;
  raceId: number;
  /** The runner the alert is about; null for exacta combinations. */
  entryId: number | null;
  /** Program number ("3") or exacta combination ("1-2"). */
  subject: string;
  /** The fetchedAt of the snapshot that triggered it (never the wall clock). */
  triggeredAt: Date;
  thresholdValue: number | null;
  actualValue: number;
  /** One readable line for a notification. */
  message: string;
  details: AlertDetails;
  /**
   * How far past its threshold, relative to the threshold (0 = exactly at it,
   * 1 = twice as far), so candidates of different rules can be ranked.
   */
  strength: number;
}
