// pnpm bench [--rows 10m]: write throughput of the snapshot helpers against raw
// better-sqlite3, and latest-odds latency as the odds table grows. Prints one
// `name: value` per line on stdout; progress goes to stderr. Uses fresh files
// in the OS temp folder and removes them.
import { rmSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type Database from "better-sqlite3";
import { openRawConnection } from "../src/client.js";
import {
  applyRaceCard,
  createDb,
  findRace,
  latestOddsForRace,
  recordExactaSnapshot,
  recordWinSnapshot,
  toDbTime,
  type Db,
  type ExactaProbableInput,
  type RaceKey,
  type WinRunnerInput,
} from "../src/index.js";
import { freshDatabaseFile } from "../testing/index.js";
import { scriptOptions } from "./lib/args.js";

const values = scriptOptions({
  rows: { type: "string", default: "1m" },
  races: { type: "string", default: "10" },
  polls: { type: "string", default: "40" },
  samples: { type: "string", default: "301" },
  rounds: { type: "string", default: "5" },
});

function parseCount(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!match) throw new Error(`--${flag} must be a count like 100000, 100k, 1m or 10m, got "${text}"`);
  const unit = { "": 1, k: 1_000, m: 1_000_000 }[match[2]!.toLowerCase() as "" | "k" | "m"];
  return Math.round(Number(match[1]) * unit);
}

const maxRows = parseCount("rows", values.rows);
const benchRaces = parseCount("races", values.races);
const polls = parseCount("polls", values.polls);
const samples = parseCount("samples", values.samples);
const rounds = parseCount("rounds", values.rounds);
const RUNNERS = Array.from({ length: 12 }, (_, i) => String(i + 1));
const START = Date.UTC(2025, 8, 13, 16, 0);

const made: string[] = [];
function tempDatabase(label: string): string {
  const file = freshDatabaseFile(`bench-${label}`);
  made.push(path.dirname(file));
  return file;
}

const progress = (text: string) => process.stderr.write(`${text}\n`);
const print = (name: string, value: number | string) => console.log(`${name}: ${value}`);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const raceKey = (n: number): RaceKey => ({ track: "Bench Park", raceDate: "2025-09-13", raceNumber: n + 1 });

async function applyBenchCards(db: Db, races: number): Promise<void> {
  for (let n = 0; n < races; n++) {
    await applyRaceCard(db, {
      ...raceKey(n),
      entries: RUNNERS.map((programNumber) => ({ programNumber, horse: `Bench ${n + 1}-${programNumber}` })),
    });
  }
}

/** The write workload: every poll, each race gets a 12-runner win snapshot and a 132-combination exacta grid. */
interface Poll {
  race: number;
  fetchedAt: Date;
  runners: WinRunnerInput[];
  probables: ExactaProbableInput[];
}

function workload(): Poll[] {
  const polls_: Poll[] = [];
  for (let p = 0; p < polls; p++) {
    for (let race = 0; race < benchRaces; race++) {
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
      polls_.push({ race, fetchedAt, runners, probables });
    }
  }
  return polls_;
}

async function benchHelpers(polls_: Poll[]): Promise<{ rows: number; seconds: number }> {
  const db = createDb({ url: tempDatabase("helpers") });
  try {
    await applyBenchCards(db, benchRaces);
    let rows = 0;
    const started = performance.now();
    for (const poll of polls_) {
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
    return { rows, seconds: (performance.now() - started) / 1_000 };
  } finally {
    await db.close();
  }
}

async function benchRaw(polls_: Poll[]): Promise<{ rows: number; seconds: number }> {
  const file = tempDatabase("raw");
  const db = createDb({ url: file });
  const raceIds: number[] = [];
  const entryIds: Array<Map<string, number>> = [];
  try {
    await applyBenchCards(db, benchRaces);
    for (let n = 0; n < benchRaces; n++) {
      const race = (await findRace(db, raceKey(n)))!;
      raceIds.push(race.raceId);
      const rows = db.sql
        .prepare(`SELECT entry_id, program_number FROM entry WHERE race_id = ?`)
        .all(race.raceId) as Array<{
        entry_id: number;
        program_number: string;
      }>;
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
      for (const poll of polls_) {
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

/**
 * Fills odds_snapshot with raw inserts up to `target` rows: races of 12 runners
 * with `SNAPSHOTS_PER_RACE` snapshots each, ten races polled in turn (as a
 * race day is), so rows of one race are spread through the table.
 */
const SNAPSHOTS_PER_RACE = 120;
const RACES_PER_DAY = 10;

class OddsFiller {
  private races = 0;
  rows = 0;
  private readonly insertTrack;
  private readonly insertRace;
  private readonly insertHorse;
  private readonly insertEntry;
  private readonly insertOdds;

  constructor(private readonly sql: Database.Database) {
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

  /** Adds a race day (ten races and their snapshots) in one transaction; returns the first race's id. */
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
  fillTo(target: number): number | undefined {
    let first: number | undefined;
    let lastReport = this.rows;
    while (this.rows < target) {
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

async function medianLatestOddsMs(db: Db, raceId: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples + 20; i++) {
    const started = performance.now();
    const board = await latestOddsForRace(db, raceId);
    const elapsed = performance.now() - started;
    if (board.length !== RUNNERS.length || board.some((r) => r.winOdds == null)) {
      throw new Error(`latest odds of race ${raceId}: expected ${RUNNERS.length} runners with odds`);
    }
    if (i >= 20) times.push(elapsed); // the first calls warm up caches and the JIT
  }
  return median(times);
}

async function main(): Promise<void> {
  progress(
    `write benchmark: ${benchRaces} races x ${polls} polls (12-runner win snapshot + 132-combination exacta grid)`,
  );
  const polls_ = workload();
  // Alternate helpers and raw over several rounds (fresh files each time) and
  // take each one's median rate: one run alone swings with the machine's I/O.
  const helperRates: number[] = [];
  const rawRates: number[] = [];
  let rows = 0;
  for (let round = 1; round <= rounds; round++) {
    const helpers = await benchHelpers(polls_);
    const raw = await benchRaw(polls_);
    if (raw.rows !== helpers.rows) throw new Error(`helpers wrote ${helpers.rows} rows, raw ${raw.rows}`);
    rows = helpers.rows;
    helperRates.push(helpers.rows / helpers.seconds);
    rawRates.push(raw.rows / raw.seconds);
    progress(
      `  round ${round}/${rounds}: ${rows.toLocaleString("en-US")} rows, helpers ${helpers.seconds.toFixed(2)} s, raw ${raw.seconds.toFixed(2)} s`,
    );
  }
  const writeRate = median(helperRates);
  const rawRate = median(rawRates);
  print("write_rows", rows);
  print("write_rows_per_s", Math.round(writeRate));
  print("raw_rows_per_s", Math.round(rawRate));
  print("write_ratio_vs_raw", (writeRate / rawRate).toFixed(2));

  const file = tempDatabase("latest");
  const sql = openRawConnection(file);
  const db = createDb({ url: file });
  try {
    const filler = new OddsFiller(sql);
    const sizes: Array<[string, number]> = [
      ["100k", 100_000],
      ["1m", 1_000_000],
    ];
    if (maxRows >= 10_000_000) sizes.push(["10m", 10_000_000]);
    // The measured race is one of the first day's, so its rows sit among all the others'.
    let raceId: number | undefined;
    const results = new Map<string, number>();
    for (const [label, target] of sizes) {
      progress(`latest odds at ${label} rows:`);
      const first = filler.fillTo(target);
      raceId ??= first;
      sql.pragma("wal_checkpoint(TRUNCATE)");
      const ms = await medianLatestOddsMs(db, raceId!);
      results.set(label, ms);
      print(`latest_odds_ms_${label}`, ms.toFixed(3));
    }
    print("latest_odds_growth", (results.get("1m")! / results.get("100k")!).toFixed(2));
    if (results.has("10m"))
      print("latest_odds_growth_10m", (results.get("10m")! / results.get("100k")!).toFixed(2));
  } finally {
    await db.close();
    sql.close();
  }
}

try {
  await main();
} finally {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
}
