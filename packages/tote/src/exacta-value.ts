/**
 * Exacta value across pools: the win board implies a probability for every exacta (Harville on
 * the betting interests' win probabilities: pool shares when every interest has an amount, else
 * the normalized odds), hence a fair payout after the exacta takeout; a probable paying more
 * than fair is an overlay, less an underlay. The alerts' cross-pool rule and a heat map of the
 * whole grid price from the same pieces here, so they never disagree.
 *
 * Probables are read as interest combinations: "1A-2" is the combination "1-2" (a coupled entry
 * is one runner in the exacta), a grid listing both "1-2" and "1A-2" counts the first listed,
 * "1-1A" (one interest twice) is no exacta, and a payout of 0 or less is no money on it.
 */
import {
  interestKeyOf,
  interestsOfRunners,
  winProbabilities,
  type InterestRunner,
  type ProbabilitySource,
} from "./interests.js";
import { DEFAULT_EXACTA_TAKEOUT, fairExactaPayout, harvilleExactaProbability } from "./pools.js";

/** One probable of an exacta grid: program numbers of the winner and runner-up, and the $2 payout. */
export interface ExactaProbableLike {
  first: string;
  second: string;
  /** Probable payout for a $2 ticket. */
  payout: number;
}

/** "1-2" from two interest keys; null when both sides are one interest. */
function combinationOfKeys(first: string, second: string): string | null {
  return first === second ? null : `${first}-${second}`;
}

/** The interest combination two program numbers bet ("1A", "2" -> "1-2"); null for "1", "1A". */
export function interestCombinationOf(probable: Pick<ExactaProbableLike, "first" | "second">): string | null {
  return combinationOfKeys(interestKeyOf(probable.first), interestKeyOf(probable.second));
}

/**
 * Each interest combination once, keyed "1-2", with the first probable listed for it, in the
 * order the grid lists them; one-interest pairs dropped, and so are payouts of 0 or less (no
 * money on the combination, whatever wrote the row).
 */
export function probablesByCombination<P extends ExactaProbableLike>(
  probables: readonly P[],
): Map<string, P> {
  const seen = new Map<string, P>();
  for (const probable of probables) {
    if (!(probable.payout > 0)) continue;
    const combination = interestCombinationOf(probable);
    if (combination !== null && !seen.has(combination)) seen.set(combination, probable);
  }
  return seen;
}

/** An exacta's Harville probability and its fair $2 payout. */
export interface FairExacta {
  probability: number;
  fair: number;
}

/**
 * The Harville probability of first-over-second from the two interests' win probabilities, and
 * the $2 payout that prices it exactly after `takeout`. Null when the first is at probability 1
 * (or 0) or the second at 0: no finite fair price to compare with.
 */
export function fairExactaOf(
  pFirst: number,
  pSecond: number,
  takeout: number = DEFAULT_EXACTA_TAKEOUT,
): FairExacta | null {
  if (pFirst >= 1 || pFirst <= 0 || pSecond <= 0) return null;
  const probability = harvilleExactaProbability(pFirst, pSecond);
  return { probability, fair: fairExactaPayout(probability, takeout, 2) };
}

/** How far a payout is above fair, in percent of fair: (payout - fair) / fair * 100 (negative: below). */
export function percentOverFair(payout: number, fair: number): number {
  return ((payout - fair) / fair) * 100;
}

/** One interest of an exacta value grid. */
export interface ExactaValueInterest {
  /** The interest ("1" for 1, 1A and 1X). */
  key: string;
  /** "#1 Speedy Sam", "#1/1A Speedy Sam & Coupled Mate". */
  label: string;
  /** Win probability (see ExactaValueGrid.source); the interests' sum to 1. */
  probability: number;
}

/** One ordered pair of different interests. */
export interface ExactaValueCell {
  /** Interest keys of the winner and the runner-up. */
  first: string;
  second: string;
  /** The $2 probable for the combination; null when the grid has none (or none above 0). */
  payout: number | null;
  /** Fair $2 payout (Harville, after takeout); null when either win probability leaves none (0 or 1). */
  fair: number | null;
  /** (payout - fair) / fair * 100: above 0 an overlay, below an underlay; null without both. */
  percent: number | null;
}

export interface ExactaValueGrid {
  /** Where the win probabilities came from: every interest's pool amount, else the board odds. */
  source: ProbabilitySource;
  /** The board's interests in program order. */
  interests: ExactaValueInterest[];
  /** One cell per ordered pair of different interests, row by row in program order (1-2, 1-3, ..., 2-1, ...). */
  cells: ExactaValueCell[];
}

/**
 * Every exacta of a win board against its probable, priced as the cross-pool alert prices it:
 * interests (a coupled entry once), their win probabilities, Harville and the fair payout after
 * `takeout` (default DEFAULT_EXACTA_TAKEOUT). Probables read as interest combinations (see the
 * top of this file); those naming an interest not on the board are left out.
 */
export function exactaValueGrid(
  runners: readonly InterestRunner[],
  probables: readonly ExactaProbableLike[],
  options: { takeout?: number } = {},
): ExactaValueGrid {
  const takeout = options.takeout ?? DEFAULT_EXACTA_TAKEOUT;
  const interests = interestsOfRunners(runners);
  const { source, byKey } = winProbabilities(interests);
  const payouts = probablesByCombination(probables);
  const cells: ExactaValueCell[] = [];
  for (const first of interests) {
    for (const second of interests) {
      if (first === second) continue;
      const payout = payouts.get(combinationOfKeys(first.key, second.key)!)?.payout ?? null;
      const fair = fairExactaOf(byKey.get(first.key)!, byKey.get(second.key)!, takeout)?.fair ?? null;
      const percent = payout === null || fair === null ? null : percentOverFair(payout, fair);
      cells.push({ first: first.key, second: second.key, payout, fair, percent });
    }
  }
  return {
    source,
    interests: interests.map(({ key, label }) => ({ key, label, probability: byKey.get(key)! })),
    cells,
  };
}
