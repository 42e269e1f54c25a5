// pnpm bench [--rows 10m] [--races N] [--polls N] [--samples N] [--rounds N]:
// write throughput of the snapshot helpers against raw better-sqlite3
// (bench/writes.ts), and latest-odds latency as the odds table grows
// (bench/latest-odds.ts). Prints one `name: value` per line on stdout;
// progress goes to stderr. Uses fresh files in the OS temp folder and removes them.
import { abbreviatedCount, benchLine, EXIT, runIfEntryPoint, type BenchTarget } from "@totewatch/cli-kit";
import { Command, Option } from "commander";
import { openRawConnection } from "../src/client.js";
import { createDb } from "../src/index.js";
import { BenchStopped, median, progress, stopIfAsked, TempDatabases } from "./bench/common.js";
import { medianLatestOddsMs, OddsFiller } from "./bench/latest-odds.js";
import { workload, writeRaw, writeWithHelpers } from "./bench/writes.js";
import { parseOptions } from "./lib/args.js";

interface BenchOptions {
  rows: number;
  races: number;
  polls: number;
  samples: number;
  rounds: number;
}

const print = (name: string, value: number | string, target?: BenchTarget) =>
  console.log(benchLine(name, value, target));

/** The targets the figures are held to: helpers at least half raw speed, latest odds flat as the table grows. */
const TARGETS = {
  writeRatio: { op: ">=", value: 0.5 },
  latestOddsMs1m: { op: "<=", value: 1 },
  latestOddsGrowth: { op: "<=", value: 2 },
} as const satisfies Record<string, BenchTarget>;

async function benchWrites(options: BenchOptions, temp: TempDatabases, signal: AbortSignal): Promise<void> {
  progress(
    `write benchmark: ${options.races} races x ${options.polls} polls (12-runner win snapshot + 132-combination exacta grid)`,
  );
  const polls = workload(options.races, options.polls);
  // Alternate helpers and raw over several rounds (fresh files each time) and
  // take each one's median rate: one run alone swings with the machine's I/O.
  const helperRates: number[] = [];
  const rawRates: number[] = [];
  let rows = 0;
  for (let round = 1; round <= options.rounds; round++) {
    await stopIfAsked(signal);
    const helpers = await writeWithHelpers(temp, options.races, polls);
    const raw = await writeRaw(temp, options.races, polls);
    if (raw.rows !== helpers.rows) throw new Error(`helpers wrote ${helpers.rows} rows, raw ${raw.rows}`);
    rows = helpers.rows;
    helperRates.push(helpers.rows / helpers.seconds);
    rawRates.push(raw.rows / raw.seconds);
    progress(
      `  round ${round}/${options.rounds}: ${rows.toLocaleString("en-US")} rows, helpers ${helpers.seconds.toFixed(2)} s, raw ${raw.seconds.toFixed(2)} s`,
    );
  }
  const writeRate = median(helperRates);
  const rawRate = median(rawRates);
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
      .addOption(countOption("rounds", "write rounds (helpers then raw), median taken", 5)),
    args,
  );
  if (typeof options === "number") return options;
  const temp = new TempDatabases();
  try {
    await benchWrites(options, temp, signal);
    await benchLatestOdds(options, temp, signal);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof BenchStopped)) throw error;
    progress(`bench: ${error.message}`);
    return EXIT.failed;
  } finally {
    temp.removeAll();
  }
}

void runIfEntryPoint(import.meta.url, "bench", main);
