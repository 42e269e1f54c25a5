/**
 * Alerts benchmarks, printed as `name: value` lines:
 *
 * - alert_latency_ms_p50 / _p99: from the commit of the snapshot that
 *   triggers an alert to the webhook receiving it on a real 127.0.0.1 HTTP
 *   server, with the daemon loop running at the default poll interval while
 *   ingest writes a paced race day (target p99 <= 1000).
 * - day_wall_s / day_peak_rss_mb: a simulated 100-race day (10 tracks x 10
 *   races, 12 runners, exacta grids) through ingest and the alerts daemon
 *   together, until every snapshot is evaluated and every alert delivered
 *   (targets <= 60 and <= 300). Run in a child process so the peak RSS is its own.
 * - nation_day_*: the nationwide day of issue 12 through `ingest replay` and
 *   `alerts run` as OS processes, on SQLite and PostgreSQL (scripts/bench/nation-day.ts).
 *   By default a quick 5 x 10 x 12 day (no targets, under a minute); the
 *   nationwide day (~6M rows, minutes per engine) with `pnpm bench --nation`
 *   (or TOTEWATCH_BENCH_NATION=1, e.g. from the root's `pnpm bench`).
 */
import { spawnSync } from "node:child_process";
import { Writable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { benchLine, userArguments, type BenchTarget } from "@totewatch/cli-kit";
import { createLogger, parseConfig } from "@totewatch/config";
import { createDb, oddsActivity } from "@totewatch/db";
import { writeFeedMessage } from "@totewatch/feed";
import type { ApplyMessage } from "@totewatch/feed";
import { BENCHMARK_DAY, runSimulation } from "@totewatch/simulator";
import { freshDatabaseFile, rowCount } from "@totewatch/db/testing";
import { createChannels, type WebhookPayload } from "../src/delivery/index.js";
import { runAlongside } from "../src/engine/alongside.js";
import { runDaemon } from "../src/engine/daemon.js";

const DAY = BENCHMARK_DAY;
const LATENCY_DAY = {
  date: "2025-09-13",
  tracks: 2,
  racesPerTrack: 5,
  runners: 10,
  seed: 3,
  exacta: true,
} as const;
// The latency day is replayed at this many times real time (its ~3.3 hours in
// about 8 s): ingest sleeps between due times outside its group commits, so
// the daemon on the other client gets the write lock while ingest waits.
const LATENCY_SPEED = 1_500;

const nowhere = () => new Writable({ write: (_chunk, _encoding, done) => done() });
const logger = createLogger({ name: "bench", level: "warn", stream: process.stderr });

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

async function dayChild(): Promise<void> {
  // A scratch file made by the real migrations, removed when the process exits.
  const file = freshDatabaseFile("bench-day");
  const ingestDb = createDb({ url: file });
  const alertsDb = createDb({ url: file });
  try {
    // Defaults (console channel on) with the console writing nowhere: delivery is done and recorded.
    const config = parseConfig("", "<defaults>", {});
    const channels = createChannels(config.alerts.channels, { stdout: nowhere(), logger });
    const started = performance.now();
    const result = await runAlongside({ simulation: DAY, ingestDb, alertsDb, config, channels, logger });
    const wallS = (performance.now() - started) / 1000;
    const activity = await oddsActivity(alertsDb);
    const figures = {
      wallS,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      messages: result.ingest.messages,
      winSnapshots: activity.winSnapshots,
      evaluatedWin: result.daemon.winSnapshots,
      exactaGrids: activity.exactaGrids,
      evaluatedExacta: result.daemon.exactaGrids,
      raised: result.daemon.raised,
      delivered: result.daemon.delivered,
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    await Promise.all([ingestDb.close(), alertsDb.close()]);
  }
}

const snapshotKey = (kind: string, track: string, date: string, race: number, at: string) =>
  `${kind}|${track}|${date}|${race}|${new Date(at).toISOString()}`;

async function latency(): Promise<{ p50: number; p99: number; alerts: number }> {
  const received = new Map<string, { at: number; payload: WebhookPayload }>();
  // Loaded here, not at the top: the day run (a child process running this script) measures its
  // peak RSS, and the test servers' dependencies (smtp-server) are no part of a race day.
  const { startTestServer } = await import("@totewatch/test-utils");
  const server = await startTestServer();
  server.routes.set("/hook", (request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (body += chunk));
    request.on("end", () => {
      const at = Date.now();
      const payload = JSON.parse(body) as WebhookPayload;
      if (!received.has(payload.id)) received.set(payload.id, { at, payload });
      response.writeHead(200).end();
    });
  });

  const file = freshDatabaseFile("bench-latency");
  const ingestDb = createDb({ url: file });
  const alertsDb = createDb({ url: file });
  const stop = new AbortController();
  try {
    // The default poll interval (1000 ms): the daemon also wakes on every commit to the file.
    const config = parseConfig(
      `alerts:\n  channels:\n    console: { enabled: false }\n` +
        `    webhook: { enabled: true, url: "${server.url}/hook", secret: bench-secret }\n`,
      "<bench>",
      {},
    );
    const channels = createChannels(config.alerts.channels, { logger });
    const daemon = runDaemon(alertsDb, { config, logger, channels, signal: stop.signal });

    const committed = new Map<string, number>();
    const recordCommit: ApplyMessage = async (db, message) => {
      const result = await writeFeedMessage(db, message);
      if (message.kind === "win" || message.kind === "exacta") {
        const s = message.snapshot;
        committed.set(
          snapshotKey(message.kind, s.track, s.raceDate, s.raceNumber, s.fetchedAt.toISOString()),
          Date.now(),
        );
      }
      return result;
    };
    await runSimulation({
      simulation: LATENCY_DAY,
      db: ingestDb,
      logger,
      apply: recordCommit,
      speed: LATENCY_SPEED,
    });

    // Let the last alerts arrive.
    const expected = await rowCount(alertsDb, "alert");
    for (let waited = 0; received.size < expected && waited < 10_000; waited += 20) await delay(20);
    stop.abort();
    await daemon;

    const latencies: number[] = [];
    for (const { at, payload } of received.values()) {
      if (payload.race === null || payload.race.number === null || payload.race.date === null) continue;
      const kind = payload.type.startsWith("exacta") ? "exacta" : "win";
      const commit = committed.get(
        snapshotKey(kind, payload.race.track, payload.race.date, payload.race.number, payload.triggeredAt),
      );
      if (commit !== undefined) latencies.push(at - commit);
    }
    latencies.sort((a, b) => a - b);
    if (latencies.length < expected) {
      throw new Error(
        `latency: ${latencies.length} of ${expected} alerts were received and matched to a snapshot`,
      );
    }
    return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), alerts: latencies.length };
  } finally {
    stop.abort();
    await server.close();
    await Promise.all([ingestDb.close(), alertsDb.close()]);
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === "--day-child") {
    await dayChild();
    return;
  }
  const script = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, [...process.execArgv, script, "--day-child"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 16 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`day run failed (exit ${child.status}):\n${child.stdout}`);
  const day = JSON.parse(child.stdout.trim().split("\n").at(-1)!) as {
    wallS: number;
    peakRssMb: number;
    messages: number;
    winSnapshots: number;
    evaluatedWin: number;
    exactaGrids: number;
    evaluatedExacta: number;
    raised: number;
    delivered: number;
  };
  if (day.evaluatedWin !== day.winSnapshots || day.evaluatedExacta !== day.exactaGrids) {
    throw new Error(
      `day run evaluated ${day.evaluatedWin}/${day.winSnapshots} win, ${day.evaluatedExacta}/${day.exactaGrids} exacta`,
    );
  }
  const lat = await latency();
  const lines: Array<[string, string | number, BenchTarget?]> = [
    ["alert_latency_ms_p50", lat.p50],
    ["alert_latency_ms_p99", lat.p99, { op: "<=", value: 1000 }],
    ["alert_latency_alerts", lat.alerts],
    ["day_wall_s", day.wallS.toFixed(1), { op: "<=", value: 60 }],
    ["day_peak_rss_mb", Math.round(day.peakRssMb), { op: "<=", value: 300 }],
    ["day_messages", day.messages],
    ["day_win_snapshots", day.winSnapshots],
    ["day_exacta_grids", day.exactaGrids],
    ["day_alerts", day.raised],
    ["day_deliveries", day.delivered],
  ];
  for (const [name, value, target] of lines) process.stdout.write(`${benchLine(name, value, target)}\n`);

  // The nationwide day (issue 12): quick by default, the full ~6M rows with --nation. Loaded
  // here, not at the top, so the day child above does not carry its modules in its peak RSS.
  const { NATION_DAY, QUICK_DAY, runNationDay } = await import("./bench/nation-day.js");
  const nation =
    userArguments(process.argv.slice(2)).includes("--nation") || process.env.TOTEWATCH_BENCH_NATION === "1";
  const nationLines = await runNationDay({
    ...(nation ? NATION_DAY : QUICK_DAY),
    engines: ["sqlite", "pg"],
    targets: nation,
  });
  for (const line of nationLines) process.stdout.write(`${line}\n`);
}

await main();
