/** Runs every rule on one new snapshot; the strongest candidates come first. */
import { crossPoolAlerts, exactaPayoutAlerts } from "./exacta-rules.js";
import { lateChangeAlerts } from "./late-change.js";
import { driftAlerts, steamAlerts } from "./move-rules.js";
import { lastListingIn, scratchAlerts, type LastListing } from "./scratch.js";
import { DEFAULT_CURRENCY } from "@totewatch/tote";
import type { AlertCandidate, ExactaSnapshot, RaceContext, RuleSettings, WinSnapshot } from "./types.js";
import { inFetchOrder, oddsChangeAlerts, oddsThresholdAlerts, overlayAlerts } from "./win-rules.js";

/**
 * Strongest first, so a per-race cap keeps the alerts that matter most;
 * equal strengths keep rule order (sort is stable).
 */
export function strongestFirst(candidates: AlertCandidate[]): AlertCandidate[] {
  return [...candidates].sort((a, b) => b.strength - a.strength);
}

/**
 * Candidates with the track's board in their details where it is not North America's: a decimal
 * tote's (oddsFormat, dividendUnit) and a currency other than dollars (currency), so a channel
 * that writes odds or money from the details writes them as the message does. Dollar odds-to-1
 * boards' are left as they are. Exacta candidates (`winOdds` false) quote payouts, not win odds:
 * only their currency.
 */
function withBoard(ctx: RaceContext, candidates: AlertCandidate[], winOdds = true): AlertCandidate[] {
  const board = ctx.boardOdds;
  const decimal = winOdds && board?.oddsFormat === "decimal";
  const facts = {
    ...(decimal ? { oddsFormat: "decimal" as const, dividendUnit: board.dividendUnit } : {}),
    ...(board?.currency !== undefined && board.currency !== DEFAULT_CURRENCY
      ? { currency: board.currency }
      : {}),
  };
  if (Object.keys(facts).length === 0) return candidates;
  return candidates.map((candidate) => ({ ...candidate, details: { ...candidate.details, ...facts } }));
}

/**
 * Every pre-race win-board rule for the latest snapshot of `history` (oldest first; the snapshot
 * before it is the "previous" for crossings, changes and scratches). `history` should reach back
 * at least max(steam, drift).windowMinutes for steam and drift to see the whole window. A board
 * fetched after the off (ctx.offAt) raises nothing here: see evaluateLateChange. `lastListing`
 * finds the board that last listed a scratched interest (default: searched in `history`; the
 * engine passes its whole loaded history, which reaches further back).
 */
export function evaluateWinSnapshot(
  ctx: RaceContext,
  history: readonly WinSnapshot[],
  settings: RuleSettings,
  lastListing?: LastListing,
): AlertCandidate[] {
  const ordered = inFetchOrder(history);
  const current = ordered[ordered.length - 1];
  if (current === undefined) return [];
  const previous = ordered[ordered.length - 2] ?? null;
  return withBoard(
    ctx,
    strongestFirst([
      ...oddsThresholdAlerts(ctx, previous, current, settings),
      ...oddsChangeAlerts(ctx, previous, current, settings),
      ...steamAlerts(ctx, ordered, settings),
      ...driftAlerts(ctx, ordered, settings),
      ...overlayAlerts(ctx, current, settings),
      ...scratchAlerts(ctx, previous, current, lastListing ?? lastListingIn(ordered), settings),
    ]),
  );
}

/**
 * The post-off rule for a board fetched after the off: late odds changes from `lastPreOff`, the
 * last board fetched at or before ctx.offAt; strongest first. Each candidate's `occasion` is the
 * race, so re-running it on every later board raises each interest once.
 */
export function evaluateLateChange(
  ctx: RaceContext,
  lastPreOff: WinSnapshot,
  current: WinSnapshot,
  settings: RuleSettings,
): AlertCandidate[] {
  return withBoard(ctx, strongestFirst(lateChangeAlerts(ctx, lastPreOff, current, settings)));
}

/**
 * Every exacta rule for one exacta snapshot. The cross-pool rules need the win board;
 * without one (`latestWin` null) only the payout band is checked.
 */
export function evaluateExactaSnapshot(
  ctx: RaceContext,
  exacta: ExactaSnapshot,
  latestWin: WinSnapshot | null,
  settings: RuleSettings,
): AlertCandidate[] {
  return withBoard(
    ctx,
    strongestFirst([
      ...exactaPayoutAlerts(ctx, exacta, settings),
      ...(latestWin === null ? [] : crossPoolAlerts(ctx, latestWin, exacta, settings)),
    ]),
    false,
  );
}
