/**
 * Steam and drift: money pouring onto (steam) or away from (drift) an interest close to post,
 * over a window of snapshots. Both judge money, never odds moved only by a refund: the boards are
 * compared over their common field (moves.ts), so a scratch (its money refunded, everyone else
 * shortening though nobody bet) moves nobody's share; and steam, when the interest's pool amount
 * is known on both boards, needs that amount to have grown.
 */
import {
  isNearPost,
  minutesToPostAt,
  postTimeLabel,
  relativeExcess,
  wholeDollars,
  winPoolTooSmall,
} from "./common.js";
import { compareBoards, type BoardComparison, type InterestMove } from "./moves.js";
import type { AlertCandidate, RaceContext, RuleSettings, WinSnapshot } from "./types.js";
import { inFetchOrder, interestAlertBase, moveLine } from "./win-rules.js";

const MS_PER_MINUTE = 60_000;

interface WindowSettings {
  enabled: boolean;
  windowMinutes: number;
  withinMinutesToPost: number;
}

/** The latest board and the earliest one inside its window, compared; null when the rule cannot run. */
interface WindowedBoards {
  current: WinSnapshot;
  baseline: WinSnapshot;
  comparison: BoardComparison;
  minutes: number | null;
  /** Minutes from baseline to current. */
  span: number;
}

/**
 * Only while post time is known and the latest snapshot is at most withinMinutesToPost before it,
 * until the off (isNearPost). The latest snapshot is compared with the earliest one inside
 * [latest - windowMinutes, latest]; older snapshots in `history` are ignored.
 */
function windowedBoards(
  ctx: RaceContext,
  history: readonly WinSnapshot[],
  window: WindowSettings,
  minPool: RuleSettings["minPool"],
): WindowedBoards | null {
  const ordered = inFetchOrder(history);
  const current = ordered[ordered.length - 1];
  if (!window.enabled || current === undefined || winPoolTooSmall(current, minPool)) return null;
  if (!isNearPost(ctx, current.fetchedAt, window.withinMinutesToPost)) return null;
  const windowStart = current.fetchedAt.getTime() - window.windowMinutes * MS_PER_MINUTE;
  const baseline = ordered.find((snapshot) => snapshot.fetchedAt.getTime() >= windowStart);
  if (baseline === undefined || baseline === current) return null;
  return {
    current,
    baseline,
    comparison: compareBoards(baseline, current),
    minutes: minutesToPostAt(ctx, current.fetchedAt),
    span: (current.fetchedAt.getTime() - baseline.fetchedAt.getTime()) / MS_PER_MINUTE,
  };
}

function percentOf(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** The facts steam and drift both record. */
function windowDetails(boards: WindowedBoards, move: InterestMove) {
  return {
    before: move.before.winOdds,
    after: move.now.winOdds,
    minutesToPost: boards.minutes,
    probabilityBefore: move.shareBefore,
    probabilityAfter: move.shareNow,
    measure: boards.comparison.measure,
    probabilitySource: boards.comparison.source,
    baselineFetchedAt: boards.baseline.fetchedAt.toISOString(),
  };
}

/** "Saratoga R5 #2 Bravo: 2 -> EVEN in 9 min, win chance 30.8% -> 42.9%" */
function windowLine(ctx: RaceContext, boards: WindowedBoards, move: InterestMove): string {
  return (
    `${moveLine(ctx, move.now.label, move.before.winOdds, move.now.winOdds)} in ${Math.round(boards.span)} min, ` +
    `win chance ${percentOf(move.shareBefore)} -> ${percentOf(move.shareNow)}`
  );
}

/**
 * Steam: an interest whose share of the common field rose by >= probabilityPoints percentage
 * points, or whose decimal odds fell by >= oddsDropPercent percent (moves.ts), within the window —
 * and, when its pool amount is known on both boards, whose amount grew (money arrived).
 * The stored threshold/actual pair is the measure that fired (probability first).
 */
export function steamAlerts(
  ctx: RaceContext,
  history: readonly WinSnapshot[],
  settings: Pick<RuleSettings, "steam" | "minPool">,
): AlertCandidate[] {
  const { probabilityPoints, oddsDropPercent } = settings.steam;
  const boards = windowedBoards(ctx, history, settings.steam, settings.minPool);
  if (boards === null) return [];
  const alerts: AlertCandidate[] = [];
  for (const move of boards.comparison.moves) {
    const pointsRise = (move.shareNow - move.shareBefore) * 100;
    const dropPercent = move.changePercent === null ? 0 : -move.changePercent;
    const byProbability = pointsRise > 0 && pointsRise >= probabilityPoints;
    const byOdds = dropPercent > 0 && dropPercent >= oddsDropPercent;
    if (!byProbability && !byOdds) continue;
    const moneyAdded =
      move.amountBefore !== null && move.amountNow !== null ? move.amountNow - move.amountBefore : null;
    if (moneyAdded !== null && moneyAdded <= 0) continue;

    const money = moneyAdded === null ? "" : `, ${wholeDollars(moneyAdded, ctx.boardOdds)} more bet on it`;
    alerts.push({
      ...interestAlertBase(ctx, move.now, boards.current.fetchedAt),
      type: "steam",
      thresholdValue: byProbability ? probabilityPoints : oddsDropPercent,
      actualValue: byProbability ? pointsRise : dropPercent,
      message: `${windowLine(ctx, boards, move)}${money}, ${postTimeLabel(boards.minutes)}`,
      details: {
        ...windowDetails(boards, move),
        probabilityPointsRise: pointsRise,
        oddsDropPercent: dropPercent,
        moneyAdded,
        firedOn: byProbability ? "probability" : "odds",
      },
      strength: Math.max(
        byProbability ? relativeExcess(pointsRise, probabilityPoints) : 0,
        byOdds ? relativeExcess(dropPercent, oddsDropPercent) : 0,
      ),
    });
  }
  return alerts;
}

/**
 * Drift, the mirror of steam: an interest whose share of the common field fell by
 * >= probabilityPoints percentage points, or whose decimal odds rose by >= oddsRisePercent percent
 * (a 50% rise is about the mirror of steam's 35% drop: 1 / (1 - 0.35) = 1.54), within the window.
 * The money has gone elsewhere: nothing is asked of the interest's own amount.
 */
export function driftAlerts(
  ctx: RaceContext,
  history: readonly WinSnapshot[],
  settings: Pick<RuleSettings, "drift" | "minPool">,
): AlertCandidate[] {
  const { probabilityPoints, oddsRisePercent } = settings.drift;
  const boards = windowedBoards(ctx, history, settings.drift, settings.minPool);
  if (boards === null) return [];
  const alerts: AlertCandidate[] = [];
  for (const move of boards.comparison.moves) {
    const pointsFall = (move.shareBefore - move.shareNow) * 100;
    const risePercent = move.changePercent ?? 0;
    const byProbability = pointsFall > 0 && pointsFall >= probabilityPoints;
    const byOdds = risePercent > 0 && risePercent >= oddsRisePercent;
    if (!byProbability && !byOdds) continue;

    alerts.push({
      ...interestAlertBase(ctx, move.now, boards.current.fetchedAt),
      type: "drift",
      thresholdValue: byProbability ? probabilityPoints : oddsRisePercent,
      actualValue: byProbability ? pointsFall : risePercent,
      message: `${windowLine(ctx, boards, move)}, ${postTimeLabel(boards.minutes)}`,
      details: {
        ...windowDetails(boards, move),
        probabilityPointsFall: pointsFall,
        oddsRisePercent: risePercent,
        firedOn: byProbability ? "probability" : "odds",
      },
      strength: Math.max(
        byProbability ? relativeExcess(pointsFall, probabilityPoints) : 0,
        byOdds ? relativeExcess(risePercent, oddsRisePercent) : 0,
      ),
    });
  }
  return alerts;
}
