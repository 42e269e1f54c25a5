/**
 * Late odds changes: US pools keep merging after the gates open (simulcast hubs send their last
 * bets late), so the final odds can differ from the last board anyone could bet on. A board
 * fetched after the off is compared with the last pre-off board, once per interest per race.
 */
import {
  minutesToPostAt,
  postTimeLabel,
  relativeExcess,
  signedPercent,
  wholeDollars,
  winPoolTooSmall,
} from "./common.js";
import type { ProbabilitySource } from "./interests.js";
import { compareBoards, type MoveMeasure } from "./moves.js";
import type { AlertCandidate, RaceContext, RuleSettings, WinSnapshot } from "./types.js";
import { moveLine } from "./win-rules.js";

/** How one interest's price moved from the last pre-off board to a post-off one. */
export interface LateChangeMove {
  /** The betting interest ("1" for the entry 1/1A). */
  interest: string;
  /** "#1/1A Speedy Sam & Coupled Mate", as on the later board. */
  label: string;
  /** The lead member's entry. */
  entryId: number;
  /** Odds-to-1 on the last pre-off board. */
  before: number;
  /** Odds-to-1 on the later board. */
  after: number;
  /** The decimal move in percent (moves.ts): on decimal odds, or on fair odds when the field changed. */
  changePercent: number;
  measure: MoveMeasure;
  /** Where the shares came from when measured on shares; null when measured on odds. */
  probabilitySource: ProbabilitySource | null;
  amountBefore: number | null;
  amountAfter: number | null;
}

/**
 * Every interest on both boards with its move from `lastPreOff` to `final`, in program order
 * (interests whose share is 0 on either board have no price to compare and are left out).
 * For the late_change rule and for a report of a race's late moves.
 */
export function lateChangeMoves(lastPreOff: WinSnapshot, final: WinSnapshot): LateChangeMove[] {
  const comparison = compareBoards(lastPreOff, final);
  return comparison.moves.flatMap((move) =>
    move.changePercent === null
      ? []
      : [
          {
            interest: move.key,
            label: move.now.label,
            entryId: move.now.entryId,
            before: move.before.winOdds,
            after: move.now.winOdds,
            changePercent: move.changePercent,
            measure: comparison.measure,
            probabilitySource: comparison.measure === "share" ? comparison.source : null,
            amountBefore: move.amountBefore,
            amountAfter: move.amountNow,
          },
        ],
  );
}

/**
 * For `current`, a board fetched after the off (ctx.offAt), each interest whose decimal move from
 * `lastPreOff` (the last board fetched at or before the off) is at least minPercent either way.
 * The win pool minimum is checked on `lastPreOff`, the board bettors saw. The candidate's
 * `occasion` is the race, so every later post-off board makes the same dedupe key: one late
 * change per interest per race, raised on the first post-off board whose move reaches minPercent
 * (a player hears of it as it happens; `alerts report late-changes` shows the final board).
 */
export function lateChangeAlerts(
  ctx: RaceContext,
  lastPreOff: WinSnapshot,
  current: WinSnapshot,
  settings: Pick<RuleSettings, "lateChange" | "minPool">,
): AlertCandidate[] {
  const { enabled, minPercent } = settings.lateChange;
  const { offAt } = ctx;
  if (!enabled || offAt === null || winPoolTooSmall(lastPreOff, settings.minPool)) return [];
  if (lastPreOff.fetchedAt.getTime() > offAt.getTime() || current.fetchedAt.getTime() <= offAt.getTime())
    return [];
  const minutes = minutesToPostAt(ctx, current.fetchedAt);
  const poolBefore = lastPreOff.totalWinPool;
  const poolAfter = current.totalWinPool;
  const pools =
    poolBefore === null || poolAfter === null
      ? ""
      : `, win pool ${wholeDollars(poolBefore, ctx.boardOdds)} -> ${wholeDollars(poolAfter, ctx.boardOdds)}`;
  const alerts: AlertCandidate[] = [];
  for (const move of lateChangeMoves(lastPreOff, current)) {
    const magnitude = Math.abs(move.changePercent);
    if (move.changePercent === 0 || magnitude < minPercent) continue;
    const measured = move.measure === "share" ? " in fair odds, field changed" : "";
    alerts.push({
      type: "late_change",
      raceId: ctx.raceId,
      entryId: move.entryId,
      subject: move.interest,
      triggeredAt: current.fetchedAt,
      occasion: "race",
      // Signed, as the move went (-34 is a shortening), with the threshold on the same side.
      thresholdValue: move.changePercent < 0 ? -minPercent : minPercent,
      actualValue: move.changePercent,
      message:
        `${moveLine(ctx, move.label, move.before, move.after)} after the off ` +
        `(${signedPercent(move.changePercent)}${measured})${pools}, ${postTimeLabel(minutes)}`,
      details: {
        before: move.before,
        after: move.after,
        minutesToPost: minutes,
        changePercent: move.changePercent,
        measure: move.measure,
        ...(move.probabilitySource === null ? {} : { probabilitySource: move.probabilitySource }),
        poolBefore,
        poolAfter,
        ...(move.amountBefore === null ? {} : { amountBefore: move.amountBefore }),
        ...(move.amountAfter === null ? {} : { amountAfter: move.amountAfter }),
        offAt: offAt.toISOString(),
        lastPreOffFetchedAt: lastPreOff.fetchedAt.toISOString(),
      },
      strength: relativeExcess(magnitude, minPercent),
    });
  }
  return alerts;
}
