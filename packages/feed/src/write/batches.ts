/**
 * Writing a stream of timed messages in group commits, as fast as possible
 * or paced at N times real time. Shared by replay and simulate.
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import type { Logger, Sleep } from "@totewatch/config";
import type { ApplyMessage, FeedIngestor, IngestBatch } from "./ingestor.js";
import type { ProgressSink } from "./stats.js";

/** Where a batch ends at the latest: whichever limit is reached first. */
export interface BatchLimits {
  maxMessages: number;
  /** Time spent writing the batch, checked after each message. */
  maxMs: number;
}

/**
 * Batches short enough that another writer (the alerts daemon) gets the
 * write lock several times a second and progress stays live, long enough
 * that the per-commit cost is spread over hundreds of messages.
 */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxMessages: 500, maxMs: 100 };

/** How a run of messages is written: pacing, reporting, stopping, batching (replay and simulate alike). */
export interface IngestRunOptions {
  /** N times real time (sleeps between message times); 0 or absent: as fast as possible. */
  speed?: number;
  logger?: Logger;
  progress?: ProgressSink;
  /** Aborting stops after the write in flight. */
  signal?: AbortSignal;
  sleep?: Sleep;
  apply?: ApplyMessage;
  /** Group-commit size; default DEFAULT_BATCH_LIMITS. */
  batchLimits?: BatchLimits;
}

export interface PacedBatchOptions<T> {
  /** Where messages are written; null: `write` gets no batch (simulate --no-db). */
  ingestor: FeedIngestor | null;
  /** Observation time (epoch ms) of an item; not finite: no time of its own, never waited for. */
  timeOf: (item: T) => number;
  write: (item: T, batch: IngestBatch | null) => Promise<void>;
  /** N times real time; 0: as fast as possible. */
  speed: number;
  sleep: Sleep;
  progress: ProgressSink;
  /** Aborting stops after the message being written; its batch commits. */
  signal?: AbortSignal;
  limits?: BatchLimits;
}

/**
 * Writes every item in order, in batches: as fast as possible, a batch runs
 * until `limits`; paced, a batch is the items due together (no wait between
 * them), within the same limits. The event loop gets a turn between batches,
 * so signals, timers and other clients in the process run while a long day
 * is written. Resolves with whether it stopped early.
 */
export async function writePacedBatches<T>(
  items: Iterable<T> | AsyncIterable<T>,
  options: PacedBatchOptions<T>,
): Promise<{ interrupted: boolean }> {
  const { ingestor, timeOf, write, speed, sleep, progress, signal } = options;
  const limits = options.limits ?? DEFAULT_BATCH_LIMITS;
  const iterator = Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]();
  let next = await iterator.next();
  let lastTime = Number.NaN;
  /** Paced: how long to wait before an item at `time`; 0 when it is due with the one before. */
  const waitBefore = (time: number): number =>
    speed > 0 && Number.isFinite(time) && Number.isFinite(lastTime) && time > lastTime
      ? (time - lastTime) / speed
      : 0;
  const writeBatch = async (batch: IngestBatch | null) => {
    const started = performance.now();
    let written = 0;
    for (;;) {
      const item = next.value as T;
      const time = timeOf(item);
      if (speed > 0 && Number.isFinite(time)) lastTime = time;
      await write(item, batch);
      written++;
      next = await iterator.next();
      if (next.done || signal?.aborted) return;
      if (written >= limits.maxMessages || performance.now() - started >= limits.maxMs) return;
      if (waitBefore(timeOf(next.value)) > 0) return;
    }
  };
  try {
    while (!next.done) {
      if (signal?.aborted) return { interrupted: true };
      const wait = waitBefore(timeOf(next.value));
      if (wait > 0) {
        await sleep(wait, signal);
        if (signal?.aborted) return { interrupted: true };
      }
      if (ingestor) {
        await ingestor.batch(writeBatch);
        progress.update(ingestor.stats);
      } else {
        await writeBatch(null);
      }
      await nextTurn();
    }
    return { interrupted: false };
  } finally {
    // Let a generator (file readers) close its files when stopped early.
    if (!next.done) await iterator.return?.();
  }
}
