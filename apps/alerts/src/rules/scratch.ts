/**
 * Scratch: a betting interest withdrawn before the off. Its win money is refunded, so every other
 * runner's odds shorten though nobody bet; this alert says how much of the pool went back, and
 * the move rules (moves.ts) compare the rest over the runners still in.
 */
import { isPreOff, minutesToPostAt, postTimeLabel, raceLabel, wholeDollars } from "./common.js";
import { interestsByKey, interestsOf, poolAmountsOf, sharesOfOdds, type Interest } from "./interests.js";
import type { AlertCandidate, RaceContext, RuleSettings, WinSnapshot } from "./types.js";
import { interestAlertBase } from "./win-rules.js";

function programKey(programNumber: string): string {
  return programNumber.trim().toUpperCase();
}

/** What a scratched interest took out of the win pool. */
interface Refund {
  /** Fraction of the win pool, 0..1. */
  share: number;
  /** Currency units, when pool amounts are known. */
  amount: number | null;
  source: "pool" | "odds";
}

/**
 * Its pool amount over the board's total win pool (over the sum of the interests' amounts when the
 * total is unknown) when amounts are known, else its win probability from the board odds.
 */
function refundOf(interest: Interest, previous: WinSnapshot, interests: readonly Interest[]): Refund | null {
  const amount = interest.poolAmount;
  if (amount !== null) {
    const amounts = poolAmountsOf(interests);
    const total = previous.totalWinPool ?? amounts?.reduce((sum, each) => sum + each, 0) ?? null;
    if (total !== null && total > 0) return { share: amount / total, amount, source: "pool" };
  }
  const share = sharesOfOdds(interests).get(interest.key);
  return share === undefined ? null : { share, amount: null, source: "odds" };
}

/**
 * An interest on `previous` and absent from `current`, all of whose members on `previous` are
 * scratched on the card (ctx.scratched). A coupled member scratched while its mate runs leaves
 * the interest in: no alert. Not gated by the pool minimum or the distance to post (a scratch is
 * news at any time); only before the off.
 */
export function scratchAlerts(
  ctx: RaceContext,
  previous: WinSnapshot | null,
  current: WinSnapshot,
  settings: Pick<RuleSettings, "scratch">,
): AlertCandidate[] {
  if (!settings.scratch.enabled || previous === null || !isPreOff(ctx, current.fetchedAt)) return [];
  const scratched = new Set([...ctx.scratched].map(programKey));
  const stillIn = interestsByKey(current);
  const interests = interestsOf(previous);
  const minutes = minutesToPostAt(ctx, current.fetchedAt);
  const alerts: AlertCandidate[] = [];
  for (const interest of interests) {
    if (stillIn.has(interest.key)) continue;
    if (!interest.members.every((member) => scratched.has(programKey(member.programNumber)))) continue;
    const refund = refundOf(interest, previous, interests);
    if (refund === null) continue;
    const percent = refund.share * 100;
    const refunded =
      refund.amount === null
        ? `about ${percent.toFixed(1)}% of the win pool refunded (by the odds)`
        : `${percent.toFixed(1)}% of the win pool refunded (${wholeDollars(refund.amount)})`;
    alerts.push({
      ...interestAlertBase(ctx, interest, current.fetchedAt),
      type: "scratch",
      thresholdValue: null,
      actualValue: percent,
      // "Runner: ..." as every runner alert reads, so a channel can drop the race and runner it names.
      message: `${raceLabel(ctx)} ${interest.label}: scratched, ${refunded}, ${postTimeLabel(minutes)}`,
      details: {
        refundedShare: refund.share,
        refundedAmount: refund.amount,
        probabilitySource: refund.source,
        minutesToPost: minutes,
      },
      // No threshold to be past: the bigger the refund, the more the board moves.
      strength: refund.share,
    });
  }
  return alerts;
}
