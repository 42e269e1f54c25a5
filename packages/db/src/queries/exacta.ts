/**
 * Exacta probables: one row per (first, second) combination per observed
 * instant (exacta_probable); a race's rows at one instant form a grid.
 *
 * Invariants: a grid is written whole or not at all; recording it again is
 * a no-op (UNIQUE race_id, fetched_at, first_horse, second_horse); every
 * combination names two different runners the card knows.
 */
import type { Db } from "../client.js";
import { InvalidInputError } from "../errors.js";
import type { ExactaProbable } from "../generated/prisma/client.js";
import { entryIdFor, resolveRace } from "../race-refs.js";
import { readRaw, writeTransaction, type Sql, type SqlParam, type SqlRow } from "../sql.js";
import { fromDbTime, toDbTime, type DbTime } from "../time.js";
import type { RaceKey, WriteResult } from "./races.js";

/** One combination's probable payout (a write input, also the grid's cell). */
export interface ExactaProbableInput {
  first: ExactaProbable["firstHorse"];
  second: ExactaProbable["secondHorse"];
  /** Probable payout for a $2 ticket. */
  payout: ExactaProbable["payout"];
}

export interface ExactaSnapshotInput extends RaceKey {
  fetchedAt: Date;
  totalExactaPool?: number | null;
  probables: ExactaProbableInput[];
}

/**
 * Refuses a grid that cannot be stored (InvalidInputError): a combination listed twice or
 * naming one runner twice, a payout not a number >= 0. Before anything is written.
 */
export function checkExactaSnapshot(snap: ExactaSnapshotInput): void {
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
}

/** A grid's rows: a repeat of one (same race, instant and combination) stores nothing. */
export const EXACTA_INSERT = `INSERT INTO exacta_probable (race_id, fetched_at, first_horse, second_horse, payout, total_exacta_pool, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (race_id, fetched_at, first_horse, second_horse) DO NOTHING`;

/** A checked grid's EXACTA_INSERT rows, in the caller's write transaction (UnknownRaceError, UnknownRunnerError). */
export async function exactaSnapshotRows(
  db: Db,
  sql: Sql,
  snap: ExactaSnapshotInput,
  now: DbTime,
): Promise<SqlParam[][]> {
  let ref = await resolveRace(db, sql, snap);
  for (const p of snap.probables) {
    // A runner the cached card knows needs no look-up (nor an await: a grid names 156 pairs).
    if (!ref.entries.has(p.first)) [ref] = await entryIdFor(db, sql, snap, ref, p.first);
    if (!ref.entries.has(p.second)) [ref] = await entryIdFor(db, sql, snap, ref, p.second);
  }
  const fetchedAt = toDbTime(snap.fetchedAt);
  const raceId = ref.raceId;
  return snap.probables.map((p) => [
    raceId,
    fetchedAt,
    p.first,
    p.second,
    p.payout,
    snap.totalExactaPool ?? null,
    now,
  ]);
}

/**
 * Records one exacta-probables snapshot (a row per combination) in one
 * transaction; a repeat is a no-op (UNIQUE race_id, fetched_at, first, second).
 */
export async function recordExactaSnapshot(db: Db, snap: ExactaSnapshotInput): Promise<WriteResult> {
  checkExactaSnapshot(snap);
  return writeTransaction(db, async (sql) => {
    const rows = await exactaSnapshotRows(db, sql, snap, toDbTime(new Date()));
    const inserted = await sql.runEach(EXACTA_INSERT, rows);
    return { changed: inserted > 0, rows: inserted };
  });
}

/** A race's whole exacta grid at one instant. */
export interface ExactaGrid extends Pick<ExactaProbable, "raceId" | "fetchedAt" | "totalExactaPool"> {
  probables: Array<ExactaProbableInput & { exactaId: ExactaProbable["id"] }>;
}

/** The newest exacta probables of a race (one snapshot's whole grid), or null. */
export async function latestExactaGrid(db: Db, raceId: number): Promise<ExactaGrid | null> {
  return readRaw(db, async (sql) => {
    const newest = await sql.get<SqlRow<Pick<ExactaProbable, "fetchedAt">>>(
      `SELECT fetched_at AS "fetchedAt" FROM exacta_probable WHERE race_id = ? ORDER BY fetched_at DESC LIMIT 1`,
      raceId,
    );
    return newest ? exactaGridAt(sql, raceId, newest.fetchedAt) : null;
  });
}

/**
 * One stored exacta grid (a race at one stored instant), inside the
 * caller's read; for packages/db's own read views, not exported.
 */
export async function exactaGridAt(sql: Sql, raceId: number, fetchedAt: DbTime): Promise<ExactaGrid> {
  const rows = await sql.all<ExactaGrid["probables"][number] & Pick<ExactaGrid, "totalExactaPool">>(
    `SELECT exacta_id AS "exactaId", first_horse AS first, second_horse AS second, payout,
            total_exacta_pool AS "totalExactaPool"
     FROM exacta_probable WHERE race_id = ? AND fetched_at = ? ORDER BY exacta_id`,
    raceId,
    fetchedAt,
  );
  return {
    raceId,
    fetchedAt: fromDbTime(fetchedAt),
    totalExactaPool: rows[0]?.totalExactaPool ?? null,
    probables: rows.map(({ exactaId, first, second, payout }) => ({ exactaId, first, second, payout })),
  };
}
