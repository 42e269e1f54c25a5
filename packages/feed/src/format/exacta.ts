/**
 * Exacta messages normalized (docs/feed.md, `exacta`): keys checked as
 * combinations of betting interests, payouts checked against the US minimum
 * and rescaled to a $2 ticket.
 *
 * Invariants:
 * - A key is "FIRST-SECOND": two program numbers of two different betting
 *   interests ("1-1A" is one coupled entry twice, refused whatever its value),
 *   at most 17 characters. Payouts and the pool are at most 1e10 (messages.ts).
 * - Keys of one interest combination ("1-2", "1A-2") pay the same after
 *   rescaling (0 and null agree); each is stored under its own key.
 * - 0 and null are no money: nothing stored. A positive payout is checked
 *   against the US minimum (105 % of the stake: $2.10 on $2) in the message's
 *   own base, before rescaling, with half a cent of tolerance for a source
 *   rounding to the cent ($0.52 on $0.50 stands; it rescales to $2.08).
 * - Stored payouts are for $2: payout * 2 / base_amount, rounded to the cent.
 * - Pure: whether the runners are on the card is checked on write.
 */
import type { ExactaProbableInput, ExactaSnapshotInput } from "@totewatch/db";
import {
  bettingInterestOf,
  exactaPayoutForTwo,
  MIN_TWO_DOLLAR_PAYOUT,
  parseIsoInstant,
} from "@totewatch/tote";
import { MAX_EXACTA_KEY } from "./bounds.js";
import { FieldError, money, shown } from "./field-error.js";
import type { FeedMessage } from "./messages.js";

/** An exacta message as the db's ExactaSnapshotInput (without the race key). */
export function normalizeExacta(
  feed: FeedMessage & { kind: "exacta" },
): Omit<ExactaSnapshotInput, "track" | "raceDate" | "raceNumber"> {
  const probables: ExactaProbableInput[] = [];
  /** The first key of each combination of betting interests, which the others must agree with. */
  const combinations = new Map<string, { key: string; payout: number | null }>();
  for (const key in feed.probables) {
    const path = ["probables", key];
    const raw = feed.probables[key] ?? null;
    const [first, second] = keyRunners(key, path);
    const [firstInterest, secondInterest] = [bettingInterestOf(first), bettingInterestOf(second)];
    if (firstInterest === secondInterest) {
      throw new FieldError(
        path,
        `"${first}" and "${second}" are one betting interest (a coupled entry); not an exacta`,
      );
    }
    const payout = twoDollarPayout(raw, feed.base_amount, path);
    const combination = `${firstInterest}-${secondInterest}`;
    const earlier = combinations.get(combination);
    if (earlier === undefined) combinations.set(combination, { key, payout });
    else if (earlier.payout !== payout) {
      throw new FieldError(
        path,
        `"${key}" and "${earlier.key}" are one combination (coupled entries bet as one) but pay ` +
          `differently: ${shown(raw)} here, ${shown(feed.probables[earlier.key] ?? null)} ` +
          `for "${earlier.key}"`,
      );
    }
    // No money on that combination: no probable to store.
    if (payout === null) continue;
    probables.push({ first, second, payout });
  }
  return {
    fetchedAt: parseIsoInstant(feed.fetched_at),
    totalExactaPool: feed.total_exacta_pool ?? null,
    probables,
  };
}

/** The two program numbers of a "FIRST-SECOND" key: both there, different, one dash, no white space. */
function keyRunners(key: string, path: readonly PropertyKey[]): [string, string] {
  if (key.length > MAX_EXACTA_KEY) {
    throw new FieldError(
      path,
      `key is longer than ${MAX_EXACTA_KEY} characters (two program numbers of at most 8 and a dash)`,
    );
  }
  const dash = key.indexOf("-");
  const first = dash > 0 ? key.slice(0, dash) : "";
  const second = dash > 0 ? key.slice(dash + 1) : "";
  if (!first || !second || second.includes("-") || /\s/.test(key)) {
    throw new FieldError(path, `key is not "FIRST-SECOND" program numbers (e.g. "1-2")`);
  }
  if (first === second) throw new FieldError(path, `names runner "${first}" twice`);
  return [first, second];
}

/** The US minimum per unit staked: 105 % of the stake, $2.10 on a $2 ticket. */
const MIN_PAYOUT_PER_UNIT = MIN_TWO_DOLLAR_PAYOUT / 2;
/**
 * Half a cent: the minimum of a ticket whose 105 % is not a whole number of cents ($0.525 on
 * $0.50) is shown rounded to the cent ($0.52), and that is still the minimum, not below it.
 */
const CENT_ROUNDING = 0.005;
/** Float noise in the product (1.05 * 0.1 is 0.10500000000000001) must not refuse the minimum itself. */
const FLOAT_SLACK = 1e-9;

/**
 * The lowest payout a `baseAmount` ticket can show: 1.05 * base less half a cent, the slack never
 * more than half the 5 % profit, so on a tiny base ($0.10) the stake alone ($0.10) stays refused.
 */
function minimumPayout(baseAmount: number): number {
  const profit = (MIN_PAYOUT_PER_UNIT - 1) * baseAmount;
  return MIN_PAYOUT_PER_UNIT * baseAmount - Math.min(CENT_ROUNDING, profit / 2);
}

/**
 * A probable as the payout of a $2 ticket, or null for no money (null or 0). Below the US
 * minimum in the message's own base (minimumPayout) is no real probable; a payout that
 * passes is rescaled as payout * 2 / base to the cent (which can land under $2.10: $0.52 on
 * $0.50 is $2.08 for $2).
 */
function twoDollarPayout(
  raw: number | null,
  baseAmount: number,
  path: readonly PropertyKey[],
): number | null {
  if (raw === null || raw === 0) return null;
  if (raw < minimumPayout(baseAmount) - FLOAT_SLACK) {
    // The lowest whole-cent payout accepted: $2.10 on $2, $1.05 on $1, $0.52 on $0.50.
    const lowest = Math.ceil(Math.round(minimumPayout(baseAmount) * 1e8) / 1e6) / 100;
    const quoted =
      baseAmount === 2
        ? `a probable payout of ${String(raw)} for a $2 ticket is below the US minimum of ${money(lowest)}`
        : `a probable payout of ${String(raw)} for a ${money(baseAmount)} ticket is below the US minimum ` +
          `of ${money(lowest)} for it (${money(MIN_TWO_DOLLAR_PAYOUT)} for $2)`;
    throw new FieldError(path, `${quoted}; 0 or null means no money on it`);
  }
  return exactaPayoutForTwo(raw, baseAmount);
}
