/**
 * Replay memory (issue 12, `nation_day_peak_rss_mb` <= 300): a simulated day
 * of the given size is written to a JSON Lines file in a temp folder, then
 * replayed by `replayFiles` (what `ingest replay` runs) into a database
 * freshly migrated by `migrateDatabase` (what `db migrate` runs), in a child process, so the peak RSS is the replay's own. Prints
 * `name: value` lines. A nationwide day is 35 tracks x 10 races, 12-14
 * runners (13 here), 120 polls a race near post (`--poll-every 30`), exacta
 * grids: about 7M rows. Without `--poll-every` the simulator polls a race 24 times.
 *
 *   npx tsx scripts/replay-rss.ts --tracks 5
 *   npx tsx scripts/replay-rss.ts --tracks 35 --races 10 --runners 13 --poll-every 30
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { NODE_PROCESS_FLAGS, nodeProcessEnv, userArguments, wholeNumber } from "@totewatch/cli-kit";
import { createDb, migrateDatabase } from "@totewatch/db";
import { writeSimulatedDay } from "@totewatch/simulator";
import { Command, Option } from "commander";

interface ReplayFigures {
  elapsedMs: number;
  messages: number;
  rows: number;
  invalid: number;
  peakRssMb: number;
}

interface Options {
  tracks: number;
  races: number;
  runners: number;
  pollEvery?: number;
  seed: number;
  keep: boolean;
  module: string;
  holdBytes?: number;
}

const progress = (line: string) => process.stderr.write(`${line}\n`);

type ReplayFiles = typeof import("../src/replay.js").replayFiles;

async function replayChild(file: string, dbFile: string, module: string, holdBytes: string): Promise<void> {
  // This checkout's replay, or another's (an older replay.ts, for a before and after).
  const { replayFiles } = (await import(module === "" ? "../src/replay.js" : pathToFileURL(module).href)) as {
    replayFiles: ReplayFiles;
  };
  const db = createDb({ url: dbFile });
  const summary = await replayFiles(db, [file], holdBytes === "" ? {} : { holdBytes: Number(holdBytes) });
  await db.close();
  const figures: ReplayFigures = {
    elapsedMs: summary.elapsedMs,
    messages: summary.messages,
    rows: summary.rows,
    invalid: summary.invalid,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(figures));
}

async function main(): Promise<void> {
  if (process.argv[2] === "--replay-child") {
    await replayChild(process.argv[3]!, process.argv[4]!, process.argv[5]!, process.argv[6]!);
    return;
  }
  const options = new Command("replay-rss")
    .description("peak RSS and wall time of `ingest replay` on a simulated day of the given size")
    .addOption(
      new Option("--tracks <n>", "tracks (past the built-in ones: made-up tracks)")
        .argParser(wholeNumber("--tracks", { min: 1 }))
        .default(5),
    )
    .addOption(
      new Option("--races <n>", "races per track").argParser(wholeNumber("--races", { min: 1 })).default(10),
    )
    .addOption(
      new Option("--runners <n>", "runners per race")
        .argParser(wholeNumber("--runners", { min: 2 }))
        .default(12),
    )
    .addOption(
      new Option(
        "--poll-every <s>",
        "poll every s seconds through the last hour (default: 24 polls)",
      ).argParser(wholeNumber("--poll-every", { min: 5 })),
    )
    .addOption(
      new Option("--seed <n>", "simulator seed").argParser(wholeNumber("--seed", { min: 0 })).default(7),
    )
    .addOption(
      new Option("--hold-bytes <n>", "replay's holdBytes (default: its own)").argParser(
        wholeNumber("--hold-bytes", { min: 0 }),
      ),
    )
    .addOption(
      new Option(
        "--module <file>",
        "a module exporting replayFiles to measure instead of this checkout's",
      ).default(""),
    )
    .addOption(
      new Option("--keep", "keep the feed file and database (their paths go to stderr)").default(false),
    )
    .parse(userArguments(process.argv.slice(2)), { from: "user" })
    .opts<Options>();
  const dir = mkdtempSync(path.join(os.tmpdir(), "totewatch-replay-rss-"));
  try {
    const file = path.join(dir, "day.jsonl");
    const written = await writeSimulatedDay(file, { ...options, pollEverySeconds: options.pollEvery });
    progress(`wrote ${written} messages, ${(statSync(file).size / 1e6).toFixed(1)} MB to ${file}`);
    // Migrated as `totewatch db migrate` does, before the child starts: its figures are the replay's.
    const dbFile = path.join(dir, "replay.db");
    await migrateDatabase(dbFile, { quiet: true, onNote: progress });
    const started = performance.now();
    const child = spawnSync(
      process.execPath,
      [
        ...process.execArgv,
        ...NODE_PROCESS_FLAGS,
        fileURLToPath(import.meta.url),
        "--replay-child",
        file,
        dbFile,
        options.module,
        String(options.holdBytes ?? ""),
      ],
      // With the memory settings `totewatch ingest replay` runs with (NODE_PROCESS_FLAGS, nodeProcessEnv).
      { encoding: "utf8", maxBuffer: 1 << 20, stdio: ["ignore", "pipe", "pipe"], env: nodeProcessEnv() },
    );
    const wallS = (performance.now() - started) / 1000;
    if (child.status !== 0) throw new Error(`replay child failed (${child.status}):\n${child.stderr}`);
    const figures = JSON.parse(child.stdout) as ReplayFigures;
    if (figures.invalid > 0) throw new Error(`replay found ${figures.invalid} invalid messages`);
    const lines: Array<[string, number | string]> = [
      ["replay_messages", figures.messages],
      ["replay_rows", figures.rows],
      ["replay_peak_rss_mb", Math.round(figures.peakRssMb)],
      // The child's whole life (start-up, migrations already done, replay); the replay's own time beside it.
      ["replay_wall_s", wallS.toFixed(1)],
      ["replay_elapsed_s", (figures.elapsedMs / 1000).toFixed(1)],
    ];
    for (const [name, value] of lines) process.stdout.write(`${name}: ${value}\n`);
    if (options.keep) progress(`kept ${file} and ${dbFile}`);
  } finally {
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
