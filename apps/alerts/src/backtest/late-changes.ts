/**
 * `alerts report late-changes`: for each race that went off in a range of race
 * dates, how far each betting interest's final odds moved from the last board
 * before the off (the price a player last saw), and how much money merged
 * into the win pool after the gates opened. Reads only; stores nothing.
 *
 * The moves are measured as the late-change rule measures them (lateChangeMoves:
 * decimal odds, or shares of the field when the field changed). The rule alerts
 * on the first board after the off whose move reaches the threshold, as it
 * happens; this report shows where the odds ended, on the final board.
 */
import { createTable } from "@totewatch/cli-kit";
import type { TotewatchConfig } from "@totewatch/config";
import { lateChangeBoards, type Db, type LateChangeBoards } from "@totewatch/db";
import type { BoardOddsFormat } from "@totewatch/tote";
import { boardOddsText, raceLabel, signedPercent } from "../rules/common.js";
import { lateChangeMoves, type LateChangeMove } from "../rules/index.js";
import { localDateTime } from "../engine/report.js";
import { boardOddsResolver, settingsResolver } from "../engine/evaluate-units.js";
import { RaceHistory } from "../engine/race-history.js";

export interface LateChangeRace {
  boards: LateChangeBoards;
  /** The track's lateChange.minPercent: the moves at least this big are listed. */
  minPercent: number;
  poolBefore: number | null;
  poolFinal: number | null;
  /** Every interest's move, largest first. */
  moves: LateChangeMove[];
  /** How the track's board quotes odds (config tracks[].oddsFormat): the odds are shown so. Default odds-to-1. */
  boardOdds?: BoardOddsFormat;
}

export interface LateChangeReport {
  races: LateChangeRace[];
}

/** Races dated from..to (each on its track's calendar) that went off and have a board after it. */
export async function lateChangeReport(
  db: Db,
  config: TotewatchConfig,
  options: { from: string; to: string; track?: string; minPercent?: number },
): Promise<LateChangeReport> {
  const settings = settingsResolver(config);
  const boardOdds = boardOddsResolver(config);
  const races: LateChangeRace[] = [];
  for (const boards of await lateChangeBoards(db, options)) {
    const history = new RaceHistory({ entries: boards.entries }, [...boards.lastPreOff, ...boards.final]);
    const [before, final] = history.snapshots;
    if (before === undefined || final === undefined) continue;
    const moves = lateChangeMoves(before, final).sort(
      (a, b) => Math.abs(b.changePercent) - Math.abs(a.changePercent),
    );
    races.push({
      boards,
      minPercent: options.minPercent ?? settings(boards.race.track).lateChange.minPercent,
      poolBefore: before.totalWinPool,
      poolFinal: final.totalWinPool,
      moves,
      boardOdds: boardOdds(boards.race.track),
    });
  }
  return { races };
}

function money(amount: number | null): string {
  return amount === null ? "?" : `$${amount.toLocaleString("en-US")}`;
}

/** "$100,000 -> $112,000 (+$12,000, +12.0%)", or what is known. */
function poolMove(before: number | null, final: number | null): string {
  if (before === null || final === null) return `${money(before)} -> ${money(final)}`;
  const added = final - before;
  const percent = before > 0 ? `, ${signedPercent((added / before) * 100)}` : "";
  return `${money(before)} -> ${money(final)} (${added >= 0 ? "+" : "-"}${money(Math.abs(added))}${percent})`;
}

/** The report as text: one block per race with a late change, then a one-line summary. */
export function formatLateChangeReport(report: LateChangeReport): string {
  const blocks: string[] = [];
  let changed = 0;
  for (const race of report.races) {
    const listed = race.moves.filter((move) => Math.abs(move.changePercent) >= race.minPercent);
    if (listed.length === 0) continue;
    changed++;
    const { race: info, lastPreOff, final } = race.boards;
    const zone = info.timezone;
    const head =
      `${info.raceDate} ${raceLabel(info)}: off ${localDateTime(info.offAt, zone).slice(11)}, ` +
      `win pool ${poolMove(race.poolBefore, race.poolFinal)} ` +
      `from the last board before the off (${localDateTime(lastPreOff[0]!.fetchedAt, zone).slice(11)}) ` +
      `to the final one (${localDateTime(final[0]!.fetchedAt, zone).slice(11)})`;
    const table = createTable(["runner", "last seen", "final", "move", "money before", "money final"]);
    for (const move of listed) {
      table.push([
        move.label,
        boardOddsText(move.before, race.boardOdds),
        boardOddsText(move.after, race.boardOdds),
        `${signedPercent(move.changePercent)}${move.measure === "share" ? " (share)" : ""}`,
        money(move.amountBefore),
        money(move.amountAfter),
      ]);
    }
    blocks.push(`${head}\n${table.toString()}`);
  }
  const went = report.races.length;
  blocks.push(
    went === 0
      ? "No race in range went off with a board after the off."
      : `${changed} of ${went} race(s) with boards after the off had a late change at or above the threshold.`,
  );
  return blocks.join("\n\n");
}
