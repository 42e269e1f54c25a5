/**
 * Rules on the win board: threshold crossings, big moves between consecutive snapshots and
 * overlays against the morning line (steam and drift: move-rules.ts; scratches: scratch.ts).
 * Every rule works on betting interests (a coupled entry 1/1A is one) and returns [] when it is
 * disabled, the win pool is below the minimum, or the board was fetched after the off.
 */
import {
  isNearPost,
  isPreOff,
  minutesToPostAt,
  oddsMove,
  oddsToOneLabel,
  postTimeLabel,
  raceLabel,
  relativeExcess,
  relativeShortfall,
  signedPercent,
  winPoolTooSmall,
} from "./common.js";
import { interestsByKey, interestsOf, type Interest } from "./interests.js";
import { compareBoards, moveDetails } from "./moves.js";
import type { AlertCandidate, RaceContext, RuleSettings, WinSnapshot } from "./types.js";

/** Line start shared by every runner alert: "Saratoga R5 #3 Thunder Road: 5-1 -> 5-2" (the track's odds format). */
export function moveLine(ctx: RaceContext, label: string, before: number, after: number): string {
  return `${raceLabel(ctx)} ${label}: ${oddsMove(before, after, ctx.boardOdds)}`;
}

/** The fields every alert about one interest shares. */
export function interestAlertBase(ctx: RaceContext, interest: Interest, triggeredAt: Date) {
  return { raceId: ctx.raceId, entryId: interest.entryId, subject: interest.key, triggeredAt };
}

/**
 * An interest's board odds crossing `below` (was above it, now at or under) or `above` (was under
 * it, now at or over). A price is a price: this rule reads the board odds as shown, refund or not.
 * Staying beyond a threshold is not a new crossing, and an interest seen for the first time (no
 * previous snapshot, or not in it) has crossed nothing.
 */
export function oddsThresholdAlerts(
  ctx: RaceContext,
  previous: WinSnapshot | null,
  current: WinSnapshot,
  settings: Pick<RuleSettings, "oddsThreshold" | "minPool">,
): AlertCandidate[] {
  const { enabled, below, above } = settings.oddsThreshold;
  if (!enabled || previous === null || winPoolTooSmall(current, settings.minPool)) return [];
  if (!isPreOff(ctx, current.fetchedAt)) return [];
  const minutes = minutesToPostAt(ctx, current.fetchedAt);
  const before = interestsByKey(previous);
  const alerts: AlertCandidate[] = [];
  for (const interest of interestsOf(current)) {
    const was = before.get(interest.key)?.winOdds;
    if (was === undefined) continue;
    const now = interest.winOdds;
    const crossedBelow = below !== null && was > below && now <= below;
    const crossedAbove = above !== null && was < above && now >= above;
    // Most boards cross nothing: the alert's text is only built for a crossing.
    if (!crossedBelow && !crossedAbove) continue;
    const base = {
      ...interestAlertBase(ctx, interest, current.fetchedAt),
      actualValue: now,
      details: { before: was, after: now, minutesToPost: minutes },
    };
    const line = moveLine(ctx, interest.label, was, now);
    if (crossedBelow) {
      alerts.push({
        ...base,
        type: "odds_below",
        thresholdValue: below,
        message: `${line}, at or below ${oddsToOneLabel(below, ctx.boardOdds)}, ${postTimeLabel(minutes)}`,
        strength: relativeShortfall(now, below),
      });
    }
    if (crossedAbove) {
      alerts.push({
        ...base,
        type: "odds_above",
        thresholdValue: above,
        message: `${line}, at or above ${oddsToOneLabel(above, ctx.boardOdds)}, ${postTimeLabel(minutes)}`,
        strength: relativeExcess(now, above),
      });
    }
  }
  return alerts;
}

/**
 * An interest whose decimal move (moves.ts) between two consecutive snapshots is at least
 * `minPercent` either way: on decimal odds with the same field on both boards (1-5 -> 2-5 is
 * 1.2 -> 1.4, +16.7%), on fair odds over the common field when it changed (a scratch refunds
 * money and shortens everyone: that is not a move). A move of 0 never alerts, even with minPercent 0.
 */
export function oddsChangeAlerts(
  ctx: RaceContext,
  previous: WinSnapshot | null,
  current: WinSnapshot,
  settings: Pick<RuleSettings, "oddsChange" | "minPool">,
): AlertCandidate[] {
  const { enabled, minPercent } = settings.oddsChange;
  if (!enabled || previous === null || winPoolTooSmall(current, settings.minPool)) return [];
  if (!isPreOff(ctx, current.fetchedAt)) return [];
  const minutes = minutesToPostAt(ctx, current.fetchedAt);
  const comparison = compareBoards(previous, current);
  const alerts: AlertCandidate[] = [];
  for (const move of comparison.moves) {
    const { changePercent } = move;
    if (changePercent === null || changePercent === 0) continue;
    const magnitude = Math.abs(changePercent);
    if (magnitude < minPercent) continue;
    const was = move.before.winOdds;
    const now = move.now.winOdds;
    const measured = comparison.measure === "share" ? " in fair odds, field changed" : "";
    alerts.push({
      ...interestAlertBase(ctx, move.now, current.fetchedAt),
      type: "odds_change",
      thresholdValue: minPercent,
      actualValue: magnitude,
      message: `${moveLine(ctx, move.now.label, was, now)} (${signedPercent(changePercent)}${measured}), ${postTimeLabel(minutes)}`,
      details: {
        before: was,
        after: now,
        minutesToPost: minutes,
        changePercent,
        ...moveDetails(comparison),
      },
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
 * Overlay: near post (post time known, at most withinMinutesToPost before it, until the off), an
 * interest paying at least `ratio` times what its morning line would, on decimal odds (stake
 * included): (odds + 1) / (ML + 1) >= ratio. On odds-to-1 a short price looks like an overlay
 * (ML 1-2 -> EVEN is "2x") and a long one does not (30-1 -> 45-1 is "1.5x"), though the first
 * pays $4 for $2 instead of $3 (1.33x) and the second $92 instead of $62 (1.48x).
 * Interests without a (positive) morning line are skipped.
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
  for (const interest of interestsOf(current)) {
    const { morningLine, winOdds } = interest;
    if (morningLine === null || morningLine <= 0) continue;
    const actualRatio = (winOdds + 1) / (morningLine + 1);
    if (actualRatio < ratio) continue;
    alerts.push({
      ...interestAlertBase(ctx, interest, current.fetchedAt),
      type: "overlay",
      thresholdValue: ratio,
      actualValue: actualRatio,
      message:
        `${raceLabel(ctx)} ${interest.label}: ML ${oddsMove(morningLine, winOdds, ctx.boardOdds)} ` +
        `(pays ${actualRatio.toFixed(2)}x the morning line), ${postTimeLabel(minutes)}`,
      details: { before: morningLine, after: winOdds, minutesToPost: minutes, morningLine },
      strength: relativeExcess(actualRatio, ratio),
    });
  }
  return alerts;
}
