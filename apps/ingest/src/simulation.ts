/**
 * `ingest simulate`: a simulated race day written through the same path as
 * replay and poll, and optionally recorded as a JSON Lines feed file.
 */
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import type { Logger } from "@totewatch/config";
import type { Db } from "@totewatch/db";
import { FeedIngestor, emptyStats, type ApplyMessage } from "./ingestor.js";
import { silentProgress, summarize, type IngestSummary, type ProgressSink } from "./progress.js";
import { simulateTimedRaceDay, type SimulationOptions } from "./simulate/index.js";
import { realSleep, type Sleep } from "./timing.js";

export interface RunSimulationOptions {
  simulation: SimulationOptions;
  /** Where messages are written; null only records them (needs `out`). */
  db: Db | null;
  /** Also write every message to this JSON Lines file. */
  out?: string;
  /** N times real time; 0 or absent: as fast as possible. */
  speed?: number;
  logger?: Logger;
  progress?: ProgressSink;
  signal?: AbortSignal;
  sleep?: Sleep;
  apply?: ApplyMessage;
}

/** Position name of simulated messages in error reports. */
export const SIMULATOR_SOURCE = "simulator";

export async function runSimulation(options: RunSimulationOptions): Promise<IngestSummary> {
  if (options.db === null && options.out === undefined) {
    throw new Error("simulate: nothing to do without a database or an --out file");
  }
  const started = performance.now();
  // Created first so bad simulation options fail before any file is touched.
  const messages = simulateTimedRaceDay(options.simulation);
  const ingestor = options.db
    ? new FeedIngestor(options.db, { logger: options.logger, apply: options.apply })
    : null;
  const progress = options.progress ?? silentProgress;
  const sleep = options.sleep ?? realSleep;
  const speed = options.speed ?? 0;
  const out = options.out === undefined ? null : createWriteStream(options.out, { encoding: "utf8" });
  const outDone = out ? once(out, "close") : null;
  let index = 0;
  let lastTime = Number.NaN;
  let interrupted = false;
  try {
    for (const { atMs, message } of messages) {
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
      if (speed > 0) {
        if (Number.isFinite(lastTime) && atMs > lastTime)
          await sleep((atMs - lastTime) / speed, options.signal);
        lastTime = atMs;
      }
      if (out && !out.write(`${JSON.stringify(message)}\n`)) await once(out, "drain");
      if (ingestor) {
        await ingestor.ingest(message, { source: SIMULATOR_SOURCE, index });
        progress.update(ingestor.stats);
      }
      index++;
    }
  } finally {
    progress.finish();
    if (out) {
      out.end();
      await outDone;
    }
  }
  const summary = summarize(
    ingestor ? ingestor.stats : emptyStats(),
    performance.now() - started,
    interrupted,
  );
  if (out) summary.recorded = index;
  return summary;
}
