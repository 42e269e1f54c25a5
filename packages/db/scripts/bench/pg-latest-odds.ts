/**
 * The read benchmark on PostgreSQL: odds_snapshot filled server-side (INSERT …
 * SELECT … FROM generate_series, no rows through the client) with race days
 * shaped as latest-odds.ts's OddsFiller makes them on SQLite: a day is a track
 * with ten 12-runner races, each polled 120 times 15 s apart, the ten races in
 * turn (rows inserted in day, poll, race, runner order), so one race's rows sit
 * among all the others'.
 *
 * Ids are given explicitly (day d, race n of 1..10, runner p of 1..12:
 * track d+1, race 10d+n, horse and entry 12(10d+n-1)+p) so no statement has to
 * look up another's ids; the sequences are moved past them at the end.
 */
import { performance } from "node:perf_hooks";
import pg from "pg";
import { poolSettings, ROW_TYPES } from "../../src/engine/postgres.js";
import { progress, RUNNERS, START, stopIfAsked } from "./common.js";

const SNAPSHOTS_PER_RACE = 120;
const RACES_PER_DAY = 10;
const ROWS_PER_DAY = SNAPSHOTS_PER_RACE * RACES_PER_DAY * RUNNERS.length;
/** Days per INSERT round (about 500k odds rows): progress and Ctrl-C are seen between rounds. */
const DAYS_PER_ROUND = 35;

const DAYS = `generate_series($1::int, $2::int) AS d`;
const RACES = `${DAYS} CROSS JOIN generate_series(1, ${RACES_PER_DAY}) AS n`;
const RUNNER_ROWS = `${RACES} CROSS JOIN generate_series(1, ${RUNNERS.length}) AS p`;
const RACE_ID = `(d * ${RACES_PER_DAY} + n)`;
const ENTRY_ID = `((d * ${RACES_PER_DAY} + n - 1) * ${RUNNERS.length} + p)`;
// Day 0's post times are START's day; race n goes off 30 minutes after race n-1.
const POST_TIME = `(${START}::bigint + d::bigint * 86400000 + (n - 1) * 1800000)`;

const FILL_ROUND = [
  `INSERT INTO track (track_id, name, code) SELECT d + 1, 'Fill Track ' || d, 'F' || d FROM ${DAYS}`,
  `INSERT INTO race (race_id, track_id, race_date, race_number, post_time)
   SELECT ${RACE_ID}, d + 1, to_char(to_timestamp(${POST_TIME} / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD'), n, ${POST_TIME}
   FROM ${RACES}`,
  `INSERT INTO horse (horse_id, name) SELECT ${ENTRY_ID}, 'Fill ' || d || '-' || n || '-' || p FROM ${RUNNER_ROWS}`,
  `INSERT INTO entry (entry_id, race_id, horse_id, program_number)
   SELECT ${ENTRY_ID}, ${RACE_ID}, ${ENTRY_ID}, p::text FROM ${RUNNER_ROWS}`,
  // Odds as OddsFiller's: 1 + ((runner index * 7 + poll) % 40) / 2.
  `INSERT INTO odds_snapshot (race_id, entry_id, fetched_at, win_odds, win_odds_decimal, win_pool_amount, total_win_pool)
   SELECT ${RACE_ID}, ${ENTRY_ID}, ${POST_TIME} - (${SNAPSHOTS_PER_RACE} - s) * 15000,
          1 + (((p - 1) * 7 + s) % 40) / 2.0, 2 + (((p - 1) * 7 + s) % 40) / 2.0, 1000 + s, 100000 + s
   FROM ${DAYS} CROSS JOIN generate_series(0, ${SNAPSHOTS_PER_RACE - 1}) AS s
        CROSS JOIN generate_series(1, ${RACES_PER_DAY}) AS n CROSS JOIN generate_series(1, ${RUNNERS.length}) AS p
   ORDER BY d, s, n, p`,
];

export interface PgFill {
  rows: number;
  /** Every race filled (ids 1..races). */
  races: number;
  seconds: number;
}

/** Fills a fresh, migrated database at `url` with race days until odds_snapshot holds at least `target` rows. */
export async function fillPgOdds(url: string, target: number, signal: AbortSignal): Promise<PgFill> {
  const client = new pg.Client({ ...poolSettings(url), types: ROW_TYPES });
  await client.connect();
  const started = performance.now();
  try {
    await client.query(`SET work_mem = '256MB'`);
    const days = Math.max(1, Math.ceil(target / ROWS_PER_DAY));
    for (let first = 0; first < days; first += DAYS_PER_ROUND) {
      await stopIfAsked(signal);
      const last = Math.min(days, first + DAYS_PER_ROUND) - 1;
      await client.query("BEGIN");
      for (const text of FILL_ROUND) await client.query(text, [first, last]);
      await client.query("COMMIT");
      const rows = (last + 1) * ROWS_PER_DAY;
      const elapsed = (performance.now() - started) / 1_000;
      progress(
        `  filling odds_snapshot (PostgreSQL): ${rows.toLocaleString("en-US")} / ${(days * ROWS_PER_DAY).toLocaleString("en-US")} rows, ${elapsed.toFixed(0)} s`,
      );
    }
    for (const [table, column] of [
      ["track", "track_id"],
      ["race", "race_id"],
      ["horse", "horse_id"],
      ["entry", "entry_id"],
    ]) {
      await client.query(
        `SELECT setval(pg_get_serial_sequence('${table}', '${column}'), (SELECT max(${column}) FROM ${table}))`,
      );
    }
    progress("  ANALYZE");
    await client.query("ANALYZE track, race, horse, entry, odds_snapshot");
    const { rows } = await client.query<{ n: number }>(`SELECT count(*) AS n FROM odds_snapshot`);
    return {
      rows: rows[0]!.n,
      races: days * RACES_PER_DAY,
      seconds: (performance.now() - started) / 1_000,
    };
  } finally {
    await client.end();
  }
}

/** `count` race ids spread evenly through races 1..races (the table's whole span). */
export function spreadRaceIds(races: number, count: number): number[] {
  const n = Math.max(1, Math.min(count, races));
  return Array.from({ length: n }, (_, k) => 1 + Math.floor(((k + 0.5) * races) / n));
}
