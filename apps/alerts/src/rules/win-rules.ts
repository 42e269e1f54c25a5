/**
 * Rules on the win board: threshold crossings, big moves between snapshots,
 * steam (sustained late money) and overlays against the morning line.
 * Each returns [] when its rule is disabled or the win pool is below the minimum.
 */
import { normalizedWinProbabilities } from "@totewatch/tote";
import {
  isNearPost,
  minutesToPostAt,
  oddsMove,
  oddsToOneLabel,
  postTimeLabel,
  raceLabel,
  relativeExcess,
  relativeShortfall,
  runnerLabel,
  signedPercent,
  winPoolTooSmall,
} from "./common.js";
import type { AlertCandidate, RaceContext, RuleSettings, RunnerOdds, WinSnapshot } from "./types.js";

const MS_PER_MINUTE = 60_000;

/** Runners are matched across snapshots by entry id, the stable key (program numbers are display). */
function byEntryId(snapshot: WinSnapshot): Map<number, RunnerOdds> {
  return new Map(snapshot.runners.map((runner) => [runner.entryId, runner]));
}

/** Line start shared by every runner alert: "Saratoga R5 #3 Thunder Road: 5-1 -> 5-2". */
function moveLine(ctx: RaceContext, runner: RunnerOdds, before: number, after: number): string {
  return `${raceLabel(ctx)} ${runnerLabel(runner.programNumber, runner.horse)}: ${oddsMove(before, after)}`;
}

/**
 * A runner's odds crossing `below` (was above it, now at or under) or `above` (was under it,
 * now at or over). Staying beyond a threshold is not a new crossing, and a runner seen for the
 * first time (no previous snapshot, or not in it) has crossed nothing.
 */
export function oddsThresholdAlerts(
  ctx: RaceContext,
  previous: WinSnapshot | null,
  current: WinSnapshot,
  settings: Pick<RuleSettings, "oddsThreshold" | "minPool">,
): AlertCandidate[] {
  const { enabled, below, above } = settings.oddsThreshold;
  if (!enabled || previous === null || winPoolTooSmall(current, settings.minPool)) return [];
  const minutes = minutesToPostAt(ctx, current.fetchedAt);
  const before = byEntryId(previous);
  const alerts: AlertCandidate[] = [];
  for (const runner of current.runners) {
    const was = before.get(runner.entryId)?.winOdds;
    if (was === undefined) continue;
    const now = runner.winOdds;
    const base = {
      raceId: ctx.raceId,
      entryId: runner.entryId,
      subject: runner.programNumber,
      triggeredAt: current.fetchedAt,
      actualValue: now,
      details: { before: was, after: now, minutesToPost: minutes },
    };
    if (below !== null && was > below && now <= below) {
      alerts.push({
        ...base,
        type: "odds_below",
        thresholdValue: below,
        message: `${moveLine(ctx, runner, was, now)}, at or below ${oddsToOneLabel(below)}, ${postTimeLabel(minutes)}`,
        strength: relativeShortfall(now, below),
      });
    }
    if (above !== null && was < above && now >= above) {
      alerts.push({
        ...base,
        type: "odds_above",
        thresholdValue: above,
        message: `${moveLine(ctx, runner, was, now)}, at or above ${oddsToOneLabel(above)}, ${postTimeLabel(minutes)}`,
        strength: relativeExcess(now, above),
      });
    }
  }
  return alerts;
}

/**
 * A runner whose odds moved by at least `minPercent` of the previous odds between two
 * consecutive snapshots: |now - before| / before * 100 >= minPercent. Unchanged odds never
 * alert, even with minPercent 0.
 */
export function oddsChangeAlerts(
  ctx: RaceContext,
  previous: WinSnapshot | null,
  current: WinSnapshot,
  settings: Pick<RuleSettings, "oddsChange" | "minPool">,
): AlertCandidate[] {
  const { enabled, minPercent } = settings.oddsChange;
  if (!enabled || previous === null || winPoolTooSmall(current, settings.minPool)) return [];
  const minutes = minutesToPostAt(ctx, current.fetchedAt);
  const before = byEntryId(previous);
  const alerts: AlertCandidate[] = [];
  for (const runner of current.runners) {
    const was = before.get(runner.entryId)?.winOdds;
    if (was === undefined || was <= 0 || runner.winOdds === was) continue;
    const changePercent = ((runner.winOdds - was) / was) * 100;
    const magnitude = Math.abs(changePercent);
    if (magnitude < minPercent) continue;
    alerts.push({
      type: "odds_change",
      raceId: ctx.raceId,
      entryId: runner.entryId,
      subject: runner.programNumber,
      triggeredAt: current.fetchedAt,
      thresholdValue: minPercent,
      actualValue: magnitude,
      message: `${moveLine(ctx, runner, was, runner.winOdds)} (${signedPercent(changePercent)}), ${postTimeLabel(minutes)}`,
      details: { before: was, after: runner.winOdds, minutesToPost: minutes, changePercent },
      strength: relativeExcess(magnitude, minPercent),
    });
  }
  return alerts;
}

/** Snapshots by fetchedAt, oldest first; the input is returned as is when already in order. */
export function inFetchOrder(history: readonly WinSnapshot[]): readonly WinSnapshot[] {
  const ordered = history.every(
    (snapshot, i) => i === 0 || history[i - 1]!.fetchedAt.getTime() <= snapshot.fetchedAt.getTime(),
  );
  return ordered ? history : [...history].sort((a, b) => a.fetchedAt.getTime() - b.fetchedAt.getTime());
}

/**
 * Each runner's share of the board with the overround removed, so takeout does not read as a move,
 * counted over the `field` only (entry ids). Two boards are compared over the runners on both: a
 * runner scratched (or added) in between would otherwise shift every other runner's share though
 * its odds did not move.
 */
function normalizedProbabilityByEntry(
  snapshot: WinSnapshot,
  field: ReadonlySet<number>,
): Map<number, number> {
  const runners = snapshot.runners.filter((runner) => field.has(runner.entryId));
  const probabilities = normalizedWinProbabilities(runners.map((runner) => runner.winOdds));
  return new Map(runners.map((runner, i) => [runner.entryId, probabilities[i]!]));
}

/**
 * Steam: money pouring onto a runner close to post. Only while post time is known and
 * the latest snapshot is 0..withinMinutesToPost before it. Each runner in the latest snapshot
 * is compared with the earliest snapshot inside [latest - windowMinutes, latest]; it alerts
 * when its normalized win probability (over the runners on both boards) rose by >= probabilityPoints
 * percentage points, or its odds fell by >= oddsDropPercent percent. `history` may hold older
 * snapshots; they are ignored.
 */
export function steamAlerts(
  ctx: RaceContext,
  history: readonly WinSnapshot[],
  settings: Pick<RuleSettings, "steam" | "minPool">,
): AlertCandidate[] {
  const { enabled, probabilityPoints, oddsDropPercent, windowMinutes, withinMinutesToPost } = settings.steam;
  const ordered = inFetchOrder(history);
  const current = ordered[ordered.length - 1];
  if (!enabled || current === undefined || winPoolTooSmall(current, settings.minPool)) return [];
  if (!isNearPost(ctx, current.fetchedAt, withinMinutesToPost)) return [];

  const windowStart = current.fetchedAt.getTime() - windowMinutes * MS_PER_MINUTE;
  const baseline = ordered.find((snapshot) => snapshot.fetchedAt.getTime() >= windowStart);
  if (baseline === undefined || baseline === current) return [];

  const minutes = minutesToPostAt(ctx, current.fetchedAt);
  const windowSpan = (current.fetchedAt.getTime() - baseline.fetchedAt.getTime()) / MS_PER_MINUTE;
  const before = byEntryId(baseline);
  const field = new Set(
    current.runners.map((runner) => runner.entryId).filter((entryId) => before.has(entryId)),
  );
  const probabilityBefore = normalizedProbabilityByEntry(baseline, field);
  const probabilityNow = normalizedProbabilityByEntry(current, field);
  const alerts: AlertCandidate[] = [];
  for (const runner of current.runners) {
    const was = before.get(runner.entryId)?.winOdds;
    const pBefore = probabilityBefore.get(runner.entryId);
    const pNow = probabilityNow.get(runner.entryId);
    if (was === undefined || pBefore === undefined || pNow === undefined) continue;

    const pointsRise = (pNow - pBefore) * 100;
    const dropPercent = was > 0 ? ((was - runner.winOdds) / was) * 100 : 0;
    const byProbability = pointsRise > 0 && pointsRise >= probabilityPoints;
    const byOdds = dropPercent > 0 && dropPercent >= oddsDropPercent;
    if (!byProbability && !byOdds) continue;

    // The stored threshold/actual pair is the measure that fired (probability first).
    const strength = Math.max(
      byProbability ? relativeExcess(pointsRise, probabilityPoints) : 0,
      byOdds ? relativeExcess(dropPercent, oddsDropPercent) : 0,
    );
    alerts.push({
      type: "steam",
      raceId: ctx.raceId,
      entryId: runner.entryId,
      subject: runner.programNumber,
      triggeredAt: current.fetchedAt,
      thresholdValue: byProbability ? probabilityPoints : oddsDropPercent,
      actualValue: byProbability ? pointsRise : dropPercent,
      message:
        `${moveLine(ctx, runner, was, runner.winOdds)} in ${Math.round(windowSpan)} min, ` +
        `win chance ${(pBefore * 100).toFixed(1)}% -> ${(pNow * 100).toFixed(1)}%, ${postTimeLabel(minutes)}`,
      details: {
        before: was,
        after: runner.winOdds,
        minutesToPost: minutes,
        probabilityBefore: pBefore,
        probabilityAfter: pNow,
        probabilityPointsRise: pointsRise,
        oddsDropPercent: dropPercent,
        baselineFetchedAt: baseline.fetchedAt.toISOString(),
        measure: byProbability ? "probability" : "odds",
      },
      strength,
    });
  }
  return alerts;
}

/**
 * Overlay: near post (0..withinMinutesToPost, post time known), a runner whose win odds are
 * at least `ratio` times its morning line — the crowd lets it go at a longer price than the
 * line maker gave it. Runners without a (positive) morning line are skipped.
 */
export function overlayAlerts(
  ctx: RaceContext,
  current: WinSnapshot,
  settings: Pick<RuleSettings, "overlay" | "minPool">,
): AlertCandidate[] {
  const { enabled, ratio, withinMinutesToPost } = settings.overlay;
  if (!enabled || winPoolTooSmall(current, settings.minPool)) return [];
  if (!isNearPost(ctx, current.fetchedAt, withinMinutesToPost)) return [];
  const minutes = minutesToPostAt(ctx, current.fetchedAt);
  const alerts: AlertCandidate[] = [];
  for (const runner of current.runners) {
    const morningLine = runner.morningLine;
    if (morningLine === null || morningLine <= 0) continue;
    const actualRatio = runner.winOdds / morningLine;
    if (actualRatio < ratio) continue;
    alerts.push({
      type: "overlay",
      raceId: ctx.raceId,
      entryId: runner.entryId,
      subject: runner.programNumber,
      triggeredAt: current.fetchedAt,
      thresholdValue: ratio,
      actualValue: actualRatio,
      message:
        `${raceLabel(ctx)} ${runnerLabel(runner.programNumber, runner.horse)}: ML ${oddsMove(morningLine, runner.winOdds)} ` +
        `(${actualRatio.toFixed(2)}x morning line), ${postTimeLabel(minutes)}`,
      details: {
        before: morningLine,
        after: runner.winOdds,
        minutesToPost: minutes,
        morningLine,
      },
      strength: relativeExcess(actualRatio, ratio),
    });
  }
  return alerts;
}
