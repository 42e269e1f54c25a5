/**
 * Win odds: one row per runner per observed instant (odds_snapshot), written
 * by recordWinSnapshot and read as the latest board or as history.
 *
 * Invariants: a snapshot is written whole or not at all, together with the
 * scratches its board shows ("SCR", scratches.ts); recording the same one
 * again is a no-op (UNIQUE entry_id, fetched_at; a scratch time only moves
 * earlier); no odds are written for a race or runner the card does not know,
 * and a scratch of a runner it does not know is ignored. latestOddsForRace is on the
 * alerts' hot path: it seeks idx_odds_entry per runner (schema.int.test.ts
 * checks the plan), so its cost grows with the runners, not the table.
 */
import { compareProgramNumbers, oddsToDecimal } from "@totewatch/tote";
import type { Db } from "../client.js";
import { InvalidInputError } from "../errors.js";
import type { Entry, Horse, OddsSnapshot } from "../generated/prisma/client.js";
import { entryIdFor, resolveRace } from "../race-refs.js";
import { readRaw, writeTransaction, type Sql, type SqlParam, type SqlRow } from "../sql.js";
import { fromDbTime, toDbTime, type DbTime } from "../time.js";
import type { RaceKey, WriteResult } from "./races.js";
import { scratchFromBoard } from "./scratches.js";

/** One runner's price in a win snapshot (a write input). */
export interface WinRunnerInput {
  programNumber: string;
  /** Odds-to-1 (5-2 -> 2.5). */
  winOdds: number;
  winPoolAmount?: number | null;
}

export interface WinSnapshotInput extends RaceKey {
  fetchedAt: Date;
  totalWinPool?: number | null;
  runners: WinRunnerInput[];
  /**
   * Program numbers the board lists as scratched ("SCR"): each is scratched on
   * the card, known since `fetchedAt` unless known earlier. Runners the card
   * does not list are ignored. No odds now for another reason (null) is not a scratch.
   */
  scratched?: readonly string[];
}

/**
 * Refuses a board that cannot be stored (InvalidInputError): odds not a positive number, a
 * runner listed twice (scratched and with odds counts as twice). Before anything is written.
 */
export function checkWinSnapshot(snap: WinSnapshotInput): void {
  const seen = new Set<string>();
  for (const runner of snap.runners) {
    if (!(runner.winOdds > 0) || !Number.isFinite(runner.winOdds))
      throw new InvalidInputError(`win snapshot: runner ${runner.programNumber} has odds ${runner.winOdds}`);
    if (seen.has(runner.programNumber))
      throw new InvalidInputError(`win snapshot: runner ${runner.programNumber} is listed twice`);
    seen.add(runner.programNumber);
  }
  for (const program of snap.scratched ?? []) {
    if (seen.has(program))
      throw new InvalidInputError(
        `win snapshot: runner ${program} is listed twice (scratched and with odds)`,
      );
    seen.add(program);
  }
}

/** A board's rows: a repeat of one (same runner, same instant) stores nothing. */
export const WIN_INSERT = `INSERT INTO odds_snapshot (race_id, entry_id, fetched_at, win_odds, win_odds_decimal, win_pool_amount, total_win_pool, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (entry_id, fetched_at) DO NOTHING`;

/** A checked board's race and its WIN_INSERT rows, in the caller's write transaction (UnknownRaceError, UnknownRunnerError). */
export async function winSnapshotRows(
  db: Db,
  sql: Sql,
  snap: WinSnapshotInput,
  now: DbTime,
): Promise<{ raceId: number; rows: SqlParam[][] }> {
  const fetchedAt = toDbTime(snap.fetchedAt);
  let ref = await resolveRace(db, sql, snap);
  const rows: SqlParam[][] = [];
  for (const runner of snap.runners) {
    // A runner the cached card knows needs no look-up (nor an await).
    let entryId = ref.entries.get(runner.programNumber);
    if (entryId === undefined) [ref, entryId] = await entryIdFor(db, sql, snap, ref, runner.programNumber);
    rows.push([
      ref.raceId,
      entryId,
      fetchedAt,
      runner.winOdds,
      oddsToDecimal(runner.winOdds),
      runner.winPoolAmount ?? null,
      snap.totalWinPool ?? null,
      now,
    ]);
  }
  // A later look-up may have refreshed the ref; the race's id is the same.
  return { raceId: ref.raceId, rows };
}

/**
 * Records one win-pool snapshot (a row per runner) in one transaction, with
 * the scratches it shows (scratches.ts: scratched_at = the earlier of the stored
 * time and fetchedAt). Recording the same snapshot again is a no-op.
 * Throws UnknownRaceError / UnknownRunnerError before writing anything.
 */
export async function recordWinSnapshot(db: Db, snap: WinSnapshotInput): Promise<WriteResult> {
  checkWinSnapshot(snap);
  return writeTransaction(db, async (sql) => {
    const now = toDbTime(new Date());
    const { raceId, rows } = await winSnapshotRows(db, sql, snap, now);
    // The board's scratches first: a repeat of the board changes neither them nor its rows.
    let written = await scratchFromBoard(sql, raceId, snap.scratched ?? [], toDbTime(snap.fetchedAt), now);
    written += await sql.runEach(WIN_INSERT, rows);
    return { changed: written > 0, rows: written };
  });
}

type SnapshotFigures = "winOdds" | "winOddsDecimal" | "winPoolAmount" | "totalWinPool";

/** Each field of T, or null (a LEFT JOIN that found no row). */
export type OrNull<T> = { [K in keyof T]: T[K] | null };

/** A runner of the card with its newest snapshot; the snapshot's fields are null before its first one. */
export interface RunnerOdds
  extends
    Pick<Entry, "programNumber" | "morningLineOdds" | "scratched">,
    OrNull<Pick<OddsSnapshot, "fetchedAt" | SnapshotFigures>> {
  entryId: Entry["id"];
  horse: Horse["name"];
}

// Per entry, the newest snapshot by an index seek on idx_odds_entry
// (entry_id, fetched_at DESC): cost grows with the runners, not the table.
export const LATEST_ODDS_SQL = `
  SELECT e.entry_id AS "entryId", e.program_number AS "programNumber", h.name AS horse,
         e.morning_line_odds AS "morningLineOdds", e.scratched, o.fetched_at AS "fetchedAt", o.win_odds AS "winOdds",
         o.win_odds_decimal AS "winOddsDecimal", o.win_pool_amount AS "winPoolAmount", o.total_win_pool AS "totalWinPool"
  FROM entry e
  JOIN horse h ON h.horse_id = e.horse_id
  LEFT JOIN odds_snapshot o ON o.snapshot_id = (
    SELECT s.snapshot_id FROM odds_snapshot s INDEXED BY idx_odds_entry
    WHERE s.entry_id = e.entry_id ORDER BY s.fetched_at DESC LIMIT 1)
  WHERE e.race_id = ?`;

/** The latest odds of every entry of a race, in program order (entries without odds included). */
export async function latestOddsForRace(db: Db, raceId: number): Promise<RunnerOdds[]> {
  return readRaw(db, async (sql) =>
    (await sql.all<SqlRow<RunnerOdds>>(LATEST_ODDS_SQL, raceId))
      .map((row) => ({
        ...row,
        scratched: row.scratched === 1,
        fetchedAt: row.fetchedAt !== null ? fromDbTime(row.fetchedAt) : null,
      }))
      .sort((a, b) => compareProgramNumbers(a.programNumber, b.programNumber)),
  );
}

/** One stored snapshot row of a runner. */
export interface OddsPoint extends Pick<OddsSnapshot, "raceId" | "entryId" | "fetchedAt" | SnapshotFigures> {
  snapshotId: OddsSnapshot["id"];
  programNumber: Entry["programNumber"];
}

export interface TimeRange {
  /** Inclusive. */
  from?: Date;
  /** Inclusive. */
  to?: Date;
}

const ODDS_POINT_SQL = `
  SELECT o.snapshot_id AS "snapshotId", o.race_id AS "raceId", o.entry_id AS "entryId", e.program_number AS "programNumber",
         o.fetched_at AS "fetchedAt", o.win_odds AS "winOdds", o.win_odds_decimal AS "winOddsDecimal",
         o.win_pool_amount AS "winPoolAmount", o.total_win_pool AS "totalWinPool"
  FROM odds_snapshot o JOIN entry e ON e.entry_id = o.entry_id`;

const toOddsPoint = (row: SqlRow<OddsPoint>): OddsPoint => ({ ...row, fetchedAt: fromDbTime(row.fetchedAt) });

const rangeBounds = (range: TimeRange) =>
  [
    range.from ? toDbTime(range.from) : Number.MIN_SAFE_INTEGER,
    range.to ? toDbTime(range.to) : Number.MAX_SAFE_INTEGER,
  ] as const;

/** An entry's odds over a time range, oldest first. */
export async function oddsHistoryForEntry(
  db: Db,
  entryId: number,
  range: TimeRange = {},
): Promise<OddsPoint[]> {
  return readRaw(db, async (sql) =>
    (
      await sql.all<SqlRow<OddsPoint>>(
        `${ODDS_POINT_SQL} WHERE o.entry_id = ? AND o.fetched_at >= ? AND o.fetched_at <= ? ORDER BY o.fetched_at`,
        entryId,
        ...rangeBounds(range),
      )
    ).map(toOddsPoint),
  );
}

/** A race's odds (every runner) over a time range, oldest first. */
export async function oddsHistoryForRace(
  db: Db,
  raceId: number,
  range: TimeRange = {},
): Promise<OddsPoint[]> {
  return readRaw(db, async (sql) =>
    (
      await sql.all<SqlRow<OddsPoint>>(
        `${ODDS_POINT_SQL} WHERE o.race_id = ? AND o.fetched_at >= ? AND o.fetched_at <= ? ORDER BY o.fetched_at, o.entry_id`,
        raceId,
        ...rangeBounds(range),
      )
    ).map(toOddsPoint),
  );
}
