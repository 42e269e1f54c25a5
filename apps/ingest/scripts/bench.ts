/**
 * Replay throughput: a simulated 100-race day (10 tracks x 10 races, 12
 * runners, exacta grids) replayed from a JSON Lines file, against raw
 * better-sqlite3 prepared inserts of the same snapshot rows in one
 * transaction, in the same run. Prints `name: value` lines.
 *
 * The replay runs in a child process so its peak RSS is its own.
 */
import { freshDatabaseFile } from "@totewatch/test-utils";
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { once } from "node:events";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDb } from "@totewatch/db";
import { toDbTime } from "@totewatch/db/testing";
import { parseFeedMessage, writeFeedMessage, type ParsedFeedMessage } from "@totewatch/feed";
import { replayFiles } from "../src/replay.js";
import { BENCHMARK_DAY, simulateRaceDay } from "@totewatch/simulator";

const DAY = BENCHMARK_DAY;
const TARGET_RATIO = 0.5;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface ReplayFigures {
  elapsedMs: number;
  messages: number;
  rows: number;
  peakRssMb: number;
}

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
async function rawInserts(messages: ParsedFeedMessage[]): Promise<{ elapsedMs: number; rows: number }> {
  const db = createDb({ url: freshDatabaseFile("bench-raw") });
  for (const message of messages) if (message.kind === "card") await writeFeedMessage(db, message);
  const sql = db.sql;
  const ids = new Map<string, { raceId: number; entries: Map<string, number> }>();
  for (const row of sql
    .prepare(
      `SELECT t.name, r.race_date, r.race_number, r.race_id, e.program_number, e.entry_id
       FROM race r JOIN track t ON t.track_id = r.track_id JOIN entry e ON e.race_id = r.race_id`,
    )
    .all() as Array<{
    name: string;
    race_date: string;
    race_number: number;
    race_id: number;
    program_number: string;
    entry_id: number;
  }>) {
    const key = `${row.name}|${row.race_date}|${row.race_number}`;
    const race = ids.get(key) ?? { raceId: row.race_id, entries: new Map() };
    race.entries.set(row.program_number, row.entry_id);
    ids.set(key, race);
  }
  const now = toDbTime(new Date());
  const winRows: unknown[][] = [];
  const exactaRows: unknown[][] = [];
  for (const message of messages) {
    if (message.kind !== "win" && message.kind !== "exacta") continue;
    const snap = message.snapshot;
    const race = ids.get(`${snap.track}|${snap.raceDate}|${snap.raceNumber}`)!;
    const fetchedAt = toDbTime(snap.fetchedAt);
    if (message.kind === "win") {
      for (const r of message.snapshot.runners) {
        winRows.push([
          race.raceId,
          race.entries.get(r.programNumber),
          fetchedAt,
          r.winOdds,
          r.winOdds + 1,
          r.winPoolAmount ?? null,
          message.snapshot.totalWinPool ?? null,
          now,
        ]);
      }
    } else {
      for (const p of message.snapshot.probables) {
        exactaRows.push([
          race.raceId,
          fetchedAt,
          p.first,
          p.second,
          p.payout,
          message.snapshot.totalExactaPool ?? null,
          now,
        ]);
      }
    }
  }
  const insertWin = sql.prepare(
    `INSERT INTO odds_snapshot (race_id, entry_id, fetched_at, win_odds, win_odds_decimal, win_pool_amount, total_win_pool, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (entry_id, fetched_at) DO NOTHING`,
  );
  const insertExacta = sql.prepare(
    `INSERT INTO exacta_probable (race_id, fetched_at, first_horse, second_horse, payout, total_exacta_pool, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (race_id, fetched_at, first_horse, second_horse) DO NOTHING`,
  );
  const started = performance.now();
  let rows = 0;
  sql.transaction(() => {
    for (const row of winRows) rows += insertWin.run(...row).changes;
    for (const row of exactaRows) rows += insertExacta.run(...row).changes;
  })();
  const elapsedMs = performance.now() - started;
  await db.close();
  return { elapsedMs, rows };
}

async function main(): Promise<void> {
  if (process.argv[2] === "--replay-child") {
    await replayChild(process.argv[3]!, process.argv[4]!);
    return;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "totewatch-ingest-bench-"));
  try {
    const file = path.join(dir, "day.jsonl");
    const messages = await writeDay(file);
    // Best of ROUNDS for each side, interleaved, so a busy machine skews both alike.
    let replay: ReplayFigures | null = null;
    let raw: { elapsedMs: number; rows: number } | null = null;
    let peakRssMb = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const child = spawnSync(
        process.execPath,
        [
          ...process.execArgv,
          fileURLToPath(import.meta.url),
          "--replay-child",
          file,
          freshDatabaseFile("bench-replay"),
        ],
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
    const replayRowsPerS = (replay.rows * 1000) / replay.elapsedMs;
    const rawRowsPerS = (raw.rows * 1000) / raw.elapsedMs;
    const ratio = replayRowsPerS / rawRowsPerS;
    const lines = [
      ["replay_messages", replay.messages],
      ["replay_rows", replay.rows],
      ["replay_msgs_per_s", Math.round((replay.messages * 1000) / replay.elapsedMs)],
      ["replay_rows_per_s", Math.round(replayRowsPerS)],
      ["raw_rows_per_s", Math.round(rawRowsPerS)],
      ["replay_ratio_vs_raw", ratio.toFixed(2)],
      ["replay_ratio_target", TARGET_RATIO],
      ["replay_peak_rss_mb", Math.round(peakRssMb)],
    ] as const;
    for (const [name, value] of lines) process.stdout.write(`${name}: ${value}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
