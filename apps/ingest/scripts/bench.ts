/**
 * Replay throughput: a simulated 100-race day (10 tracks x 10 races, 12
 * runners, exacta grids) replayed from a JSON Lines file, against raw
 * better-sqlite3 prepared inserts of the same snapshot rows in one
 * transaction, in the same run. Prints `name: value` lines.
 *
 * The replay runs in a child process so its peak RSS is its own. The
 * replayed file's size over its snapshot rows is `bytes_per_row` (issue 13:
 * a season of history must fit on a laptop), with where the bytes go on stderr.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { once } from "node:events";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { benchLine, userArguments, wholeNumber, type BenchTarget } from "@totewatch/cli-kit";
import { createDb } from "@totewatch/db";
import { Command, Option } from "commander";
// From db/testing, not test-utils: the replay child must not load test-only servers and loggers
// (its peak RSS is a reported figure).
import {
  databaseBytes,
  freshDatabaseFile,
  snapshotRows,
  storageBreakdown,
  rawSnapshotInserts,
  type RawInsertRun,
  type RawSnapshots,
} from "@totewatch/db/testing";
import { parseFeedMessage, writeFeedMessage, type ParsedFeedMessage } from "@totewatch/feed";
import { replayFiles } from "../src/replay.js";
import { BENCHMARK_DAY, simulateRaceDay } from "@totewatch/simulator";

const DAY = BENCHMARK_DAY;
const RATIO_TARGET: BenchTarget = { op: ">=", value: 0.5 };
const BYTES_PER_ROW_TARGET: BenchTarget = { op: "<=", value: 100 };

interface ReplayFigures {
  elapsedMs: number;
  messages: number;
  rows: number;
  peakRssMb: number;
}

const progress = (line: string) => process.stderr.write(`${line}\n`);

async function replayChild(file: string, dbFile: string): Promise<void> {
  const db = createDb({ url: dbFile });
  const summary = await replayFiles(db, [file]);
  await db.close();
  const figures: ReplayFigures = {
    elapsedMs: summary.elapsedMs,
    messages: summary.messages,
    rows: summary.rows,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  if (summary.invalid > 0) throw new Error(`replay found ${summary.invalid} invalid messages`);
  process.stdout.write(JSON.stringify(figures));
}

async function writeDay(file: string): Promise<ParsedFeedMessage[]> {
  const out = createWriteStream(file);
  const parsed: ParsedFeedMessage[] = [];
  let index = 0;
  for (const message of simulateRaceDay(DAY)) {
    if (!out.write(`${JSON.stringify(message)}\n`)) await once(out, "drain");
    const result = parseFeedMessage(message, { source: "bench", index: index++ });
    if (!result.ok) throw new Error(result.error.reason);
    parsed.push(result.message);
  }
  out.end();
  await once(out, "close");
  return parsed;
}

/** Cards through the normal path, then every snapshot row by prepared inserts in one transaction. */
async function rawInserts(messages: ParsedFeedMessage[]): Promise<RawInsertRun> {
  const db = createDb({ url: freshDatabaseFile("bench-raw") });
  for (const message of messages) if (message.kind === "card") await writeFeedMessage(db, message);
  const snapshots: RawSnapshots = {
    win: messages.flatMap((message) => (message.kind === "win" ? [message.snapshot] : [])),
    exacta: messages.flatMap((message) => (message.kind === "exacta" ? [message.snapshot] : [])),
  };
  const run = await rawSnapshotInserts(db, snapshots);
  await db.close();
  return run;
}

async function main(): Promise<void> {
  if (process.argv[2] === "--replay-child") {
    await replayChild(process.argv[3]!, process.argv[4]!);
    return;
  }
  const { rounds } = new Command("ingest bench")
    .description("replay throughput against raw better-sqlite3 inserts, best of N interleaved rounds")
    .addOption(
      new Option("--rounds <n>", "rounds per side").argParser(wholeNumber("--rounds", { min: 1 })).default(3),
    )
    .parse(userArguments(process.argv.slice(2)), { from: "user" })
    .opts<{ rounds: number }>();
  const dir = mkdtempSync(path.join(os.tmpdir(), "totewatch-ingest-bench-"));
  try {
    const file = path.join(dir, "day.jsonl");
    const messages = await writeDay(file);
    // Best of `rounds` for each side, interleaved, so a busy machine skews both alike.
    let replay: ReplayFigures | null = null;
    let raw: RawInsertRun | null = null;
    let peakRssMb = 0;
    let lastReplayFile = "";
    for (let round = 0; round < rounds; round++) {
      lastReplayFile = freshDatabaseFile("bench-replay");
      const child = spawnSync(
        process.execPath,
        [...process.execArgv, fileURLToPath(import.meta.url), "--replay-child", file, lastReplayFile],
        { encoding: "utf8", maxBuffer: 1 << 20 },
      );
      if (child.status !== 0) throw new Error(`replay child failed (${child.status}):\n${child.stderr}`);
      const figures = JSON.parse(child.stdout) as ReplayFigures;
      peakRssMb = Math.max(peakRssMb, figures.peakRssMb);
      if (!replay || figures.elapsedMs < replay.elapsedMs) replay = figures;
      const rawRound = await rawInserts(messages);
      if (!raw || rawRound.elapsedMs < raw.elapsedMs) raw = rawRound;
    }
    if (!replay || !raw) throw new Error("no rounds ran");
    // The last replay's file, closed (checkpointed) by the child: what a day of history costs.
    const bytes = databaseBytes(lastReplayFile);
    const storedSnapshotRows = snapshotRows(lastReplayFile);
    progress(
      `bytes by object after the day (${storedSnapshotRows.toLocaleString("en-US")} odds + exacta rows):`,
    );
    for (const object of storageBreakdown(lastReplayFile).filter((o) => o.bytes >= 10_000)) {
      progress(`  ${object.name.padEnd(58)} ${(object.bytes / 1e6).toFixed(2).padStart(8)} MB`);
    }
    const replayRowsPerS = (replay.rows * 1000) / replay.elapsedMs;
    const rawRowsPerS = (raw.rows * 1000) / raw.elapsedMs;
    const ratio = replayRowsPerS / rawRowsPerS;
    const lines: Array<[string, number | string, BenchTarget?]> = [
      ["replay_messages", replay.messages],
      ["replay_rows", replay.rows],
      ["replay_msgs_per_s", Math.round((replay.messages * 1000) / replay.elapsedMs)],
      ["replay_rows_per_s", Math.round(replayRowsPerS)],
      ["raw_rows_per_s", Math.round(rawRowsPerS)],
      ["replay_ratio_vs_raw", ratio.toFixed(2), RATIO_TARGET],
      ["replay_ratio_target", RATIO_TARGET.value],
      ["replay_peak_rss_mb", Math.round(peakRssMb)],
      ["db_bytes", bytes],
      ["bytes_per_row", (bytes / storedSnapshotRows).toFixed(1), BYTES_PER_ROW_TARGET],
    ];
    for (const [name, value, target] of lines) process.stdout.write(`${benchLine(name, value, target)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
