/**
 * The write benchmark on PostgreSQL: the snapshot helpers (writes.ts's
 * writeWithHelpersAt, on a `postgresql://` url) against a raw baseline on
 * plain `pg`, each on a fresh database made by migrateDatabase(url).
 *
 * The raw baseline, exactly: one pg.Client on the database; race and entry
 * ids read once before the clock starts (cards applied by applyRaceCard, as
 * for the helpers); then for every poll, in the workload's order, two
 * statements, each sent alone and so committed as its own (implicit)
 * transaction, as the helpers commit each snapshot on its own:
 *   1. the win snapshot: one INSERT INTO odds_snapshot … SELECT … FROM
 *      unnest($entry_ids::int[], $odds::float8[], $decimal::float8[],
 *      $pool::int[]) ON CONFLICT (entry_id, fetched_at) DO NOTHING (12 rows);
 *   2. the exacta grid: one INSERT INTO exacta_probable … SELECT … FROM
 *      unnest($first::text[], $second::text[], $payout::float8[])
 *      ON CONFLICT (race_id, fetched_at, first_horse, second_horse) DO NOTHING (132 rows).
 * Both are named prepared statements (parsed once). No BEGIN/COMMIT round trips,
 * no lock, no NOTIFY: one round trip per snapshot, the least this schema needs.
 */
import { performance } from "node:perf_hooks";
import pg from "pg";
import { poolSettings, ROW_TYPES } from "../../src/engine/postgres.js";
import { createDb, findRace, migrateDatabase } from "../../src/index.js";
import { toDbTime } from "../../src/time.js";
import { applyBenchCards, raceKey, writeWithHelpersAt, type Poll, type WriteRun } from "./writes.js";

export const RAW_ODDS_SQL = `
  INSERT INTO odds_snapshot (race_id, entry_id, fetched_at, win_odds, win_odds_decimal, win_pool_amount, total_win_pool, created_at)
  SELECT $1::int, u.entry_id, $2::bigint, u.win_odds, u.win_odds_decimal, u.win_pool_amount, $3::int, $4::bigint
  FROM unnest($5::int[], $6::float8[], $7::float8[], $8::int[]) AS u(entry_id, win_odds, win_odds_decimal, win_pool_amount)
  ON CONFLICT (entry_id, fetched_at) DO NOTHING`;

export const RAW_EXACTA_SQL = `
  INSERT INTO exacta_probable (race_id, fetched_at, first_horse, second_horse, payout, total_exacta_pool, created_at)
  SELECT $1::int, $2::bigint, u.first_horse, u.second_horse, u.payout, $3::int, $4::bigint
  FROM unnest($5::text[], $6::text[], $7::float8[]) AS u(first_horse, second_horse, payout)
  ON CONFLICT (race_id, fetched_at, first_horse, second_horse) DO NOTHING`;

/** The workload through the helpers on a fresh PostgreSQL database at `url`. */
export async function writeWithHelpersPg(url: string, races: number, polls: Poll[]): Promise<WriteRun> {
  await migrateDatabase(url, { quiet: true });
  return writeWithHelpersAt(url, races, polls);
}

/** The cards of the workload applied on a fresh database at `url`; its race and entry ids. */
export async function preparedRawDatabase(
  url: string,
  races: number,
): Promise<{ raceIds: number[]; entryIds: Array<Map<string, number>> }> {
  await migrateDatabase(url, { quiet: true });
  const db = createDb({ url });
  const raceIds: number[] = [];
  try {
    await applyBenchCards(db, races);
    for (let n = 0; n < races; n++) raceIds.push((await findRace(db, raceKey(n)))!.raceId);
  } finally {
    await db.close();
  }
  const client = new pg.Client({ ...poolSettings(url), types: ROW_TYPES });
  await client.connect();
  try {
    const entryIds: Array<Map<string, number>> = [];
    for (const raceId of raceIds) {
      const { rows } = await client.query<{ entry_id: number; program_number: string }>(
        `SELECT entry_id, program_number FROM entry WHERE race_id = $1`,
        [raceId],
      );
      entryIds.push(new Map(rows.map((r) => [r.program_number, r.entry_id])));
    }
    return { raceIds, entryIds };
  } finally {
    await client.end();
  }
}

/**
 * The same rows as the helpers write, by the raw baseline in the header, on a fresh database
 * at `url`. `explicit`: each statement wrapped in BEGIN … COMMIT instead (three round trips a
 * snapshot), for the profile's comparison. `around`: wraps the timed loop (the profiler).
 */
export async function writeRawPg(
  url: string,
  races: number,
  polls: Poll[],
  opts: { explicit?: boolean; around?: <T>(timed: () => Promise<T>) => Promise<T> } = {},
): Promise<WriteRun> {
  const around = opts.around ?? (<T>(timed: () => Promise<T>) => timed());
  const { raceIds, entryIds } = await preparedRawDatabase(url, races);
  const client = new pg.Client({ ...poolSettings(url), types: ROW_TYPES });
  await client.connect();
  const inTransaction = async (work: () => Promise<pg.QueryResult>) => {
    if (!opts.explicit) return work();
    await client.query("BEGIN");
    const result = await work();
    await client.query("COMMIT");
    return result;
  };
  try {
    let rows = 0;
    const started = performance.now();
    const now = toDbTime(new Date());
    await around(async () => {
      for (const poll of polls) {
        const raceId = raceIds[poll.race]!;
        const entries = entryIds[poll.race]!;
        const fetchedAt = toDbTime(poll.fetchedAt);
        const odds = await inTransaction(() =>
          client.query({
            name: "bench_raw_odds",
            text: RAW_ODDS_SQL,
            values: [
              raceId,
              fetchedAt,
              90_000,
              now,
              poll.runners.map((r) => entries.get(r.programNumber)!),
              poll.runners.map((r) => r.winOdds),
              poll.runners.map((r) => r.winOdds + 1),
              poll.runners.map((r) => r.winPoolAmount ?? null),
            ],
          }),
        );
        rows += odds.rowCount ?? 0;
        const exacta = await inTransaction(() =>
          client.query({
            name: "bench_raw_exacta",
            text: RAW_EXACTA_SQL,
            values: [
              raceId,
              fetchedAt,
              50_000,
              now,
              poll.probables.map((p) => p.first),
              poll.probables.map((p) => p.second),
              poll.probables.map((p) => p.payout),
            ],
          }),
        );
        rows += exacta.rowCount ?? 0;
      }
    });
    return { rows, seconds: (performance.now() - started) / 1_000 };
  } finally {
    await client.end();
  }
}
