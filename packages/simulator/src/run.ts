/**
 * Running a simulated race day: its messages written through the feed write
 * path (the same one replay and poll use) and/or recorded as a JSON Lines
 * feed file that replay reads back to the same tables.
 */
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import type { Db } from "@totewatch/db";
import { ingestTimedStream, type IngestRunOptions, type IngestSummary } from "@totewatch/feed";
import { simulateTimedRaceDay, type SimulationOptions } from "./generate/day.js";

export interface RunSimulationOptions extends IngestRunOptions {
  simulation: SimulationOptions;
  /** Where messages are written; null only records them (needs `out`). */
  db: Db | null;
  /** Also write every message to this JSON Lines file. */
  out?: string;
}

/** Position name of simulated messages in error reports. */
export const SIMULATOR_SOURCE = "simulator";

export async function runSimulation(options: RunSimulationOptions): Promise<IngestSummary> {
  if (options.db === null && options.out === undefined) {
    throw new Error("simulate: nothing to do without a database or an --out file");
  }
  const startedAt = performance.now();
  // Created first so bad simulation options fail before any file is touched.
  const messages = simulateTimedRaceDay(options.simulation);
  const out = options.out === undefined ? null : createWriteStream(options.out, { encoding: "utf8" });
  const outDone = out ? once(out, "close") : null;
  let index = 0;
  let summary: IngestSummary;
  try {
    summary = await ingestTimedStream(messages, {
      ...options,
      startedAt,
      timeOf: (item) => item.atMs,
      write: async ({ message, atMs }, batch) => {
        // No waiting for "drain" here: this runs inside the open group commit, and a slow
        // disk must not hold the database's write lock. A day's feed (a few MB) buffers.
        out?.write(`${JSON.stringify(message)}\n`);
        await batch?.ingest(message, { source: SIMULATOR_SOURCE, index }, atMs);
        index++;
      },
    });
  } finally {
    if (out) {
      out.end();
      await outDone;
    }
  }
  if (out) summary.recorded = index;
  return summary;
}
