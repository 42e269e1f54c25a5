/**
 * Parimutuel arithmetic: what a pool pays after takeout and breakage, and
 * Harville's model for turning win probabilities into exacta probabilities.
 */

import { impliedProbability } from "./odds.js";

/** Typical US takeout on the win pool. */
export const DEFAULT_WIN_TAKEOUT = 0.16;
/** Typical US takeout on the exacta pool. */
export const DEFAULT_EXACTA_TAKEOUT = 0.2;

/** US minimum payout: $2.10 on a $2 ticket, i.e. 105 cents per $1. */
const MIN_PAYOUT_CENTS_PER_DOLLAR = 105;
/** The US minimum payout of a $2 ticket ($2.10): no probable for a $2 ticket is below it. */
export const MIN_TWO_DOLLAR_PAYOUT = 2.1;
/**
 * Breakage floors each $1 payout to the dime. The division can land a hair under an exact
 * dime (e.g. 3.3 as 3.2999999999999998), which must not cost the bettor ten cents.
 */
const DIME_EPSILON = 1e-9;

function assertPoolArgs(fn: string, pool: number, poolName: string, totalPool: number, takeout: number) {
  if (!Number.isFinite(pool)) {
    throw new RangeError(`${fn}: ${poolName} must be a finite number, got ${String(pool)}`);
  }
  if (!Number.isFinite(totalPool) || totalPool < 0) {
    throw new RangeError(`${fn}: totalPool must be a finite number >= 0, got ${String(totalPool)}`);
  }
  if (!Number.isFinite(takeout) || takeout < 0 || takeout >= 1) {
    throw new RangeError(`${fn}: takeout must be in [0, 1), got ${String(takeout)}`);
  }
  // A share is part of its pool: more money on one runner than in the whole pool is bad input.
  if (pool > totalPool) {
    throw new RangeError(
      `${fn}: ${poolName} ${String(pool)} is more than totalPool ${String(totalPool)} (a share cannot exceed its pool)`,
    );
  }
}

/** Cents paid per $1 on a pool share: net pool / share, broken down to the dime, at least $1.05. */
function payoutCentsPerDollar(share: number, totalPool: number, takeout: number): number {
  const netPool = totalPool * (1 - takeout);
  const dimes = Math.floor((netPool / share) * 10 + DIME_EPSILON);
  return Math.max(dimes * 10, MIN_PAYOUT_CENTS_PER_DOLLAR);
}

/**
 * Odds-to-1 the win pool implies for one runner, with breakage to the dime and the $2.10
 * minimum applied (so never below 0.05). Null when nothing is bet on the runner.
 * Throws a RangeError when the runner's money is more than the whole pool.
 */
export function winOddsFromPool(
  runnerPool: number,
  totalPool: number,
  takeout: number = DEFAULT_WIN_TAKEOUT,
): number | null {
  assertPoolArgs("winOddsFromPool", runnerPool, "runnerPool", totalPool, takeout);
  if (runnerPool <= 0) return null;
  // Whole cents divided once, so 3.30 per $1 gives exactly 2.3, not 2.2999999999999998.
  return (payoutCentsPerDollar(runnerPool, totalPool, takeout) - 100) / 100;
}

/**
 * The probable payout, in currency, of a `baseAmount` exacta ticket on one combination.
 * Null when nothing is bet on the combination. Throws a RangeError when the combination's
 * money is more than the whole pool.
 */
export function exactaPayoutFromPool(
  comboPool: number,
  totalPool: number,
  takeout: number = DEFAULT_EXACTA_TAKEOUT,
  baseAmount: number = 2,
): number | null {
  assertPoolArgs("exactaPayoutFromPool", comboPool, "comboPool", totalPool, takeout);
  assertBaseAmount("exactaPayoutFromPool", baseAmount);
  if (comboPool <= 0) return null;
  return (payoutCentsPerDollar(comboPool, totalPool, takeout) * baseAmount) / 100;
}

/**
 * A probable payout quoted for a `baseAmount` ticket, as the payout of a $2 ticket:
 * `payout * 2 / baseAmount` rounded to the cent. Multiplying first keeps exact inputs exact
 * (453 for $10 is 90.6, where 453 * (2 / 10) is 90.60000000000001); the cent rounding takes
 * off what noise is left. It does not apply the $2.10 minimum: compare with
 * MIN_TWO_DOLLAR_PAYOUT to refuse a probable below it.
 */
export function exactaPayoutForTwo(payout: number, baseAmount: number): number {
  const fn = "exactaPayoutForTwo";
  if (!Number.isFinite(payout) || payout < 0) {
    throw new RangeError(`${fn}: payout must be a finite number >= 0, got ${String(payout)}`);
  }
  assertBaseAmount(fn, baseAmount);
  return Math.round(((payout * 2) / baseAmount) * 100) / 100;
}

/**
 * Win probabilities from board odds with the overround removed: each 1/(odds+1), scaled so
 * they sum to 1 (the raw sum is about 1/(1-takeout), plus a little from breakage).
 */
export function normalizedWinProbabilities(oddsToOne: readonly number[]): number[] {
  const implied = oddsToOne.map((odds) => impliedProbability(odds));
  const total = implied.reduce((sum, p) => sum + p, 0);
  return implied.map((p) => p / total);
}

function assertProbability(fn: string, name: string, p: number): void {
  if (!Number.isFinite(p) || p < 0 || p > 1) {
    throw new RangeError(`${fn}: ${name} must be a probability in [0, 1], got ${String(p)}`);
  }
}

function assertBaseAmount(fn: string, baseAmount: number): void {
  if (!Number.isFinite(baseAmount) || baseAmount <= 0) {
    throw new RangeError(`${fn}: baseAmount must be a finite number > 0, got ${String(baseAmount)}`);
  }
}

/** Slack for probabilities that should sum to at most 1 but went through float arithmetic. */
const PROBABILITY_EPSILON = 1e-9;

/**
 * Harville: P(A first, B second) = P(A) * P(B) / (1 - P(A)) — B wins the race among the
 * rest once A is out of it. A and B are different runners, so their probabilities sum to <= 1.
 */
export function harvilleExactaProbability(pFirst: number, pSecond: number): number {
  const fn = "harvilleExactaProbability";
  assertProbability(fn, "pFirst", pFirst);
  assertProbability(fn, "pSecond", pSecond);
  if (pFirst >= 1) throw new RangeError(`${fn}: pFirst must be below 1, got ${String(pFirst)}`);
  if (pFirst + pSecond > 1 + PROBABILITY_EPSILON) {
    throw new RangeError(
      `${fn}: pFirst + pSecond must not exceed 1 (two different runners), got ${String(pFirst)} + ${String(pSecond)}`,
    );
  }
  return (pFirst * pSecond) / (1 - pFirst);
}

/** The payout a `baseAmount` ticket would return if the pool priced this probability exactly. */
export function fairExactaPayout(
  probability: number,
  takeout: number = DEFAULT_EXACTA_TAKEOUT,
  baseAmount: number = 2,
): number {
  const fn = "fairExactaPayout";
  if (!Number.isFinite(probability) || probability <= 0 || probability > 1) {
    throw new RangeError(`${fn}: probability must be in (0, 1], got ${String(probability)}`);
  }
  if (!Number.isFinite(takeout) || takeout < 0 || takeout >= 1) {
    throw new RangeError(`${fn}: takeout must be in [0, 1), got ${String(takeout)}`);
  }
  assertBaseAmount(fn, baseAmount);
  return (baseAmount * (1 - takeout)) / probability;
}

/** The feed's exacta key: "FIRST-SECOND" program numbers. */
export function exactaKey(first: string, second: string): string {
  return `${first}-${second}`;
}

/**
 * Harville probability of every ordered pair of different runners, keyed "FIRST-SECOND".
 * Pass probabilities that sum to 1 (see normalizedWinProbabilities) for a grid that sums to 1.
 */
export function harvilleExactaGrid(winProbabilities: ReadonlyMap<string, number>): Map<string, number> {
  const fn = "harvilleExactaGrid";
  for (const [program, p] of winProbabilities) {
    // A "-" inside a program number would make "FIRST-SECOND" keys ambiguous.
    if (program.trim() === "" || program.includes("-")) {
      throw new RangeError(`${fn}: program number must be non-empty and contain no "-", got "${program}"`);
    }
    assertProbability(fn, `probability of ${program}`, p);
  }
  const grid = new Map<string, number>();
  for (const [first, pFirst] of winProbabilities) {
    for (const [second, pSecond] of winProbabilities) {
      if (first !== second) grid.set(exactaKey(first, second), harvilleExactaProbability(pFirst, pSecond));
    }
  }
  return grid;
}
