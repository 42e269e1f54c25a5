/**
 * Rules on exacta probables: payouts outside a configured band, and payouts out of line
 * with what the win pool implies (Harville). Each returns [] when its rule is disabled or
 * the pools are below their minimums.
 */
import { fairExactaPayout, harvilleExactaProbability, normalizedWinProbabilities } from "@totewatch/tote";
import {
  dollars,
  exactaPoolTooSmall,
  isNearPost,
  minutesToPostAt,
  postTimeLabel,
  raceLabel,
  relativeExcess,
  relativeShortfall,
  runnerLabel,
  signedPercent,
  winPoolTooSmall,
} from "./common.js";
import type {
  AlertCandidate,
  ExactaProbable,
  ExactaSnapshot,
  RaceContext,
  RuleSettings,
  RunnerOdds,
  WinSnapshot,
} from "./types.js";

const MS_PER_SECOND = 1000;

/** Program numbers compared as the feed may spell them: " 1a" and "1A" are the same runner. */
function programKey(programNumber: string): string {
  return programNumber.trim().toUpperCase();
}

/** "1-2", and the key that makes "1 - 2" in the settings match it. */
function combinationOf(probable: ExactaProbable): string {
  return `${probable.first.trim()}-${probable.second.trim()}`;
}

function combinationKey(combination: string): string {
  return combination.replace(/\s+/g, "").toUpperCase();
}

/**
 * A probable paying less than `min` ("exacta_low") or more than `max` ("exacta_high") for $2;
 * only the listed `combinations` ("1-2") when the list is non-empty.
 */
export function exactaPayoutAlerts(
  ctx: RaceContext,
  exacta: ExactaSnapshot,
  settings: Pick<RuleSettings, "exactaPayout" | "minPool">,
): AlertCandidate[] {
  const { enabled, min, max, combinations } = settings.exactaPayout;
  if (!enabled || exactaPoolTooSmall(exacta, settings.minPool)) return [];
  const wanted = new Set(combinations.map(combinationKey));
  const minutes = minutesToPostAt(ctx, exacta.fetchedAt);
  const alerts: AlertCandidate[] = [];
  for (const probable of exacta.probables) {
    const combination = combinationOf(probable);
    if (wanted.size > 0 && !wanted.has(combinationKey(combination))) continue;
    const { payout } = probable;
    const base = {
      raceId: ctx.raceId,
      entryId: null,
      subject: combination,
      triggeredAt: exacta.fetchedAt,
      actualValue: payout,
      details: { after: payout, minutesToPost: minutes },
    };
    const line = `${raceLabel(ctx)} exacta ${combination} probable ${dollars(payout)}`;
    if (min !== null && payout < min) {
      alerts.push({
        ...base,
        type: "exacta_low",
        thresholdValue: min,
        message: `${line}, below ${dollars(min)}, ${postTimeLabel(minutes)}`,
        strength: relativeShortfall(payout, min),
      });
    }
    if (max !== null && payout > max) {
      alerts.push({
        ...base,
        type: "exacta_high",
        thresholdValue: max,
        message: `${line}, above ${dollars(max)}, ${postTimeLabel(minutes)}`,
        strength: relativeExcess(payout, max),
      });
    }
  }
  return alerts;
}

/**
 * Cross-pool value: the win board implies a probability for every exacta (Harville on the
 * normalized win probabilities), hence a fair $2 payout after `exactaTakeout`. A probable
 * paying >= overlayPercent more than fair is an "exacta_overlay"; >= underlayPercent less,
 * an "exacta_underlay". Probables naming a runner missing from the win snapshot are skipped.
 * Both pools must meet their minimums: a thin win pool makes the fair price itself unreliable.
 * Only within withinMinutesToPost before post (post time unknown: never): early exacta pools are
 * thin and their probables swing on single tickets, which is noise, not value. The two boards must
 * be at most maxWinAgeSeconds apart: a win board left behind (win polling failing while exacta
 * grids keep arriving) prices the exacta from odds that no longer hold.
 */
export function crossPoolAlerts(
  ctx: RaceContext,
  win: WinSnapshot,
  exacta: ExactaSnapshot,
  settings: Pick<RuleSettings, "crossPool" | "minPool">,
): AlertCandidate[] {
  const { enabled, overlayPercent, underlayPercent, exactaTakeout, withinMinutesToPost, maxWinAgeSeconds } =
    settings.crossPool;
  const boardsApartMs = Math.abs(exacta.fetchedAt.getTime() - win.fetchedAt.getTime());
  if (
    !enabled ||
    boardsApartMs > maxWinAgeSeconds * MS_PER_SECOND ||
    !isNearPost(ctx, exacta.fetchedAt, withinMinutesToPost) ||
    exactaPoolTooSmall(exacta, settings.minPool) ||
    winPoolTooSmall(win, settings.minPool)
  )
    return [];

  const probabilities = normalizedWinProbabilities(win.runners.map((runner) => runner.winOdds));
  const byProgram = new Map<string, { runner: RunnerOdds; probability: number }>(
    win.runners.map((runner, i) => [
      programKey(runner.programNumber),
      { runner, probability: probabilities[i]! },
    ]),
  );
  const minutes = minutesToPostAt(ctx, exacta.fetchedAt);
  const alerts: AlertCandidate[] = [];
  for (const probable of exacta.probables) {
    const first = byProgram.get(programKey(probable.first));
    const second = byProgram.get(programKey(probable.second));
    if (first === undefined || second === undefined || first === second) continue;
    // A runner at probability 1 (or 0) leaves no finite fair price to compare with.
    if (first.probability >= 1 || first.probability <= 0 || second.probability <= 0) continue;

    const probability = harvilleExactaProbability(first.probability, second.probability);
    const fair = fairExactaPayout(probability, exactaTakeout, 2);
    const percent = ((probable.payout - fair) / fair) * 100;
    const isOverlay = percent >= overlayPercent;
    const isUnderlay = percent <= -underlayPercent;
    if (!isOverlay && !isUnderlay) continue;

    const combination = combinationOf(probable);
    const runners = `${runnerLabel(first.runner.programNumber, first.runner.horse)} over ${runnerLabel(second.runner.programNumber, second.runner.horse)}`;
    alerts.push({
      type: isOverlay ? "exacta_overlay" : "exacta_underlay",
      raceId: ctx.raceId,
      entryId: null,
      subject: combination,
      triggeredAt: exacta.fetchedAt,
      thresholdValue: isOverlay ? overlayPercent : -underlayPercent,
      actualValue: percent,
      message:
        `${raceLabel(ctx)} exacta ${combination} (${runners}) probable ${dollars(probable.payout)} ` +
        `vs fair ${dollars(fair)} from win odds (${signedPercent(percent)}, ${isOverlay ? "overlay" : "underlay"}), ` +
        postTimeLabel(minutes),
      details: {
        after: probable.payout,
        fair,
        minutesToPost: minutes,
        harvilleProbability: probability,
        firstWinProbability: first.probability,
        secondWinProbability: second.probability,
        winFetchedAt: win.fetchedAt.toISOString(),
      },
      strength: isOverlay
        ? relativeExcess(percent, overlayPercent)
        : relativeExcess(-percent, underlayPercent),
    });
  }
  return alerts;
}
