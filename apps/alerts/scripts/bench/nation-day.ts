/**
 * The nationwide day (issue 12), on SQLite and on PostgreSQL: a simulated day
 * is written to a JSON Lines file once, then, per engine, on a freshly
 * migrated database, `ingest replay FILE --db URL` and the alerts daemon
 * (`alerts run --db URL --config CFG`: log level warn, no channel enabled, so
 * alerts are stored and nothing is sent) START TOGETHER as OS processes (node
 * with the tsx loader and the memory settings of the `totewatch` command,
 * @totewatch/cli-kit NODE_PROCESS_FLAGS and nodeProcessEnv; the pid sampled is the process itself). When the
 * replay exits, the bench waits until the daemon's high-water marks (cursors
 * "alerts:win" / "alerts:exacta", read with `evaluationReadTransaction`)
 * reach the newest stored snapshot ids (`changeMarks`), then stops the daemon
 * with SIGTERM. Wall time = start until the daemon is caught up. Peak RSS and
 * CPU time of each process (children.ts): /proc, sampled every 200 ms; the
 * PostgreSQL server's CPU time is its postmaster's and its ended children's
 * (backends, workers) over the run. PostgreSQL runs on one throwaway cluster
 * (scripts/postgres-cluster.sh), stopped at the end, on error and on Ctrl-C;
 * without Debian's PostgreSQL the pg figures are skipped (one stderr line).
 *
 * Sizes: the nationwide day (`--nation`) is the issue's: 35 tracks x 10 races,
 * 12-14 runners, a poll every 30 s through the last hour (120 polls a race),
 * exacta grids, about 7M rows: it takes minutes per engine. Without it the
 * default is a quick 5 x 10 x 12 day, 24 polls a race (about 0.2M rows, well under a
 * minute) whose figures are printed under the same names with no targets: the
 * targets (wall <= 120 s on SQLite, PostgreSQL <= 2x SQLite, peak RSS <= 300
 * MB) are for the nationwide day. `nation_day_size` says which was run.
 *
 *   npx tsx scripts/bench/nation-day.ts                    # quick day, both engines
 *   npx tsx scripts/bench/nation-day.ts --nation           # the nationwide day (minutes)
 *   npx tsx scripts/bench/nation-day.ts --tracks 8 --races 10 --runners 12 --engine sqlite
 *   pnpm bench --nation                              # apps/alerts: the whole bench, nationwide
 *
 * Progress (generating, replaying, catching up) goes to stderr, figures to stdout.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { benchLine, userArguments, wholeNumber, type BenchTarget } from "@totewatch/cli-kit";
import {
  alertCountsByType,
  changeMarks,
  createDb,
  evaluationReadTransaction,
  migrateDatabase,
  oddsActivity,
} from "@totewatch/db";
import { describeDaySize, writeSimulatedDay, type SimulatedDaySize } from "@totewatch/simulator";
import { postgresAvailable, startPostgresCluster, type PostgresCluster } from "@totewatch/db/testing";
import { Command, Option } from "commander";
import { EXACTA_CURSOR, WIN_CURSOR } from "../../src/engine/pass.js";
import { cpuSeconds, killChildren, startCli } from "./children.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const appDir = path.resolve(here, "..", "..");
const repoRoot = path.resolve(appDir, "..", "..");
const ALERTS_CLI = path.join(appDir, "src", "cli.ts");
const INGEST_CLI = path.join(repoRoot, "apps", "ingest", "src", "cli.ts");

export type DaySize = SimulatedDaySize;

/** The nationwide day of issue 12: 35 tracks, 350 races, 12-14 runners, 120 polls a race (every 30 s). */
export const NATION_DAY: DaySize = {
  tracks: 35,
  races: 10,
  runners: [12, 14],
  pollEverySeconds: 30,
  seed: 7,
};
/** The quick day `pnpm bench` runs without --nation. */
export const QUICK_DAY: DaySize = { tracks: 5, races: 10, runners: 12, seed: 7 };

export type Engine = "sqlite" | "pg";

export interface NationDayOptions extends DaySize {
  engines: readonly Engine[];
  /** Print the targets (they are for the nationwide day). */
  targets: boolean;
  keep?: boolean;
}

const progress = (line: string) => process.stderr.write(`nation-day: ${line}\n`);
const sameSize = (a: DaySize, b: DaySize) => describeDaySize(a) === describeDaySize(b) && a.seed === b.seed;

// ---------------------------------------------------------------------------------------------
// One engine's run.

export interface EngineFigures {
  engine: Engine;
  wallS: number;
  replayS: number;
  catchUpS: number;
  rows: number;
  alerts: number;
  replayPeakMb: number;
  daemonPeakMb: number;
  replayCpuS: number;
  daemonCpuS: number;
  /** The PostgreSQL server's CPU seconds (its backends and workers); 0 for SQLite, which has none. */
  serverCpuS: number;
}

async function caughtUpMarks(url: string) {
  const db = createDb({ url });
  try {
    return await changeMarks(db);
  } finally {
    await db.close();
  }
}

async function runEngine(
  engine: Engine,
  url: string,
  feed: string,
  configFile: string,
  /** The PostgreSQL server's postmaster. */
  serverPid?: number,
): Promise<EngineFigures> {
  progress(`${engine}: migrating a fresh database`);
  await migrateDatabase(url, { quiet: true });
  const serverCpu = () =>
    serverPid === undefined ? 0 : (cpuSeconds(serverPid, { ended: true }) ?? Number.NaN);
  const serverCpuBefore = serverCpu();
  progress(`${engine}: replaying the day with the alerts daemon beside it`);
  const started = performance.now();
  const replay = startCli(`ingest-${engine}`, INGEST_CLI, [
    "replay",
    feed,
    "--db",
    url,
    "--config",
    configFile,
    "--quiet",
  ]);
  const daemon = startCli(`alerts-${engine}`, ALERTS_CLI, ["run", "--db", url, "--config", configFile]);
  let daemonExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void daemon.exited.then((exit) => (daemonExit = exit));
  try {
    const replayExit = await replay.exited;
    const replayS = (performance.now() - started) / 1000;
    if (replayExit.code !== 0)
      throw new Error(`${engine}: ingest replay failed (${JSON.stringify(replayExit)})`);
    progress(`${engine}: replay done in ${replayS.toFixed(1)} s; waiting for the daemon to catch up`);

    // The replay wrote everything: the daemon is caught up when its marks reach the newest ids.
    const marks = await caughtUpMarks(url);
    const db = createDb({ url });
    let wallS: number;
    try {
      let lastReport = performance.now();
      for (;;) {
        const cursors = await evaluationReadTransaction(db, async (tx) => ({
          win: await tx.cursor(WIN_CURSOR),
          exacta: await tx.cursor(EXACTA_CURSOR),
        }));
        if (cursors.win >= marks.odds && cursors.exacta >= marks.exacta) {
          wallS = (performance.now() - started) / 1000;
          break;
        }
        if (daemonExit)
          throw new Error(`${engine}: the alerts daemon exited early (${JSON.stringify(daemonExit)})`);
        if (performance.now() - lastReport > 10_000) {
          lastReport = performance.now();
          progress(
            `${engine}: catching up: win ${cursors.win}/${marks.odds}, exacta ${cursors.exacta}/${marks.exacta}`,
          );
        }
        await delay(200);
      }
    } finally {
      await db.close();
    }
    progress(`${engine}: caught up at ${wallS.toFixed(1)} s; stopping the daemon`);
    daemon.child.kill("SIGTERM");
    const exit = await daemon.exited;
    if (exit.code !== 0)
      throw new Error(`${engine}: the alerts daemon did not stop cleanly (${JSON.stringify(exit)})`);

    // The backends of the replay and the daemon end once their clients are gone: then the
    // postmaster's count of its ended children holds them.
    await delay(500);
    const serverCpuS = serverCpu() - serverCpuBefore;
    progress(`${engine}: counting what the day stored`);
    const counted = createDb({ url });
    try {
      const activity = await oddsActivity(counted);
      const alerts = (await alertCountsByType(counted)).reduce((sum, row) => sum + row.count, 0);
      return {
        replayCpuS: replay.cpuS(),
        daemonCpuS: daemon.cpuS(),
        serverCpuS,
        engine,
        wallS,
        replayS,
        catchUpS: wallS - replayS,
        rows: activity.winRows + activity.exactaRows,
        alerts,
        replayPeakMb: replay.peakKb() / 1024,
        daemonPeakMb: daemon.peakKb() / 1024,
      };
    } finally {
      await counted.close();
    }
  } finally {
    replay.child.kill("SIGKILL");
    daemon.child.kill("SIGKILL");
  }
}

// ---------------------------------------------------------------------------------------------

type Line = [string, string | number, BenchTarget?];

/** Runs the day on the engines asked for; returns the `name: value` lines (benchLine text). */
export async function runNationDay(options: NationDayOptions): Promise<string[]> {
  const size: DaySize = options;
  const nation = sameSize(size, NATION_DAY);
  const engines = options.engines.filter((engine) => {
    if (engine !== "pg" || postgresAvailable()) return true;
    process.stderr.write(
      "nation-day: PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb): skipping the pg figures\n",
    );
    return false;
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), "totewatch-nation-day-"));
  let cluster: PostgresCluster | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`nation-day: ${signal}: stopping the children and the PostgreSQL cluster\n`);
    killChildren();
    // The cluster is stopped by its own handler as the process exits (@totewatch/db/testing).
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const feed = path.join(dir, "day.jsonl");
    progress(`generating ${describeDaySize(size)} (seed ${size.seed})`);
    const generating = performance.now();
    const messages = await writeSimulatedDay(feed, size);
    progress(
      `wrote ${messages} messages, ${(statSync(feed).size / 1e6).toFixed(1)} MB in ` +
        `${((performance.now() - generating) / 1000).toFixed(1)} s`,
    );
    const configFile = path.join(dir, "totewatch.yaml");
    // Warnings only; no channel enabled (console is on by default): alerts are stored, nothing is sent.
    writeFileSync(
      configFile,
      "log: { level: warn }\nalerts:\n  channels:\n    console: { enabled: false }\n",
    );

    const results: EngineFigures[] = [];
    for (const engine of engines) {
      let url: string;
      if (engine === "sqlite") {
        url = path.join(dir, "nation.db");
      } else {
        progress("pg: starting a throwaway PostgreSQL cluster");
        cluster = await startPostgresCluster();
        // A database of its own: migrateDatabase creates it on the server.
        url = cluster.databaseUrl("totewatch_nation");
      }
      results.push(await runEngine(engine, url, feed, configFile, cluster?.pid));
      if (engine === "sqlite" && !options.keep) {
        for (const suffix of ["", "-wal", "-shm"]) rmSync(`${url}${suffix}`, { force: true });
      }
    }

    const target = (op: BenchTarget["op"], value: number): BenchTarget | undefined =>
      options.targets ? { op, value } : undefined;
    const of = (engine: Engine) => results.find((r) => r.engine === engine);
    const sqlite = of("sqlite");
    const pg = of("pg");
    const lines: Line[] = [
      [
        "nation_day_size",
        describeDaySize(size) +
          (nation
            ? " (the nationwide day)"
            : ` (a quick day, no targets; the nationwide day: ${describeDaySize(NATION_DAY)}, pnpm bench --nation)`),
      ],
      ["nation_day_messages", messages],
      ["nation_day_rows", results[0]?.rows ?? "n/a"],
    ];
    if (sqlite && pg && sqlite.rows !== pg.rows) {
      lines.push(["nation_day_rows_pg", pg.rows]);
      progress(`WARNING: the engines stored different row counts: sqlite ${sqlite.rows}, pg ${pg.rows}`);
    }
    for (const r of results) {
      lines.push([
        `nation_day_wall_s_${r.engine}`,
        r.wallS.toFixed(1),
        r.engine === "sqlite" ? target("<=", 120) : undefined,
      ]);
      lines.push([`nation_day_replay_s_${r.engine}`, r.replayS.toFixed(1)]);
      lines.push([`nation_day_catchup_s_${r.engine}`, r.catchUpS.toFixed(1)]);
      lines.push([`nation_day_alerts_${r.engine}`, r.alerts]);
    }
    if (sqlite && pg)
      lines.push(["nation_day_pg_vs_sqlite", (pg.wallS / sqlite.wallS).toFixed(2), target("<=", 2)]);
    const peaks = results.flatMap((r) => [r.replayPeakMb, r.daemonPeakMb]);
    if (peaks.length > 0) {
      lines.push([
        "nation_day_peak_rss_mb",
        peaks.some((mb) => !Number.isFinite(mb)) ? "n/a" : Math.round(Math.max(...peaks)),
        target("<=", 300),
      ]);
    }
    for (const r of results) {
      lines.push([`nation_day_peak_rss_mb_replay_${r.engine}`, Math.round(r.replayPeakMb)]);
      lines.push([`nation_day_peak_rss_mb_daemon_${r.engine}`, Math.round(r.daemonPeakMb)]);
    }
    // CPU seconds: the work each part did, apart from how busy the machine was.
    const cpuTotal = (r: EngineFigures) => r.replayCpuS + r.daemonCpuS + r.serverCpuS;
    for (const r of results) {
      lines.push([`nation_day_cpu_s_replay_${r.engine}`, r.replayCpuS.toFixed(1)]);
      lines.push([`nation_day_cpu_s_daemon_${r.engine}`, r.daemonCpuS.toFixed(1)]);
      if (r.engine === "pg") lines.push(["nation_day_cpu_s_server_pg", r.serverCpuS.toFixed(1)]);
      lines.push([`nation_day_cpu_s_${r.engine}`, cpuTotal(r).toFixed(1)]);
    }
    if (sqlite && pg)
      lines.push(["nation_day_cpu_pg_vs_sqlite", (cpuTotal(pg) / cpuTotal(sqlite)).toFixed(2)]);
    if (options.keep) progress(`kept ${dir}`);
    return lines.map(([name, value, t]) => benchLine(name, value, t));
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    killChildren();
    await cluster?.stop();
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const opts = new Command("nation-day")
    .description("the nationwide day through ingest replay and the alerts daemon, on SQLite and PostgreSQL")
    .option("--nation", `the nationwide day (${describeDaySize(NATION_DAY)}, ~7M rows; minutes)`)
    .addOption(new Option("--tracks <n>", "tracks").argParser(wholeNumber("--tracks", { min: 1 })))
    .addOption(new Option("--races <n>", "races per track").argParser(wholeNumber("--races", { min: 1 })))
    .addOption(
      new Option("--runners <n>", "runners per race").argParser(wholeNumber("--runners", { min: 2 })),
    )
    .addOption(
      new Option(
        "--poll-every <s>",
        "poll every s seconds through the last hour (default: 24 polls)",
      ).argParser(wholeNumber("--poll-every", { min: 5 })),
    )
    .addOption(new Option("--seed <n>", "simulator seed").argParser(wholeNumber("--seed", { min: 0 })))
    .addOption(
      new Option("--engine <engine>", "which engines").choices(["sqlite", "pg", "both"]).default("both"),
    )
    .option("--keep", "keep the feed file and databases' folder (path on stderr)")
    .parse(userArguments(process.argv.slice(2)), { from: "user" })
    .opts<{
      nation?: boolean;
      tracks?: number;
      races?: number;
      runners?: number;
      pollEvery?: number;
      seed?: number;
      engine: string;
      keep?: boolean;
    }>();
  const base = opts.nation ? NATION_DAY : QUICK_DAY;
  const size: DaySize = {
    tracks: opts.tracks ?? base.tracks,
    races: opts.races ?? base.races,
    runners: opts.runners ?? base.runners,
    seed: opts.seed ?? base.seed,
  };
  const pollEverySeconds = opts.pollEvery ?? base.pollEverySeconds;
  if (pollEverySeconds !== undefined) size.pollEverySeconds = pollEverySeconds;
  const engines: Engine[] = opts.engine === "both" ? ["sqlite", "pg"] : [opts.engine as Engine];
  const lines = await runNationDay({
    ...size,
    engines,
    targets: sameSize(size, NATION_DAY),
    keep: opts.keep,
  });
  for (const line of lines) process.stdout.write(`${line}\n`);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
