/**
 * Scratch: a betting interest withdrawn before the off. Its win money is refunded, so every other
 * runner's odds shorten though nobody bet; this alert says how much of the pool went back, and
 * the move rules (moves.ts) compare the rest over the runners still in.
 */
import { isPreOff, minutesToPostAt, postTimeLabel, raceLabel, wholeDollars } from "./common.js";
import { interestsByKey, interestsOf, poolAmountsOf, sharesOfOdds, type Interest } from "./interests.js";
import type { AlertCandidate, RaceContext, RuleSettings, WinSnapshot } from "./types.js";
import { interestAlertBase } from "./win-rules.js";

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

/** The board before `before` that last listed `interest` (any member), from the boards given. */
export type LastListing = (interest: string, before: Date) => WinSnapshot | null;

/** A LastListing over boards in fetch order (the rules' history, when it reaches back far enough). */
export function lastListingIn(boards: readonly WinSnapshot[]): LastListing {
  return (interest, before) => {
    for (let i = boards.length - 1; i >= 0; i--) {
      const board = boards[i]!;
      if (board.fetchedAt.getTime() >= before.getTime()) continue;
      if (interestsByKey(board).has(interest)) return board;
    }
    return null;
  };
}

/**
 * A scratch is raised on the first board at which the interest is both known to be scratched
 * (ctx.scratches: every member scratched on the card, known at or before the board) and gone
 * from the board; the refund is measured on the last board that listed it. "First" is judged
 * against the board before (`previous`): if the scratch was already known and the interest
 * already gone there, it was raised there. So the alert comes once, on the same board whether
 * the card said it before the board dropped the runner or after (a daemon evaluating live and a
 * backtest later agree), and a runner merely missing from a board (the card never scratched it)
 * is not news. A coupled member scratched while its mate runs leaves the interest in: no alert.
 * Not gated by the pool minimum or the distance to post (a scratch is news at any time); only
 * before the off, and only when some board listed it (otherwise no money was refunded).
 */
export function scratchAlerts(
  ctx: RaceContext,
  previous: WinSnapshot | null,
  current: WinSnapshot,
  lastListing: LastListing,
  settings: Pick<RuleSettings, "scratch">,
): AlertCandidate[] {
  if (!settings.scratch.enabled || ctx.scratches.length === 0 || !isPreOff(ctx, current.fetchedAt)) return [];
  const knownBy = (knownAt: Date | null, board: WinSnapshot) =>
    knownAt === null || knownAt.getTime() <= board.fetchedAt.getTime();
  const onCurrent = interestsByKey(current);
  const onPrevious = previous === null ? null : interestsByKey(previous);
  const minutes = minutesToPostAt(ctx, current.fetchedAt);
  const alerts: AlertCandidate[] = [];
  for (const { interest: key, knownAt } of ctx.scratches) {
    if (onCurrent.has(key) || !knownBy(knownAt, current)) continue;
    if (previous !== null && knownBy(knownAt, previous) && !onPrevious!.has(key)) continue;
    const listed = lastListing(key, current.fetchedAt);
    const interests = listed === null ? [] : interestsOf(listed);
    const interest = interests.find((each) => each.key === key);
    if (listed === null || interest === undefined) continue;
    const refund = refundOf(interest, listed, interests);
    if (refund === null) continue;
    const percent = refund.share * 100;
    const refunded =
      refund.amount === null
        ? `about ${percent.toFixed(1)}% of the win pool refunded (by the odds)`
        : `${percent.toFixed(1)}% of the win pool refunded (${wholeDollars(refund.amount, ctx.boardOdds)})`;
    alerts.push({
      ...interestAlertBase(ctx, interest, current.fetchedAt),
      type: "scratch",
      // One scratch per interest per race: a runner relisted by a lagging board and dropped again
      // makes the same key, so it is not announced twice.
      occasion: "race",
      thresholdValue: null,
      actualValue: percent,
      // "Runner: ..." as every runner alert reads, so a channel can drop the race and runner it names.
      message: `${raceLabel(ctx)} ${interest.label}: scratched, ${refunded}, ${postTimeLabel(minutes)}`,
      details: {
        refundedShare: refund.share,
        refundedAmount: refund.amount,
        probabilitySource: refund.source,
        minutesToPost: minutes,
        lastListedAt: listed.fetchedAt.toISOString(),
        ...(knownAt === null ? {} : { scratchKnownAt: knownAt.toISOString() }),
      },
      // No threshold to be past: the bigger the refund, the more the board moves.
      strength: refund.share,
    });
  }
  return alerts;
}
