/**
 * The ingest bench's baseline: the snapshot rows of a day as bare prepared
 * inserts in one transaction on the raw connection, the fastest this schema
 * can take them, so `replay_ratio_vs_raw` compares the write path with the
 * engine itself in the same run. Ids are looked up and rows laid out before
 * the clock starts; only the inserts are timed.
 */
import type { Db } from "../src/client.js";
import { connectionOf } from "../src/connection.js";
import type { ExactaSnapshotInput } from "../src/queries/exacta.js";
import type { WinSnapshotInput } from "../src/queries/odds.js";
import { toDbTime } from "../src/time.js";

/** The snapshots to insert; their cards must already be stored. */
export interface RawSnapshots {
  win: readonly WinSnapshotInput[];
  exacta: readonly ExactaSnapshotInput[];
}

export interface RawInsertRun {
  /** Time spent in the inserts and their commit. */
  elapsedMs: number;
  /** Rows inserted (a repeated row is skipped, as the helpers skip it). */
  rows: number;
}

/** Every win row, then every exacta row, by prepared inserts in one transaction. */
export async function rawSnapshotInserts(db: Db, snapshots: RawSnapshots): Promise<RawInsertRun> {
  return db.exclusive(() => {
    const sql = connectionOf(db);
    const ids = new Map<string, { raceId: number; entries: Map<string, number> }>();
    for (const row of sql
      .prepare(
        `SELECT t.name, r.race_date, r.race_number, r.race_id, e.program_number, e.entry_id
         FROM race r JOIN track t ON t.track_id = r.track_id JOIN entry e ON e.race_id = r.race_id`,
      )
      .all() as Array<{
      name: string;
      race_date: string;
      race_number: number;
      race_id: number;
      program_number: string;
      entry_id: number;
    }>) {
      const key = `${row.name}|${row.race_date}|${row.race_number}`;
      const race = ids.get(key) ?? { raceId: row.race_id, entries: new Map() };
      race.entries.set(row.program_number, row.entry_id);
      ids.set(key, race);
    }
    const raceOf = (snap: WinSnapshotInput | ExactaSnapshotInput) => {
      const race = ids.get(`${snap.track}|${snap.raceDate}|${snap.raceNumber}`);
      if (!race) throw new Error(`no card for ${snap.track} ${snap.raceDate} race ${snap.raceNumber}`);
      return race;
    };
    const now = toDbTime(new Date());
    const winRows: unknown[][] = [];
    for (const snap of snapshots.win) {
      const race = raceOf(snap);
      const fetchedAt = toDbTime(snap.fetchedAt);
      for (const r of snap.runners) {
        winRows.push([
          race.raceId,
          race.entries.get(r.programNumber),
          fetchedAt,
          r.winOdds,
          r.winOdds + 1,
          r.winPoolAmount ?? null,
          snap.totalWinPool ?? null,
          now,
        ]);
      }
    }
    const exactaRows: unknown[][] = [];
    for (const snap of snapshots.exacta) {
      const race = raceOf(snap);
      const fetchedAt = toDbTime(snap.fetchedAt);
      for (const p of snap.probables) {
        exactaRows.push([
          race.raceId,
          fetchedAt,
          p.first,
          p.second,
          p.payout,
          snap.totalExactaPool ?? null,
          now,
        ]);
      }
    }
    const insertWin = sql.prepare(
      `INSERT INTO odds_snapshot (race_id, entry_id, fetched_at, win_odds, win_odds_decimal, win_pool_amount, total_win_pool, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (entry_id, fetched_at) DO NOTHING`,
    );
    const insertExacta = sql.prepare(
      `INSERT INTO exacta_probable (race_id, fetched_at, first_horse, second_horse, payout, total_exacta_pool, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (race_id, fetched_at, first_horse, second_horse) DO NOTHING`,
    );
    const started = performance.now();
    let rows = 0;
    sql.transaction(() => {
      for (const row of winRows) rows += insertWin.run(...row).changes;
      for (const row of exactaRows) rows += insertExacta.run(...row).changes;
    })();
    return { elapsedMs: performance.now() - started, rows };
  });
}
