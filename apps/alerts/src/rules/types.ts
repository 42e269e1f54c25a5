/**
 * Shapes the alert rules read and produce. Rules are pure: snapshots and the
 * race come in as values, time comes in as the snapshots' fetchedAt.
 */

import type { RuleSettings } from "@totewatch/config";
import type { AlertRace } from "@totewatch/db";
import type { BoardOddsFormat } from "@totewatch/tote";

export type { RuleSettings };

/**
 * A betting interest every member of which is scratched on the card. `knownAt`: when that became
 * known (the card or board that said so was observed; the latest member's), null when never
 * timed (a card at the top of a replayed file), which counts as known from the start.
 */
export interface ScratchedInterest {
  /** The interest ("1" for 1, 1A, 1X). */
  interest: string;
  knownAt: Date | null;
}

/**
 * The race being evaluated: the shape a stored alert names its race by, plus what race day
 * knows about it. `offAt`: when the race went off (the gates opened, betting closed), null while
 * it is not known to be off; a post drag keeps the pre-race rules running past post time until
 * then. `scratches`: the interests scratched on the card, with when each became known.
 * `boardOdds`: how the track's board quotes win odds (the config's tracks[].oddsFormat and
 * dividendUnit), which the messages write odds in; absent, odds-to-1. The odds themselves are
 * odds-to-1 whatever the board (the feed converts them).
 */
export type RaceContext = AlertRace & {
  offAt: Date | null;
  scratches: readonly ScratchedInterest[];
  boardOdds?: BoardOddsFormat;
};

/**
 * One runner's win odds in one snapshot (scratched runners are not listed). A coupled entry
 * (1, 1A) may be listed as each member, with the entry's odds and pool amount repeated on each,
 * or once; the rules group runners into betting interests (interests.ts).
 */
export interface RunnerOdds {
  entryId: number;
  programNumber: string;
  horse: string;
  /** Morning line, odds-to-1. */
  morningLine: number | null;
  fetchedAt: Date;
  /** Win odds, odds-to-1 (5-2 is 2.5). */
  winOdds: number;
  /** Money bet to win on the runner's interest (an entry's amount, repeated on each member). */
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
  | "exacta_underlay"
  | "drift"
  | "scratch"
  | "late_change";

export interface AlertDetails {
  /** Odds-to-1 (or payout) the comparison started from. */
  before?: number;
  /** Odds-to-1 (or payout) now. */
  after?: number;
  /** Minutes to post at triggeredAt (negative after post); null when post time is unknown. */
  minutesToPost?: number | null;
  /** Fair $2 exacta payout, for the cross-pool rules. */
  fair?: number;
  /** A decimal tote's board (absent for odds-to-1): how channels write before/after, as the message does. */
  oddsFormat?: "decimal";
  dividendUnit?: number;
  /** The track's currency (ISO 4217) when not dollars: how channels write payouts, as the message does. */
  currency?: string;
  [key: string]: unknown;
}

/** What a rule found; the caller decides (suppression) whether it becomes a stored alert. */
export interface AlertCandidate {
  type: AlertType;
  raceId: number;
  /** The runner the alert is about (a coupled entry's lead member); null for exacta combinations. */
  entryId: number | null;
  /** Betting interest ("3"; "1" for the entry 1/1A) or interest combination ("1-2"). */
  subject: string;
  /** The fetchedAt of the snapshot that triggered it (never the wall clock). */
  triggeredAt: Date;
  /**
   * What names the event in the dedupe key when it is not the triggering snapshot: "race" for an
   * event a race has once per subject (a late change: whichever post-off board shows it, and
   * even if the stored off time is later corrected; a scratch, even if a lagging board relists
   * the runner for a while).
   */
  occasion?: "race";
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
