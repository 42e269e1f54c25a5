/**
 * Rules on exacta probables: payouts outside a configured band, and payouts out of line
 * with what the win pool implies (Harville). Both work on betting interests: "1A-2" is the
 * interest combination "1-2" (a coupled entry is one runner in the exacta), a grid listing both
 * "1-2" and "1A-2" is judged once (the first seen), and "1-1A" (one interest twice) is skipped.
 * Each returns [] when its rule is disabled, the pools are below their minimums, or the grid was
 * fetched after the off.
 */
import {
  fairExactaOf,
  interestCombinationOf,
  percentOverFair,
  probablesByCombination,
} from "@totewatch/tote";
import {
  dollars,
  exactaPoolTooSmall,
  isNearPost,
  isPreOff,
  minutesToPostAt,
  postTimeLabel,
  raceLabel,
  relativeExcess,
  relativeShortfall,
  signedPercent,
  winPoolTooSmall,
} from "./common.js";
import { interestKeyOf, interestsOf, winProbabilities, type Interest } from "./interests.js";
import type { AlertCandidate, ExactaSnapshot, RaceContext, RuleSettings, WinSnapshot } from "./types.js";

export { interestCombinationOf };

const MS_PER_SECOND = 1000;

/** A configured combination ("1A - 4") as the interest combination it bets ("1-4"). */
function settingCombination(combination: string): string | null {
  const [first = "", second = ""] = combination.replace(/\s+/g, "").split("-");
  return interestCombinationOf({ first, second });
}

/**
 * A probable paying less than `min` ("exacta_low") or more than `max` ("exacta_high") for $2;
 * only the listed `combinations` when the list is non-empty, matched as interest combinations
 * ("1A-4" in the settings matches "1-4" on the grid, and the other way round).
 */
export function exactaPayoutAlerts(
  ctx: RaceContext,
  exacta: ExactaSnapshot,
  settings: Pick<RuleSettings, "exactaPayout" | "minPool">,
): AlertCandidate[] {
  const { enabled, min, max, combinations } = settings.exactaPayout;
  if (!enabled || exactaPoolTooSmall(exacta, settings.minPool) || !isPreOff(ctx, exacta.fetchedAt)) return [];
  const wanted = new Set(combinations.map(settingCombination));
  const minutes = minutesToPostAt(ctx, exacta.fetchedAt);
  const alerts: AlertCandidate[] = [];
  // Payouts of 0 or less are dropped (the feed no longer stores them, older files may hold them).
  for (const [combination, probable] of probablesByCombination(exacta.probables)) {
    if (wanted.size > 0 && !wanted.has(combination)) continue;
    const { payout } = probable;
    const base = {
      raceId: ctx.raceId,
      entryId: null,
      subject: combination,
      triggeredAt: exacta.fetchedAt,
      actualValue: payout,
      details: { after: payout, minutesToPost: minutes },
    };
    const line = `${raceLabel(ctx)} exacta ${combination} probable ${dollars(payout, ctx.boardOdds)}`;
    if (min !== null && payout < min) {
      alerts.push({
        ...base,
        type: "exacta_low",
        thresholdValue: min,
        message: `${line}, below ${dollars(min, ctx.boardOdds)}, ${postTimeLabel(minutes)}`,
        strength: relativeShortfall(payout, min),
      });
    }
    if (max !== null && payout > max) {
      alerts.push({
        ...base,
        type: "exacta_high",
        thresholdValue: max,
        message: `${line}, above ${dollars(max, ctx.boardOdds)}, ${postTimeLabel(minutes)}`,
        strength: relativeExcess(payout, max),
      });
    }
  }
  return alerts;
}

/**
 * Cross-pool value: the win board implies a probability for every exacta (Harville on the
 * interests' win probabilities: pool shares when the board has every interest's amount, else the
 * normalized odds), hence a fair $2 payout after `exactaTakeout`. A probable paying
 * >= overlayPercent more than fair is an "exacta_overlay"; >= underlayPercent less, an
 * "exacta_underlay". Probables naming an interest missing from the win snapshot are skipped.
 * Both pools must meet their minimums: a thin win pool makes the fair price itself unreliable.
 * Only within withinMinutesToPost before post, until the off (post time unknown: never): early
 * exacta pools are thin and their probables swing on single tickets, which is noise, not value.
 * The two boards must be at most maxWinAgeSeconds apart: a win board left behind (win polling
 * failing while exacta grids keep arriving) prices the exacta from odds that no longer hold.
 * The pricing is @totewatch/tote's (fairExactaOf, percentOverFair), as exactaValueGrid prices a
 * whole grid for display.
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

  const interests = interestsOf(win);
  const probabilities = winProbabilities(interests);
  const byKey = new Map<string, { interest: Interest; probability: number }>(
    interests.map((interest) => [
      interest.key,
      { interest, probability: probabilities.byKey.get(interest.key)! },
    ]),
  );
  const priced = probabilities.source === "pool" ? "the win pool" : "win odds";
  const minutes = minutesToPostAt(ctx, exacta.fetchedAt);
  const alerts: AlertCandidate[] = [];
  for (const [combination, probable] of probablesByCombination(exacta.probables)) {
    const first = byKey.get(interestKeyOf(probable.first));
    const second = byKey.get(interestKeyOf(probable.second));
    if (first === undefined || second === undefined) continue;
    // An interest at probability 1 (or 0) leaves no finite fair price to compare with.
    const fairPrice = fairExactaOf(first.probability, second.probability, exactaTakeout);
    if (fairPrice === null) continue;

    const { probability, fair } = fairPrice;
    const percent = percentOverFair(probable.payout, fair);
    const isOverlay = percent >= overlayPercent;
    const isUnderlay = percent <= -underlayPercent;
    if (!isOverlay && !isUnderlay) continue;

    alerts.push({
      type: isOverlay ? "exacta_overlay" : "exacta_underlay",
      raceId: ctx.raceId,
      entryId: null,
      subject: combination,
      triggeredAt: exacta.fetchedAt,
      thresholdValue: isOverlay ? overlayPercent : -underlayPercent,
      actualValue: percent,
      message:
        `${raceLabel(ctx)} exacta ${combination} (${first.interest.label} over ${second.interest.label}) ` +
        `probable ${dollars(probable.payout, ctx.boardOdds)} vs fair ${dollars(fair, ctx.boardOdds)} from ${priced} ` +
        `(${signedPercent(percent)}, ${isOverlay ? "overlay" : "underlay"}), ${postTimeLabel(minutes)}`,
      details: {
        after: probable.payout,
        fair,
        minutesToPost: minutes,
        harvilleProbability: probability,
        firstWinProbability: first.probability,
        secondWinProbability: second.probability,
        probabilitySource: probabilities.source,
        winFetchedAt: win.fetchedAt.toISOString(),
      },
      strength: isOverlay
        ? relativeExcess(percent, overlayPercent)
        : relativeExcess(-percent, underlayPercent),
    });
  }
  return alerts;
}
