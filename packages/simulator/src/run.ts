/**
 * Running a simulated race day: its messages written through the feed write
 * path (the same one replay and poll use) and/or recorded as a JSON Lines
 * feed file that replay reads back to the same tables.
 */
import type { WriteStream } from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
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
  // Opened (and so checked) before the first message: a folder that does not exist is one line
  // naming the file, not an 'error' event nobody listens to (an uncaught exception and a stack).
  const out = options.out === undefined ? null : await openOutFile(options.out);
  // A write that fails later (a full disk) is kept and reported once the run is over: the stream
  // is then destroyed, so later writes are dropped and 'close' still comes.
  let writeError: unknown;
  out?.on("error", (error) => {
    writeError ??= error;
  });
  const outDone = out ? new Promise<void>((resolve) => out.once("close", () => resolve())) : null;
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
  if (writeError !== undefined) throw outFileError(options.out!, writeError);
  if (out) summary.recorded = index;
  return summary;
}

/** The --out file, created or emptied, as a stream (which closes the file when it ends). */
async function openOutFile(file: string): Promise<WriteStream> {
  try {
    const handle = await open(file, "w");
    return handle.createWriteStream({ encoding: "utf8" });
  } catch (error) {
    throw outFileError(file, error);
  }
}

/** One line naming the file and why it cannot be written, in words for the usual reasons. */
function outFileError(file: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === "ENOENT"
      ? `no such folder ${path.dirname(file)}`
      : code === "EACCES" || code === "EPERM"
        ? "permission denied"
        : code === "EISDIR"
          ? "it is a folder"
          : code === "ENOTDIR"
            ? "a part of its folder path is not a folder"
            : code === "ENOSPC"
              ? "no space left on the device"
              : error instanceof Error
                ? error.message
                : String(error);
  return new Error(`simulate: cannot write the feed file ${file}: ${reason}`, { cause: error });
}
