/**
 * The write benchmark: the snapshot helpers (recordWinSnapshot,
 * recordExactaSnapshot: validation, natural-key look-ups, one transaction
 * per snapshot) against bare prepared inserts of the same rows in one
 * transaction on a raw connection, the fastest this schema can take them.
 */
import { performance } from "node:perf_hooks";
import { openRawConnection } from "../../src/client.js";
import { connectionOf } from "../../src/connection.js";
import {
  applyRaceCard,
  createDb,
  findRace,
  recordExactaSnapshot,
  recordWinSnapshot,
  type Db,
  type ExactaProbableInput,
  type RaceKey,
  type WinRunnerInput,
} from "../../src/index.js";
import { toDbTime } from "../../src/time.js";
import { RUNNERS, START, type TempDatabases } from "./common.js";

/** One poll of one race: a 12-runner win snapshot and a 132-combination exacta grid. */
export interface Poll {
  race: number;
  fetchedAt: Date;
  runners: WinRunnerInput[];
  probables: ExactaProbableInput[];
}

export interface WriteRun {
  rows: number;
  seconds: number;
}

export const raceKey = (n: number): RaceKey => ({
  track: "Bench Park",
  raceDate: "2025-09-13",
  raceNumber: n + 1,
});

export async function applyBenchCards(db: Db, races: number): Promise<void> {
  for (let n = 0; n < races; n++) {
    await applyRaceCard(db, {
      ...raceKey(n),
      entries: RUNNERS.map((programNumber) => ({ programNumber, horse: `Bench ${n + 1}-${programNumber}` })),
    });
  }
}

/** Every poll of every race, 30 s apart. */
export function workload(races: number, polls: number): Poll[] {
  const all: Poll[] = [];
  for (let p = 0; p < polls; p++) {
    for (let race = 0; race < races; race++) {
      const fetchedAt = new Date(START + p * 30_000);
      const runners = RUNNERS.map((programNumber, i) => ({
        programNumber,
        winOdds: 1 + ((i * 7 + p) % 30) / 2,
        winPoolAmount: 1_000 + i * 100 + p,
      }));
      const probables = RUNNERS.flatMap((first) =>
        RUNNERS.filter((second) => second !== first).map((second) => ({
          first,
          second,
          payout: 10 + ((Number(first) * 13 + Number(second) * 7 + p) % 400),
        })),
      );
      all.push({ race, fetchedAt, runners, probables });
    }
  }
  return all;
}

/** The workload through the helpers, on a fresh file. */
export async function writeWithHelpers(temp: TempDatabases, races: number, polls: Poll[]): Promise<WriteRun> {
  return writeWithHelpersAt(temp.create("helpers"), races, polls);
}

/**
 * The workload through the helpers on the database at `url` (a fresh, migrated one: a
 * SQLite file, or a PostgreSQL database): cards applied first, not timed.
 */
export async function writeWithHelpersAt(url: string, races: number, polls: Poll[]): Promise<WriteRun> {
  const db = createDb({ url });
  try {
    await applyBenchCards(db, races);
    const started = performance.now();
    const rows = await writePolls(db, polls);
    return { rows, seconds: (performance.now() - started) / 1_000 };
  } finally {
    await db.close();
  }
}

/** The polls through recordWinSnapshot and recordExactaSnapshot (cards applied); the rows written. */
export async function writePolls(db: Db, polls: Poll[]): Promise<number> {
  let rows = 0;
  for (const poll of polls) {
    const key = raceKey(poll.race);
    rows += (
      await recordWinSnapshot(db, {
        ...key,
        fetchedAt: poll.fetchedAt,
        totalWinPool: 90_000,
        runners: poll.runners,
      })
    ).rows;
    rows += (
      await recordExactaSnapshot(db, {
        ...key,
        fetchedAt: poll.fetchedAt,
        totalExactaPool: 50_000,
        probables: poll.probables,
      })
    ).rows;
  }
  return rows;
}

/** The same rows by bare prepared inserts in one transaction (cards applied first, not timed). */
export async function writeRaw(temp: TempDatabases, races: number, polls: Poll[]): Promise<WriteRun> {
  const file = temp.create("raw");
  const db = createDb({ url: file });
  const raceIds: number[] = [];
  const entryIds: Array<Map<string, number>> = [];
  try {
    await applyBenchCards(db, races);
    for (let n = 0; n < races; n++) {
      const race = (await findRace(db, raceKey(n)))!;
      raceIds.push(race.raceId);
      const rows = connectionOf(db)
        .prepare(`SELECT entry_id, program_number FROM entry WHERE race_id = ?`)
        .all(race.raceId) as Array<{ entry_id: number; program_number: string }>;
      entryIds.push(new Map(rows.map((r) => [r.program_number, r.entry_id])));
    }
  } finally {
    await db.close();
  }
  const sql = openRawConnection(file);
  try {
    const insertOdds = sql.prepare(
      `INSERT INTO odds_snapshot (race_id, entry_id, fetched_at, win_odds, win_odds_decimal, win_pool_amount, total_win_pool, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertExacta = sql.prepare(
      `INSERT INTO exacta_probable (race_id, fetched_at, first_horse, second_horse, payout, total_exacta_pool, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    let rows = 0;
    const started = performance.now();
    sql.transaction(() => {
      const now = toDbTime(new Date());
      for (const poll of polls) {
        const raceId = raceIds[poll.race]!;
        const entries = entryIds[poll.race]!;
        const fetchedAt = toDbTime(poll.fetchedAt);
        for (const r of poll.runners) {
          rows += insertOdds.run(
            raceId,
            entries.get(r.programNumber),
            fetchedAt,
            r.winOdds,
            r.winOdds + 1,
            r.winPoolAmount,
            90_000,
            now,
          ).changes;
        }
        for (const p of poll.probables) {
          rows += insertExacta.run(raceId, fetchedAt, p.first, p.second, p.payout, 50_000, now).changes;
        }
      }
    })();
    return { rows, seconds: (performance.now() - started) / 1_000 };
  } finally {
    sql.close();
  }
}
