/**
 * Writing a stream of timed messages through the write path, as replay and
 * simulate do: in group commits, as fast as possible or paced at N times
 * real time, stoppable between messages, counted into one summary.
 * Invariant: items are written in the order given, each exactly once, and
 * a stop never splits a message (the batch in flight commits).
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import { realSleep, type Logger, type Sleep } from "@totewatch/config";
import type { Db } from "@totewatch/db";
import { FeedIngestor, type ApplyMessage, type FeedIngestorOptions, type IngestBatch } from "./ingestor.js";
import { emptyStats, silentProgress, summarize, type IngestSummary, type ProgressSink } from "./stats.js";

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

/**
 * Items written together when the source can (writeAll): on PostgreSQL a group's inserts cost
 * one round trip and one savepoint, not one each.
 */
export const DEFAULT_GROUP_SIZE = 16;

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
  /** How each track's board quotes win odds; see FeedIngestorOptions. */
  oddsFormatOf?: FeedIngestorOptions["oddsFormatOf"];
  /** Group-commit size; default DEFAULT_BATCH_LIMITS. */
  batchLimits?: BatchLimits;
}

/** How a timed stream is written: where, each item's time, and what writing one means. */
export interface TimedStreamOptions<T> extends IngestRunOptions {
  /** Where messages are written; null: `write` gets no batch (simulate --no-db). */
  db: Db | null;
  /** Observation time (epoch ms) of an item; not finite: no time of its own, never waited for. */
  timeOf: (item: T) => number;
  /** Writes one item, through `batch` (the open group commit) when there is a database. */
  write: (item: T, batch: IngestBatch | null) => Promise<void>;
  /**
   * Writes several items due together, in order, as `write` would one by one (IngestBatch
   * `ingestParsedAll`): given, up to `groupSize` items at a time are handed to it.
   */
  writeAll?: (items: readonly T[], batch: IngestBatch | null) => Promise<void>;
  /** Most items handed to `writeAll` at once; default DEFAULT_GROUP_SIZE. */
  groupSize?: number;
  /**
   * performance.now() when the run began; default the call. A source passes
   * its own so that its preparation (reading and ordering files) is timed too.
   */
  startedAt?: number;
}

/**
 * Writes every item through one FeedIngestor (validate, apply, count) in
 * paced group commits; resolves with the run's counts, elapsed time and
 * whether it was stopped. The progress display is finished however it ends.
 */
export async function ingestTimedStream<T>(
  items: Iterable<T> | AsyncIterable<T>,
  options: TimedStreamOptions<T>,
): Promise<IngestSummary> {
  const started = options.startedAt ?? performance.now();
  const ingestor = options.db
    ? new FeedIngestor(options.db, {
        logger: options.logger,
        apply: options.apply,
        oddsFormatOf: options.oddsFormatOf,
      })
    : null;
  const progress = options.progress ?? silentProgress;
  let interrupted: boolean;
  try {
    interrupted = await writePacedBatches(items, ingestor, progress, options);
  } finally {
    progress.finish();
  }
  return summarize(ingestor ? ingestor.stats : emptyStats(), performance.now() - started, interrupted);
}

/**
 * Writes every item in order, in batches: as fast as possible, a batch runs
 * until `limits`; paced, a batch is the items due together (no wait between
 * them), within the same limits. Inside a batch, items due together go to
 * `writeAll` in groups when it is given. The event loop gets a turn between batches,
 * so signals, timers and other clients in the process run while a long day
 * is written. Resolves with whether it stopped early (true: interrupted).
 */
async function writePacedBatches<T>(
  items: Iterable<T> | AsyncIterable<T>,
  ingestor: FeedIngestor | null,
  progress: ProgressSink,
  options: TimedStreamOptions<T>,
): Promise<boolean> {
  const { timeOf, write, signal } = options;
  const speed = options.speed ?? 0;
  const sleep = options.sleep ?? realSleep;
  const limits = options.batchLimits ?? DEFAULT_BATCH_LIMITS;
  const iterator = Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]();
  let next = await iterator.next();
  let lastTime = Number.NaN;
  /** Paced: how long to wait before an item at `time`; 0 when it is due with the one before. */
  const waitBefore = (time: number): number =>
    speed > 0 && Number.isFinite(time) && Number.isFinite(lastTime) && time > lastTime
      ? (time - lastTime) / speed
      : 0;
  const groupSize = options.writeAll ? (options.groupSize ?? DEFAULT_GROUP_SIZE) : 1;
  const writeBatch = async (batch: IngestBatch | null) => {
    const started = performance.now();
    let written = 0;
    for (;;) {
      // The items due with this one, up to the group's size and the batch's.
      const most = Math.min(groupSize, limits.maxMessages - written);
      const group: T[] = [];
      // Set when `next` already holds the item after the group (so it is not read again below).
      let readPast = false;
      for (;;) {
        const item = next.value as T;
        const time = timeOf(item);
        if (speed > 0 && Number.isFinite(time)) lastTime = time;
        group.push(item);
        if (group.length >= most) break;
        next = await iterator.next();
        if (next.done || signal?.aborted || waitBefore(timeOf(next.value)) > 0) {
          readPast = true;
          break;
        }
      }
      await (group.length > 1 ? options.writeAll!(group, batch) : write(group[0]!, batch));
      written += group.length;
      if (!readPast) next = await iterator.next();
      if (next.done || signal?.aborted) return;
      if (written >= limits.maxMessages || performance.now() - started >= limits.maxMs) return;
      if (waitBefore(timeOf(next.value)) > 0) return;
    }
  };
  try {
    while (!next.done) {
      if (signal?.aborted) return true;
      const wait = waitBefore(timeOf(next.value));
      if (wait > 0) {
        await sleep(wait, signal);
        if (signal?.aborted) return true;
      }
      if (ingestor) {
        await ingestor.batch(writeBatch);
        progress.update(ingestor.stats);
      } else {
        await writeBatch(null);
      }
      await nextTurn();
    }
    return false;
  } finally {
    // Let a generator (file readers) close its files when stopped early.
    if (!next.done) await iterator.return?.();
  }
}
