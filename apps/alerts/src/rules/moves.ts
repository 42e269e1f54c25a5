/**
 * How an interest moved between two win boards, judged so that a refund is not read as money.
 *
 * When a runner is scratched its money is refunded and every other runner's odds shorten though
 * nobody bet. So two boards are compared over their common field (the interests on both) only:
 * - shares: each interest's share of the common field, from pool amounts when both boards have
 *   them for the whole common field, else from the odds normalized over the common field (the same
 *   source on both boards);
 * - the decimal move, in percent: with the same field on both boards, on decimal odds (odds-to-1
 *   + 1, stake included: a tick 1-5 -> 2-5 is 1.2 -> 1.4, +16.7%, not +100%); when the field
 *   changed, on fair decimal odds over the common field (1 / share), sBefore / sNow - 1.
 */
import {
  interestsOf,
  poolAmountsOf,
  sharesOfAmounts,
  sharesOfOdds,
  type Interest,
  type ProbabilitySource,
} from "./interests.js";
import type { WinSnapshot } from "./types.js";

/** What a decimal move was measured on: board odds (same field) or shares (the field changed). */
export type MoveMeasure = "odds" | "share";

/** One interest on both boards. */
export interface InterestMove {
  key: string;
  before: Interest;
  now: Interest;
  /** Share of the common field, 0..1. */
  shareBefore: number;
  shareNow: number;
  /** The decimal move in percent (negative: shortened); null when a share of 0 leaves no price. */
  changePercent: number | null;
  amountBefore: number | null;
  amountNow: number | null;
}

export interface BoardComparison {
  /** Both boards list the same interests. */
  sameField: boolean;
  measure: MoveMeasure;
  /** Where the shares came from. */
  source: ProbabilitySource;
  /** Interests on both boards, in program order (shared: a comparison is made once per pair). */
  readonly moves: readonly InterestMove[];
}

function decimalOdds(oddsToOne: number): number {
  return oddsToOne + 1;
}

/** The decimal move between two prices: (dNow - dBefore) / dBefore * 100. */
export function decimalMovePercent(before: number, now: number): number {
  return ((decimalOdds(now) - decimalOdds(before)) / decimalOdds(before)) * 100;
}

/** The move in fair decimal odds (1 / share): (sBefore / sNow - 1) * 100; null for a share of 0. */
export function shareMovePercent(shareBefore: number, shareNow: number): number | null {
  return shareBefore > 0 && shareNow > 0 ? (shareBefore / shareNow - 1) * 100 : null;
}

/** Shares of the common field on both boards, from the same source. */
function commonShares(
  before: readonly Interest[],
  now: readonly Interest[],
): { source: ProbabilitySource; before: Map<string, number>; now: Map<string, number> } {
  const amountsBefore = poolAmountsOf(before);
  const amountsNow = poolAmountsOf(now);
  if (amountsBefore !== null && amountsNow !== null) {
    return {
      source: "pool",
      before: sharesOfAmounts(before, amountsBefore),
      now: sharesOfAmounts(now, amountsNow),
    };
  }
  return { source: "odds", before: sharesOfOdds(before), now: sharesOfOdds(now) };
}

/** Steam, drift and odds_change compare the same pairs of boards (values never changed): once each. */
const comparisons = new WeakMap<WinSnapshot, WeakMap<WinSnapshot, BoardComparison>>();

/** Every interest on both boards, with its shares of the common field and its decimal move. */
export function compareBoards(before: WinSnapshot, now: WinSnapshot): BoardComparison {
  let fromBefore = comparisons.get(before);
  if (fromBefore === undefined) {
    fromBefore = new WeakMap();
    comparisons.set(before, fromBefore);
  }
  let comparison = fromBefore.get(now);
  if (comparison === undefined) {
    comparison = compare(before, now);
    fromBefore.set(now, comparison);
  }
  return comparison;
}

function compare(before: WinSnapshot, now: WinSnapshot): BoardComparison {
  const interestsBefore = interestsOf(before);
  const interestsNow = interestsOf(now);
  const beforeByKey = new Map(interestsBefore.map((interest) => [interest.key, interest]));
  const nowKeys = new Set(interestsNow.map((interest) => interest.key));
  const commonNow = interestsNow.filter((interest) => beforeByKey.has(interest.key));
  const commonBefore = interestsBefore.filter((interest) => nowKeys.has(interest.key));
  const sameField =
    commonNow.length === interestsNow.length && commonBefore.length === interestsBefore.length;
  const measure: MoveMeasure = sameField ? "odds" : "share";
  const shares = commonShares(commonBefore, commonNow);

  const moves = commonNow.map((interestNow): InterestMove => {
    const interestBefore = beforeByKey.get(interestNow.key)!;
    const shareBefore = shares.before.get(interestNow.key)!;
    const shareNow = shares.now.get(interestNow.key)!;
    return {
      key: interestNow.key,
      before: interestBefore,
      now: interestNow,
      shareBefore,
      shareNow,
      changePercent: sameField
        ? decimalMovePercent(interestBefore.winOdds, interestNow.winOdds)
        : shareMovePercent(shareBefore, shareNow),
      amountBefore: interestBefore.poolAmount,
      amountNow: interestNow.poolAmount,
    };
  });
  return { sameField, measure, source: shares.source, moves };
}

/** Details every move-based alert records: the measure, and the share source when shares were used. */
export function moveDetails(comparison: BoardComparison): {
  measure: MoveMeasure;
  probabilitySource?: ProbabilitySource;
} {
  return comparison.measure === "share"
    ? { measure: "share", probabilitySource: comparison.source }
    : { measure: "odds" };
}
