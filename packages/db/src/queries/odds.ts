import type Database from "better-sqlite3";
import type { Db } from "../client.js";
import { InvalidInputError, UnknownRunnerError } from "../errors.js";
import { readRaw, statement, writeTransaction } from "../sql.js";
import { toDbTime } from "../time.js";
import { compareProgramNumbers } from "@totewatch/tote";
import { resolveRace, type RaceKey, type RaceRef, type WriteResult } from "./races.js";

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
}

export interface ExactaProbableInput {
  first: string;
  second: string;
  /** Probable payout for a $2 ticket. */
  payout: number;
}

export interface ExactaSnapshotInput extends RaceKey {
  fetchedAt: Date;
  totalExactaPool?: number | null;
  probables: ExactaProbableInput[];
}

function entryIdFor(
  db: Db,
  sql: Database.Database,
  key: RaceKey,
  ref: RaceRef,
  program: string,
): [RaceRef, number] {
  const id = ref.entries.get(program);
  if (id !== undefined) return [ref, id];
  // Maybe another process added the runner since we cached the card.
  const fresh = resolveRace(db, sql, key, true);
  const freshId = fresh.entries.get(program);
  if (freshId === undefined) throw new UnknownRunnerError(key, program);
  return [fresh, freshId];
}

/**
 * Records one win-pool snapshot (a row per runner) in one transaction.
 * Recording the same snapshot again is a no-op (UNIQUE entry_id, fetched_at).
 * Throws UnknownRaceError / UnknownRunnerError before writing anything.
 */
export async function recordWinSnapshot(db: Db, snap: WinSnapshotInput): Promise<WriteResult> {
  const fetchedAt = toDbTime(snap.fetchedAt);
  const seen = new Set<string>();
  for (const runner of snap.runners) {
    if (!(runner.winOdds > 0) || !Number.isFinite(runner.winOdds))
      throw new InvalidInputError(`win snapshot: runner ${runner.programNumber} has odds ${runner.winOdds}`);
    if (seen.has(runner.programNumber))
      throw new InvalidInputError(`win snapshot: runner ${runner.programNumber} is listed twice`);
    seen.add(runner.programNumber);
  }
  return writeTransaction(db, (sql) => {
    let ref = resolveRace(db, sql, snap);
    const rows: Array<[number, WinRunnerInput]> = [];
    for (const runner of snap.runners) {
      let entryId: number;
      [ref, entryId] = entryIdFor(db, sql, snap, ref, runner.programNumber);
      rows.push([entryId, runner]);
    }
    const insert = statement(
      sql,
      `INSERT INTO odds_snapshot (race_id, entry_id, fetched_at, win_odds, win_odds_decimal, win_pool_amount, total_win_pool, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (entry_id, fetched_at) DO NOTHING`,
    );
    const now = toDbTime(new Date());
    let inserted = 0;
    for (const [entryId, runner] of rows) {
      inserted += insert.run(
        ref.raceId,
        entryId,
        fetchedAt,
        runner.winOdds,
        runner.winOdds + 1,
        runner.winPoolAmount ?? null,
        snap.totalWinPool ?? null,
        now,
      ).changes;
    }
    return { changed: inserted > 0, rows: inserted };
  });
}

/**
 * Records one exacta-probables snapshot (a row per combination) in one
 * transaction; a repeat is a no-op (UNIQUE race_id, fetched_at, first, second).
 */
export async function recordExactaSnapshot(db: Db, snap: ExactaSnapshotInput): Promise<WriteResult> {
  const fetchedAt = toDbTime(snap.fetchedAt);
  const seen = new Set<string>();
  for (const p of snap.probables) {
    const combination = `${p.first}-${p.second}`;
    if (seen.has(combination))
      throw new InvalidInputError(`exacta snapshot: combination ${combination} is listed twice`);
    seen.add(combination);
    if (p.first === p.second)
      throw new InvalidInputError(
        `exacta snapshot: combination ${p.first}-${p.second} names one runner twice`,
      );
    if (!(p.payout >= 0) || !Number.isFinite(p.payout))
      throw new InvalidInputError(
        `exacta snapshot: combination ${p.first}-${p.second} has payout ${p.payout}`,
      );
  }
  return writeTransaction(db, (sql) => {
    let ref = resolveRace(db, sql, snap);
    for (const p of snap.probables) {
      [ref] = entryIdFor(db, sql, snap, ref, p.first);
      [ref] = entryIdFor(db, sql, snap, ref, p.second);
    }
    const insert = statement(
      sql,
      `INSERT INTO exacta_probable (race_id, fetched_at, first_horse, second_horse, payout, total_exacta_pool, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (race_id, fetched_at, first_horse, second_horse) DO NOTHING`,
    );
    const now = toDbTime(new Date());
    let inserted = 0;
    for (const p of snap.probables) {
      inserted += insert.run(
        ref.raceId,
        fetchedAt,
        p.first,
        p.second,
        p.payout,
        snap.totalExactaPool ?? null,
        now,
      ).changes;
    }
    return { changed: inserted > 0, rows: inserted };
  });
}

export interface RunnerOdds {
  entryId: number;
  programNumber: string;
  horse: string;
  morningLineOdds: number | null;
  scratched: boolean;
  /** Null when the runner has no snapshot yet. */
  fetchedAt: Date | null;
  winOdds: number | null;
  winOddsDecimal: number | null;
  winPoolAmount: number | null;
  totalWinPool: number | null;
}

// Per entry, the newest snapshot by an index seek on idx_odds_entry
// (entry_id, fetched_at DESC): cost grows with the runners, not the table.
export const LATEST_ODDS_SQL = `
  SELECT e.entry_id, e.program_number, h.name AS horse, e.morning_line_odds, e.scratched,
         o.fetched_at, o.win_odds, o.win_odds_decimal, o.win_pool_amount, o.total_win_pool
  FROM entry e
  JOIN horse h ON h.horse_id = e.horse_id
  LEFT JOIN odds_snapshot o ON o.snapshot_id = (
    SELECT s.snapshot_id FROM odds_snapshot s INDEXED BY idx_odds_entry
    WHERE s.entry_id = e.entry_id ORDER BY s.fetched_at DESC LIMIT 1)
  WHERE e.race_id = ?`;

interface RunnerOddsRow {
  entry_id: number;
  program_number: string;
  horse: string;
  morning_line_odds: number | null;
  scratched: number;
  fetched_at: string | null;
  win_odds: number | null;
  win_odds_decimal: number | null;
  win_pool_amount: number | null;
  total_win_pool: number | null;
}

/** The latest odds of every entry of a race, in program order (entries without odds included). */
export async function latestOddsForRace(db: Db, raceId: number): Promise<RunnerOdds[]> {
  return readRaw(db, (sql) =>
    (statement(sql, LATEST_ODDS_SQL).all(raceId) as RunnerOddsRow[])
      .map((r) => ({
        entryId: r.entry_id,
        programNumber: r.program_number,
        horse: r.horse,
        morningLineOdds: r.morning_line_odds,
        scratched: r.scratched === 1,
        fetchedAt: r.fetched_at ? new Date(r.fetched_at) : null,
        winOdds: r.win_odds,
        winOddsDecimal: r.win_odds_decimal,
        winPoolAmount: r.win_pool_amount,
        totalWinPool: r.total_win_pool,
      }))
      .sort((a, b) => compareProgramNumbers(a.programNumber, b.programNumber)),
  );
}

export interface OddsPoint {
  snapshotId: number;
  raceId: number;
  entryId: number;
  programNumber: string;
  fetchedAt: Date;
  winOdds: number | null;
  winOddsDecimal: number | null;
  winPoolAmount: number | null;
  totalWinPool: number | null;
}

export interface TimeRange {
  /** Inclusive. */
  from?: Date;
  /** Inclusive. */
  to?: Date;
}

const ODDS_POINT_SQL = `
  SELECT o.snapshot_id, o.race_id, o.entry_id, e.program_number, o.fetched_at, o.win_odds, o.win_odds_decimal,
         o.win_pool_amount, o.total_win_pool
  FROM odds_snapshot o JOIN entry e ON e.entry_id = o.entry_id`;

interface OddsPointRow {
  snapshot_id: number;
  race_id: number;
  entry_id: number;
  program_number: string;
  fetched_at: string;
  win_odds: number | null;
  win_odds_decimal: number | null;
  win_pool_amount: number | null;
  total_win_pool: number | null;
}

const toOddsPoint = (r: OddsPointRow): OddsPoint => ({
  snapshotId: r.snapshot_id,
  raceId: r.race_id,
  entryId: r.entry_id,
  programNumber: r.program_number,
  fetchedAt: new Date(r.fetched_at),
  winOdds: r.win_odds,
  winOddsDecimal: r.win_odds_decimal,
  winPoolAmount: r.win_pool_amount,
  totalWinPool: r.total_win_pool,
});

const rangeBounds = (range: TimeRange) =>
  [range.from ? toDbTime(range.from) : "", range.to ? toDbTime(range.to) : "\uffff"] as const;

/** An entry's odds over a time range, oldest first. */
export async function oddsHistoryForEntry(
  db: Db,
  entryId: number,
  range: TimeRange = {},
): Promise<OddsPoint[]> {
  return readRaw(db, (sql) =>
    (
      statement(
        sql,
        `${ODDS_POINT_SQL} WHERE o.entry_id = ? AND o.fetched_at >= ? AND o.fetched_at <= ? ORDER BY o.fetched_at`,
      ).all(entryId, ...rangeBounds(range)) as OddsPointRow[]
    ).map(toOddsPoint),
  );
}

/** A race's odds (every runner) over a time range, oldest first. */
export async function oddsHistoryForRace(
  db: Db,
  raceId: number,
  range: TimeRange = {},
): Promise<OddsPoint[]> {
  return readRaw(db, (sql) =>
    (
      statement(
        sql,
        `${ODDS_POINT_SQL} WHERE o.race_id = ? AND o.fetched_at >= ? AND o.fetched_at <= ? ORDER BY o.fetched_at, o.entry_id`,
      ).all(raceId, ...rangeBounds(range)) as OddsPointRow[]
    ).map(toOddsPoint),
  );
}

export interface ExactaGrid {
  raceId: number;
  fetchedAt: Date;
  totalExactaPool: number | null;
  probables: Array<{ exactaId: number; first: string; second: string; payout: number }>;
}

/** The newest exacta probables of a race (one snapshot's whole grid), or null. */
export async function latestExactaGrid(db: Db, raceId: number): Promise<ExactaGrid | null> {
  return readRaw(db, (sql) => {
    const newest = statement(
      sql,
      `SELECT fetched_at FROM exacta_probable WHERE race_id = ? ORDER BY fetched_at DESC LIMIT 1`,
    ).get(raceId) as { fetched_at: string } | undefined;
    return newest ? exactaGridAt(sql, raceId, newest.fetched_at) : null;
  });
}

/** One stored exacta grid (a race at one instant), inside the caller's read. */
export function exactaGridAt(sql: Database.Database, raceId: number, fetchedAt: string): ExactaGrid {
  const rows = statement(
    sql,
    `SELECT exacta_id, first_horse, second_horse, payout, total_exacta_pool FROM exacta_probable
     WHERE race_id = ? AND fetched_at = ? ORDER BY exacta_id`,
  ).all(raceId, fetchedAt) as Array<{
    exacta_id: number;
    first_horse: string;
    second_horse: string;
    payout: number;
    total_exacta_pool: number | null;
  }>;
  return {
    raceId,
    fetchedAt: new Date(fetchedAt),
    totalExactaPool: rows[0]?.total_exacta_pool ?? null,
    probables: rows.map((r) => ({
      exactaId: r.exacta_id,
      first: r.first_horse,
      second: r.second_horse,
      payout: r.payout,
    })),
  };
}
