// pnpm bench [--rows 10m] [--races N] [--polls N] [--samples N] [--rounds N] [--pg-rows 10m] [--pg-profile]:
// write throughput of the snapshot helpers against raw better-sqlite3
// (bench/writes.ts), and latest-odds latency as the odds table grows
// (bench/latest-odds.ts); then, when Debian's PostgreSQL is installed, the same
// on a throwaway cluster (bench/pg-*.ts): the helpers against raw `pg` unnest
// inserts, and latest odds at --pg-rows rows. Prints one `name: value` per line
// on stdout; progress goes to stderr. Uses fresh files in the OS temp folder
// (and a cluster in a temp folder) and removes them.
import { abbreviatedCount, benchLine, EXIT, runIfEntryPoint, type BenchTarget } from "@totewatch/cli-kit";
import { Command, Option } from "commander";
import { openRawConnection } from "../src/client.js";
import { createDb, migrateDatabase } from "../src/index.js";
import { BenchStopped, median, progress, stopIfAsked, TempDatabases } from "./bench/common.js";
import { medianLatestOddsMs, medianLatestOddsMsOver, OddsFiller } from "./bench/latest-odds.js";
import { postgresAvailable, startPostgresCluster, type PostgresCluster } from "../testing/pg-cluster.js";
import { fillPgOdds, spreadRaceIds } from "./bench/pg-latest-odds.js";
import { profilePgQueries } from "./bench/pg-profile.js";
import { writeRawPg, writeWithHelpersPg } from "./bench/pg-writes.js";
import { applyBenchCards, workload, writePolls, writeRaw, writeWithHelpers } from "./bench/writes.js";
import { parseOptions } from "./lib/args.js";

interface BenchOptions {
  rows: number;
  races: number;
  polls: number;
  samples: number;
  rounds: number;
  pgRows: number;
  pgProfile: boolean;
}

const print = (name: string, value: number | string, target?: BenchTarget) =>
  console.log(benchLine(name, value, target));

/** The targets the figures are held to: helpers at least half raw speed, latest odds flat as the table grows. */
const TARGETS = {
  writeRatio: { op: ">=", value: 0.5 },
  latestOddsMs1m: { op: "<=", value: 1 },
  latestOddsGrowth: { op: "<=", value: 2 },
  pgWriteRatio: { op: ">=", value: 0.5 },
  pgLatestOddsMs: { op: "<=", value: 2 },
} as const satisfies Record<string, BenchTarget>;

interface WriteRun {
  rows: number;
  seconds: number;
}

/**
 * `rounds` rounds of the helpers' run, then the raw baseline's (the same rows, checked), each
 * round's rates kept; resolves to the median rates.
 */
async function writeRounds(
  rounds: number,
  signal: AbortSignal,
  round: (n: number) => { helpers: Promise<WriteRun>; raw: () => Promise<WriteRun> },
): Promise<{ rows: number; writeRate: number; rawRate: number }> {
  const helperRates: number[] = [];
  const rawRates: number[] = [];
  let rows = 0;
  for (let n = 1; n <= rounds; n++) {
    await stopIfAsked(signal);
    const run = round(n);
    const helpers = await run.helpers;
    const raw = await run.raw();
    if (raw.rows !== helpers.rows) throw new Error(`helpers wrote ${helpers.rows} rows, raw ${raw.rows}`);
    rows = helpers.rows;
    helperRates.push(helpers.rows / helpers.seconds);
    rawRates.push(raw.rows / raw.seconds);
    progress(
      `  round ${n}/${rounds}: ${rows.toLocaleString("en-US")} rows, helpers ${helpers.seconds.toFixed(2)} s, raw ${raw.seconds.toFixed(2)} s`,
    );
  }
  return { rows, writeRate: median(helperRates), rawRate: median(rawRates) };
}

async function benchWrites(options: BenchOptions, temp: TempDatabases, signal: AbortSignal): Promise<void> {
  progress(
    `write benchmark: ${options.races} races x ${options.polls} polls (12-runner win snapshot + 132-combination exacta grid)`,
  );
  const polls = workload(options.races, options.polls);
  // Alternate helpers and raw over several rounds (fresh files each time) and
  // take each one's median rate: one run alone swings with the machine's I/O.
  const { rows, writeRate, rawRate } = await writeRounds(options.rounds, signal, () => ({
    helpers: writeWithHelpers(temp, options.races, polls),
    raw: () => writeRaw(temp, options.races, polls),
  }));
  print("write_rows", rows);
  print("write_rows_per_s", Math.round(writeRate));
  print("raw_rows_per_s", Math.round(rawRate));
  print("write_ratio_vs_raw", (writeRate / rawRate).toFixed(2), TARGETS.writeRatio);
}

async function benchLatestOdds(
  options: BenchOptions,
  temp: TempDatabases,
  signal: AbortSignal,
): Promise<void> {
  const file = temp.create("latest");
  const sql = openRawConnection(file);
  const db = createDb({ url: file });
  try {
    const filler = new OddsFiller(sql);
    const sizes: Array<[string, number]> = [
      ["100k", 100_000],
      ["1m", 1_000_000],
    ];
    if (options.rows >= 10_000_000) sizes.push(["10m", 10_000_000]);
    // The measured race is one of the first day's, so its rows sit among all the others'.
    let raceId: number | undefined;
    const results = new Map<string, number>();
    for (const [label, target] of sizes) {
      progress(`latest odds at ${label} rows:`);
      const first = await filler.fillTo(target, signal);
      raceId ??= first;
      sql.pragma("wal_checkpoint(TRUNCATE)");
      const ms = await medianLatestOddsMs(db, raceId!, options.samples);
      results.set(label, ms);
      print(`latest_odds_ms_${label}`, ms.toFixed(3), label === "1m" ? TARGETS.latestOddsMs1m : undefined);
    }
    print(
      "latest_odds_growth",
      (results.get("1m")! / results.get("100k")!).toFixed(2),
      TARGETS.latestOddsGrowth,
    );
    if (results.has("10m"))
      print("latest_odds_growth_10m", (results.get("10m")! / results.get("100k")!).toFixed(2));
  } finally {
    await db.close();
    sql.close();
  }
}

async function benchPgWrites(
  options: BenchOptions,
  cluster: PostgresCluster,
  signal: AbortSignal,
): Promise<void> {
  progress(
    `PostgreSQL write benchmark: ${options.races} races x ${options.polls} polls, helpers vs raw pg unnest inserts`,
  );
  const polls = workload(options.races, options.polls);
  // As on SQLite: alternate helpers and raw, a fresh database each (migrateDatabase makes it), medians.
  const { writeRate, rawRate } = await writeRounds(options.rounds, signal, (round) => ({
    helpers: writeWithHelpersPg(cluster.databaseUrl(`bench_helpers_${round}`), options.races, polls),
    raw: () => writeRawPg(cluster.databaseUrl(`bench_raw_${round}`), options.races, polls),
  }));
  print("pg_write_rows_per_s", Math.round(writeRate));
  print("pg_raw_rows_per_s", Math.round(rawRate));
  print("pg_write_ratio_vs_raw", (writeRate / rawRate).toFixed(2), TARGETS.pgWriteRatio);
  if (options.pgProfile) await profilePgWrites(options, cluster, polls);
}

/** --pg-profile: one more helpers run and one raw run (each with BEGIN/COMMIT too), every statement timed. */
async function profilePgWrites(
  options: BenchOptions,
  cluster: PostgresCluster,
  polls: ReturnType<typeof workload>,
): Promise<void> {
  const url = cluster.databaseUrl("bench_profile_helpers");
  await migrateDatabase(url, { quiet: true });
  const db = createDb({ url });
  try {
    await applyBenchCards(db, options.races);
    await profilePgQueries("helpers (timed loop only)", () => writePolls(db, polls));
  } finally {
    await db.close();
  }
  const profiled =
    (label: string) =>
    async <T>(timed: () => Promise<T>) =>
      (await profilePgQueries(label, timed)).result;
  await writeRawPg(cluster.databaseUrl("bench_profile_raw"), options.races, polls, {
    around: profiled("raw, one implicit transaction a statement (the baseline)"),
  });
  await writeRawPg(cluster.databaseUrl("bench_profile_raw_explicit"), options.races, polls, {
    explicit: true,
    around: profiled("raw, each statement in BEGIN … COMMIT"),
  });
}

/** A row count as the options write it: 10m, 250k. */
const countLabel = (rows: number) =>
  rows % 1_000_000 === 0 ? `${rows / 1_000_000}m` : rows % 1_000 === 0 ? `${rows / 1_000}k` : String(rows);

async function benchPgLatestOdds(
  options: BenchOptions,
  cluster: PostgresCluster,
  signal: AbortSignal,
): Promise<void> {
  const label = countLabel(options.pgRows);
  progress(`PostgreSQL latest odds at ${label} rows:`);
  const url = cluster.databaseUrl("bench_latest");
  await migrateDatabase(url, { quiet: true });
  const fill = await fillPgOdds(url, options.pgRows, signal);
  progress(`  filled ${fill.rows.toLocaleString("en-US")} rows in ${fill.seconds.toFixed(1)} s`);
  await stopIfAsked(signal);
  const db = createDb({ url });
  try {
    // Races spread through the whole table, taken in turn.
    const ms = await medianLatestOddsMsOver(db, spreadRaceIds(fill.races, options.samples), options.samples);
    print(`pg_latest_odds_ms_${label}`, ms.toFixed(3), TARGETS.pgLatestOddsMs);
  } finally {
    await db.close();
  }
}

async function main(args: string[], signal: AbortSignal): Promise<number> {
  const countOption = (flag: string, description: string, fallback: number) =>
    new Option(`--${flag} <count>`, description).argParser(abbreviatedCount(`--${flag}`)).default(fallback);
  const options = parseOptions<BenchOptions>(
    new Command("bench")
      .description("write throughput vs raw inserts, and latest-odds latency as the odds table grows")
      .addOption(
        countOption("rows", "largest odds table to measure (10m adds a 10-million-row step)", 1_000_000),
      )
      .addOption(countOption("races", "races in the write workload", 10))
      .addOption(countOption("polls", "polls of each race in the write workload", 40))
      .addOption(countOption("samples", "latest-odds calls timed per table size", 301))
      .addOption(countOption("rounds", "write rounds (helpers then raw), median taken", 5))
      .addOption(
        countOption(
          "pg-rows",
          "odds rows for PostgreSQL's latest-odds figure (1m for a quick run)",
          10_000_000,
        ),
      )
      .addOption(
        new Option("--pg-profile", "time every PostgreSQL statement of one helpers run (stderr)").default(
          false,
        ),
      ),
    args,
  );
  if (typeof options === "number") return options;
  const temp = new TempDatabases();
  let cluster: PostgresCluster | undefined;
  try {
    await benchWrites(options, temp, signal);
    await benchLatestOdds(options, temp, signal);
    if (!postgresAvailable()) {
      progress(
        "bench: PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): the pg_* figures are left out",
      );
      return EXIT.ok;
    }
    await stopIfAsked(signal);
    progress("starting a throwaway PostgreSQL cluster");
    cluster = await startPostgresCluster();
    await benchPgWrites(options, cluster, signal);
    await benchPgLatestOdds(options, cluster, signal);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof BenchStopped)) throw error;
    progress(`bench: ${error.message}`);
    return EXIT.failed;
  } finally {
    temp.removeAll();
    await cluster?.stop();
  }
}

void runIfEntryPoint(import.meta.url, "bench", main);
