/** Helpers the rules share: pool minimums, post-time windows, strength, message text. */
import {
  boardOddsText,
  dividendText,
  minutesToPost,
  moneyCentsText,
  runnerLabel,
  wholeMoneyText,
  type BoardOddsFormat,
} from "@totewatch/tote";
import type { ExactaSnapshot, RaceContext, RuleSettings, WinSnapshot } from "./types.js";

/** Minutes to post at `at`, or null when the race has no post time. */
export function minutesToPostAt(ctx: RaceContext, at: Date): number | null {
  return ctx.postTime === null ? null : minutesToPost(ctx.postTime, at);
}

/**
 * True while betting is open as far as the race knows: not off yet, or `at` no later than the
 * off (a board fetched at the off instant is still the last pre-off board).
 */
export function isPreOff(ctx: RaceContext, at: Date): boolean {
  return ctx.offAt === null || at.getTime() <= ctx.offAt.getTime();
}

/**
 * True when post time is known, `at` is at most withinMinutes before it, and the race is not off
 * at `at`. After scheduled post (negative minutes) it stays true until the off: races go late
 * (post drag), and the last minutes of betting are the ones that matter.
 */
export function isNearPost(ctx: RaceContext, at: Date, withinMinutes: number): boolean {
  const minutes = minutesToPostAt(ctx, at);
  return minutes !== null && minutes <= withinMinutes && isPreOff(ctx, at);
}

/** A thin pool makes odds jumpy; an unknown (null) pool is not held against the snapshot. */
export function winPoolTooSmall(win: WinSnapshot, minPool: RuleSettings["minPool"]): boolean {
  return win.totalWinPool !== null && win.totalWinPool < minPool.win;
}

export function exactaPoolTooSmall(exacta: ExactaSnapshot, minPool: RuleSettings["minPool"]): boolean {
  return exacta.totalExactaPool !== null && exacta.totalExactaPool < minPool.exacta;
}

/**
 * How far `beyond` is past `threshold`, as a fraction of the threshold, so rules with
 * different units rank together. A zero threshold has no scale: the raw excess is used.
 */
export function relativeExcess(beyond: number, threshold: number): number {
  const excess = Math.max(0, beyond - threshold);
  return threshold > 0 ? excess / threshold : excess;
}

/** How far `actual` is under `threshold`, as a fraction of the threshold (see relativeExcess). */
export function relativeShortfall(actual: number, threshold: number): number {
  const shortfall = Math.max(0, threshold - actual);
  return threshold > 0 ? shortfall / threshold : shortfall;
}

/** "Saratoga R5" (any race shape that names its track and number). */
export function raceLabel(ctx: Pick<RaceContext, "track" | "raceNumber">): string {
  return `${ctx.track} R${ctx.raceNumber}`;
}

/** "8 min to post", "2 min after post", "post time unknown" (whole minutes, rounded). */
export function postTimeLabel(minutes: number | null): string {
  if (minutes === null) return "post time unknown";
  const whole = Math.round(minutes);
  return whole >= 0 ? `${whole} min to post` : `${-whole} min after post`;
}

/** "5-1 -> 5-2" in the board's form ("2.3-1" for a price no US board shows; "6.00 -> 3.50" on a decimal tote). */
export function oddsMove(before: number, after: number, board?: BoardOddsFormat): string {
  return `${boardOddsText(before, board)} -> ${boardOddsText(after, board)}`;
}

/**
 * A threshold exactly as configured ("2.5-1"): board rounding would misstate it. A decimal tote's
 * is its dividend ("3.50"), as the prices beside it are.
 */
export function oddsToOneLabel(oddsToOne: number, board?: BoardOddsFormat): string {
  return board?.oddsFormat === "decimal" ? dividendText(oddsToOne, board.dividendUnit) : `${oddsToOne}-1`;
}

/** "$12.40", "£12.40": a payout in the track's currency (its board's `currency`; default dollars). */
export function dollars(amount: number, board?: Pick<BoardOddsFormat, "currency">): string {
  return moneyCentsText(amount, board?.currency);
}

/** "$49,000", "€49,000": whole currency units with thousands separators. */
export function wholeDollars(amount: number, board?: Pick<BoardOddsFormat, "currency">): string {
  return wholeMoneyText(amount, board?.currency);
}

/** "#3 Thunder Road" (from @totewatch/tote, which labels betting interests the same way). */
// Shared with the dashboard, so they live in @totewatch/tote; re-exported for the rules and delivery.
export { boardOddsText, dividendText, runnerLabel };

/** Percent with sign and one decimal: "+98.0%", "-12.5%". */
export function signedPercent(percent: number): string {
  return `${percent >= 0 ? "+" : ""}${percent.toFixed(1)}%`;
}
