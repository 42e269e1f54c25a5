/**
 * The dashboard's race board: the card with each runner's newest win odds, and its odds some
 * minutes before the race's newest board (how the market moved since).
 *
 * Invariants: reads only, in one read transaction (the newest board and the earlier prices are
 * of one state of the file). Never a scan of odds_snapshot: the race's newest board is one seek
 * on idx_odds_race_time, and each runner's snapshot (its newest, and its newest at or before
 * each earlier instant) one seek on idx_odds_entry (entry_id, fetched_at DESC), so a board costs
 * 1 + minutesAgo.length seeks per runner however many rows the table holds (board.int.test.ts
 * checks the plans). Earlier instants count back from the race's newest board, not from the
 * clock, so a race whose boards stopped still shows how it moved before they did. Runners in
 * program order (1, 1A, 2, 10), scratched ones included.
 */
import { compareProgramNumbers } from "@totewatch/tote";
import type { Db } from "../../client.js";
import { InvalidInputError } from "../../errors.js";
import type { Entry, OddsSnapshot } from "../../generated/prisma/client.js";
import { readTransaction, type Sql, type SqlRow } from "../../sql.js";
import { fromDbTime, type DbTime } from "../../time.js";
import type { OrNull } from "../odds.js";
import { RACE_SUMMARY_SQL, toRaceSummary, type EntryDetail, type RaceSummary } from "../race-reads.js";

/** A runner's odds `minutesAgo` minutes before the race's newest board (nulls: no snapshot by then). */
export type EarlierOdds = OrNull<Pick<OddsSnapshot, "fetchedAt" | "winOdds">> & {
  /** As asked in RaceBoardOptions.minutesAgo. */
  minutesAgo: number;
};

/** A runner of the card with its newest snapshot (its fields null before its first one). */
export interface BoardRunner
  extends
    EntryDetail,
    Pick<Entry, "scratchedAt">,
    OrNull<Pick<OddsSnapshot, "fetchedAt" | "winOdds" | "winOddsDecimal" | "winPoolAmount">> {
  /** One per RaceBoardOptions.minutesAgo, in that order. */
  earlier: EarlierOdds[];
}

/** A race's board: `fetchedAt` and `totalWinPool` are of the race's newest board (null before the first). */
export interface RaceBoard extends OrNull<Pick<OddsSnapshot, "fetchedAt" | "totalWinPool">> {
  race: RaceSummary;
  runners: BoardRunner[];
}

export interface RaceBoardOptions {
  /** Minutes before the race's newest board to show each runner's odds at; default [5, 15]; at most 10 values, each >= 0. */
  minutesAgo?: readonly number[];
}

const MAX_EARLIER = 10;
const MINUTE_MS = 60_000;

/** The race's newest odds row: its time and pool are the newest board's. */
export const NEWEST_BOARD_SQL = `
  SELECT fetched_at AS "fetchedAt", total_win_pool AS "totalWinPool"
  FROM odds_snapshot INDEXED BY idx_odds_race_time WHERE race_id = ? ORDER BY fetched_at DESC LIMIT 1`;

// Every runner of a race with its newest snapshot at or before an instant (the first `?`): one
// seek on idx_odds_entry per runner, as LATEST_ODDS_SQL. The same text serves the newest board
// (the instant is the race's newest board) and each earlier one.
export const BOARD_AT_SQL = `
  SELECT e.entry_id AS "entryId", e.program_number AS "programNumber", h.name AS horse,
         e.morning_line_odds AS "morningLineOdds", e.jockey, e.trainer, e.scratched, e.scratched_at AS "scratchedAt",
         o.fetched_at AS "fetchedAt", o.win_odds AS "winOdds", o.win_odds_decimal AS "winOddsDecimal",
         o.win_pool_amount AS "winPoolAmount"
  FROM entry e
  JOIN horse h ON h.horse_id = e.horse_id
  LEFT JOIN odds_snapshot o ON o.snapshot_id = (
    SELECT s.snapshot_id FROM odds_snapshot s INDEXED BY idx_odds_entry
    WHERE s.entry_id = e.entry_id AND s.fetched_at <= ? ORDER BY s.fetched_at DESC LIMIT 1)
  WHERE e.race_id = ?`;

type BoardRow = SqlRow<Omit<BoardRunner, "earlier">>;

function validateMinutesAgo(minutesAgo: readonly number[]): void {
  if (!Array.isArray(minutesAgo) || minutesAgo.length > MAX_EARLIER) {
    throw new InvalidInputError(`raceBoard: minutesAgo must be a list of at most ${MAX_EARLIER} numbers`);
  }
  for (const minutes of minutesAgo) {
    if (typeof minutes !== "number" || !Number.isFinite(minutes) || minutes < 0) {
      throw new InvalidInputError(`raceBoard: minutesAgo must be numbers >= 0, got ${String(minutes)}`);
    }
  }
}

const boardAt = (sql: Sql, raceId: number, at: DbTime) => sql.all<BoardRow>(BOARD_AT_SQL, at, raceId);

/**
 * A race's board: each runner's newest snapshot, and for each N of `minutesAgo` its newest
 * snapshot at or before (the race's newest board − N minutes); null when there is no such race.
 */
export async function raceBoard(
  db: Db,
  raceId: number,
  options: RaceBoardOptions = {},
): Promise<RaceBoard | null> {
  const minutesAgo = options.minutesAgo ?? [5, 15];
  validateMinutesAgo(minutesAgo);
  return readTransaction(db, async (sql) => {
    const race = await sql.get<SqlRow<RaceSummary>>(`${RACE_SUMMARY_SQL} WHERE r.race_id = ?`, raceId);
    if (!race) return null;
    const newest = await sql.get<SqlRow<Pick<OddsSnapshot, "fetchedAt" | "totalWinPool">>>(
      NEWEST_BOARD_SQL,
      raceId,
    );
    // Before its first board the race has no instant to count back from: the card alone.
    const rows = await boardAt(sql, raceId, newest?.fetchedAt ?? Number.MAX_SAFE_INTEGER);
    const earlier: Array<{ minutes: number; byEntry: Map<number, BoardRow> }> = [];
    for (const minutes of minutesAgo) {
      const byEntry = new Map<number, BoardRow>();
      if (newest) {
        for (const row of await boardAt(sql, raceId, newest.fetchedAt - Math.round(minutes * MINUTE_MS)))
          byEntry.set(row.entryId, row);
      }
      earlier.push({ minutes, byEntry });
    }
    const runners = rows.map((row): BoardRunner => ({
      ...row,
      scratched: row.scratched === 1,
      scratchedAt: row.scratchedAt !== null ? fromDbTime(row.scratchedAt) : null,
      fetchedAt: row.fetchedAt !== null ? fromDbTime(row.fetchedAt) : null,
      earlier: earlier.map(({ minutes, byEntry }) => {
        const then = byEntry.get(row.entryId);
        return then && then.fetchedAt !== null
          ? { minutesAgo: minutes, fetchedAt: fromDbTime(then.fetchedAt), winOdds: then.winOdds }
          : { minutesAgo: minutes, fetchedAt: null, winOdds: null };
      }),
    }));
    return {
      race: toRaceSummary(race),
      fetchedAt: newest ? fromDbTime(newest.fetchedAt) : null,
      totalWinPool: newest?.totalWinPool ?? null,
      runners: runners.sort((a, b) => compareProgramNumbers(a.programNumber, b.programNumber)),
    };
  });
}
