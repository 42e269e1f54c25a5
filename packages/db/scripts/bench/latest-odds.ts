/**
 * The read benchmark: latestOddsForRace's latency as odds_snapshot grows.
 * The table is filled by raw inserts (the fastest way to reach millions of
 * rows) shaped like race days, so one race's rows sit among all the others'.
 */
import { performance } from "node:perf_hooks";
import { latestOddsForRace, type Db } from "../../src/index.js";
import type { Connection } from "../../src/connection.js";
import { toDbTime } from "../../src/time.js";
import { median, progress, RUNNERS, START, stopIfAsked } from "./common.js";

/** Snapshots per race, and races per day polled in turn (as a race day is). */
const SNAPSHOTS_PER_RACE = 120;
const RACES_PER_DAY = 10;

/** Fills odds_snapshot with raw inserts, a race day (ten 12-runner races) per transaction. */
export class OddsFiller {
  private races = 0;
  rows = 0;
  private readonly insertTrack;
  private readonly insertRace;
  private readonly insertHorse;
  private readonly insertEntry;
  private readonly insertOdds;

  constructor(private readonly sql: Connection) {
    this.insertTrack = sql.prepare(`INSERT INTO track (name, code) VALUES (?, ?)`);
    this.insertRace = sql.prepare(
      `INSERT INTO race (track_id, race_date, race_number, post_time) VALUES (?, ?, ?, ?)`,
    );
    this.insertHorse = sql.prepare(`INSERT INTO horse (name) VALUES (?)`);
    this.insertEntry = sql.prepare(`INSERT INTO entry (race_id, horse_id, program_number) VALUES (?, ?, ?)`);
    this.insertOdds = sql.prepare(
      `INSERT INTO odds_snapshot (race_id, entry_id, fetched_at, win_odds, win_odds_decimal, win_pool_amount, total_win_pool)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** Adds a race day (ten races and their snapshots); returns the first race's id. */
  private addDay(): number {
    const day = Math.floor(this.races / RACES_PER_DAY);
    const date = new Date(START + day * 86_400_000);
    const raceDate = date.toISOString().slice(0, 10);
    const trackId = Number(this.insertTrack.run(`Fill Track ${day}`, `F${day}`).lastInsertRowid);
    const races: Array<{ raceId: number; entries: number[] }> = [];
    for (let n = 0; n < RACES_PER_DAY; n++) {
      const raceId = Number(
        this.insertRace.run(trackId, raceDate, n + 1, toDbTime(date.getTime() + n * 1_800_000))
          .lastInsertRowid,
      );
      const entries = RUNNERS.map((program) => {
        const horseId = Number(this.insertHorse.run(`Fill ${day}-${n + 1}-${program}`).lastInsertRowid);
        return Number(this.insertEntry.run(raceId, horseId, program).lastInsertRowid);
      });
      races.push({ raceId, entries });
    }
    for (let s = 0; s < SNAPSHOTS_PER_RACE; s++) {
      for (const [n, race] of races.entries()) {
        const fetchedAt = toDbTime(date.getTime() + n * 1_800_000 - (SNAPSHOTS_PER_RACE - s) * 15_000);
        for (const [i, entryId] of race.entries.entries()) {
          const odds = 1 + ((i * 7 + s) % 40) / 2;
          this.insertOdds.run(race.raceId, entryId, fetchedAt, odds, odds + 1, 1_000 + s, 100_000 + s);
        }
      }
    }
    this.races += RACES_PER_DAY;
    this.rows += RACES_PER_DAY * SNAPSHOTS_PER_RACE * RUNNERS.length;
    return races[0]!.raceId;
  }

  /** Adds race days until the table holds at least `target` rows; returns the first race added. */
  async fillTo(target: number, signal: AbortSignal): Promise<number | undefined> {
    let first: number | undefined;
    let lastReport = this.rows;
    while (this.rows < target) {
      await stopIfAsked(signal);
      const raceId = this.sql.transaction(() => this.addDay()).immediate();
      first ??= raceId;
      if (this.rows - lastReport >= 250_000 || this.rows >= target) {
        progress(
          `  filling odds_snapshot: ${this.rows.toLocaleString("en-US")} / ${target.toLocaleString("en-US")} rows`,
        );
        lastReport = this.rows;
      }
    }
    return first;
  }
}

/** Median latency of `samples` calls, after 20 that warm up caches and the JIT. */
export async function medianLatestOddsMs(db: Db, raceId: number, samples: number): Promise<number> {
  return medianLatestOddsMsOver(db, [raceId], samples);
}

/** The same over several races, taken in turn (the warm-up calls too). */
export async function medianLatestOddsMsOver(
  db: Db,
  raceIds: readonly number[],
  samples: number,
): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples + 20; i++) {
    const raceId = raceIds[i % raceIds.length]!;
    const started = performance.now();
    const board = await latestOddsForRace(db, raceId);
    const elapsed = performance.now() - started;
    if (board.length !== RUNNERS.length || board.some((r) => r.winOdds == null)) {
      throw new Error(`latest odds of race ${raceId}: expected ${RUNNERS.length} runners with odds`);
    }
    if (i >= 20) times.push(elapsed);
  }
  return median(times);
}
