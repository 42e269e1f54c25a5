/**
 * Ingest and the alerts daemon in one process, each on its own database
 * client, as `ingest` and `alerts run` would run side by side (demo, bench,
 * tests).
 *
 * Every database call here is synchronous underneath, so an ingest loop's
 * awaits resolve as microtasks and would never let the daemon's timers run
 * until the whole day was written. Ingest yields to the event loop between
 * its group commits, never inside one (the daemon's writes would wait on the
 * write lock the open batch holds, in this same thread); small batches let
 * the daemon really evaluate while the day is being written.
 */
import type { Logger, TotewatchConfig } from "@totewatch/config";
import type { Db } from "@totewatch/db";
import type { ApplyMessage, BatchLimits, IngestSummary } from "@totewatch/feed";
import { runSimulation, type SimulationOptions } from "@totewatch/simulator";
import type { Channel } from "../delivery/index.js";
import { runDaemon, type DaemonSummary, type DaemonTurn } from "./daemon.js";

/** Ingest's group commits here: the daemon gets a turn every few messages. */
const INGEST_BATCH: BatchLimits = { maxMessages: 10, maxMs: 25 };

export interface AlongsideOptions {
  simulation: SimulationOptions;
  /** Client ingest writes with. */
  ingestDb: Db;
  /** Client the daemon uses (another connection to the same file). */
  alertsDb: Db;
  config: TotewatchConfig;
  channels: readonly Channel[];
  logger: Logger;
  /** Daemon poll interval while the day is written. */
  pollIntervalMs?: number;
  /** Wraps the ingest write path (e.g. to time each write); it runs inside a group commit (see ApplyMessage). */
  apply?: ApplyMessage;
  onTurn?: (turn: DaemonTurn) => void;
  signal?: AbortSignal;
}

export interface AlongsideResult {
  ingest: IngestSummary;
  /** The daemon while ingest ran, and the `--once` catch-up after it. */
  daemon: DaemonSummary;
  live: DaemonSummary;
  catchUp: DaemonSummary;
}

/** Simulates a day into the database with the daemon running alongside, then lets it catch up. */
export async function runAlongside(options: AlongsideOptions): Promise<AlongsideResult> {
  const stop = new AbortController();
  const stopAll = () => stop.abort();
  options.signal?.addEventListener("abort", stopAll, { once: true });
  const daemonOptions = {
    config: options.config,
    logger: options.logger,
    channels: options.channels,
    pollIntervalMs: options.pollIntervalMs ?? 50,
    onTurn: options.onTurn,
  };
  const daemon = runDaemon(options.alertsDb, { ...daemonOptions, signal: stop.signal });
  let ingest: IngestSummary;
  try {
    ingest = await runSimulation({
      simulation: options.simulation,
      db: options.ingestDb,
      logger: options.logger,
      signal: options.signal,
      apply: options.apply,
      batchLimits: INGEST_BATCH,
    });
  } finally {
    stop.abort();
    options.signal?.removeEventListener("abort", stopAll);
  }
  const live = await daemon;
  // What the daemon had not reached when the day ended.
  const catchUp = await runDaemon(options.alertsDb, { ...daemonOptions, once: true });
  const daemonTotal = { ...live };
  for (const key of Object.keys(daemonTotal) as Array<keyof DaemonSummary>) daemonTotal[key] += catchUp[key];
  return { ingest, daemon: daemonTotal, live, catchUp };
}
