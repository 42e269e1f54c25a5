/**
 * The write path every source uses (replay, poll, simulate): a raw message
 * is validated (parseFeedMessage), applied (apply.ts, in its own savepoint
 * of a group commit), counted, and, when invalid, logged with its position
 * while the rest goes on. A group commit is also a snapshot pipeline (db's
 * snapshotPipeline): a source that has several messages at hand (replay)
 * sends runs of snapshots as groups, answered while it reads the next.
 *
 * Invariants: a message applies whole or not at all; a refused message
 * (bad input, unknown race or runner) is counted invalid, never thrown; any
 * other failure rolls back the whole group commit, and none of its counts
 * reach `stats`. A message's outcome is the same whether it went alone or in
 * a group.
 */
import type { Logger } from "@totewatch/config";
import { snapshotPipeline, writeBatch, type Db, type SnapshotPipeline } from "@totewatch/db";
import { FeedMessageError, type FeedError, type FeedPosition } from "../format/position.js";
import { parseFeedMessage, type ParsedFeedMessage, type TrackOddsFormatLookup } from "../format/parse.js";
import type { FeedRecord } from "../format/read.js";
import {
  isSnapshotMessage,
  sendFeedSnapshots,
  writeFeedMessage,
  type ApplyResult,
  type SnapshotMessage,
} from "./apply.js";
import { addStats, emptyStats, type IngestStats } from "./stats.js";

/** How far a status's own `at` may run ahead of when it was observed before it is not believed. */
export const STATUS_CLOCK_TOLERANCE_MS = 5 * 60_000;

export type IngestOutcome = "applied" | "unchanged" | "invalid";

/**
 * What writes a parsed message; replaceable so tests can observe a write in flight.
 * It runs inside the open group commit, holding the write lock: it must not
 * wait on anything in this process that writes through another client.
 */
export type ApplyMessage = (db: Db, message: ParsedFeedMessage) => Promise<ApplyResult>;

export interface FeedIngestorOptions {
  logger?: Logger;
  apply?: ApplyMessage;
  /**
   * How each track's board quotes win odds (totewatch.yaml `oddsFormat` / `dividendUnit`),
   * for win messages that do not say; absent, or undefined for a track: odds-to-1.
   */
  oddsFormatOf?: TrackOddsFormatLookup;
}

/**
 * The messages of one group commit; see FeedIngestor.batch. `observedAt`
 * (epoch ms), where known, is when the message was seen: a card carries it
 * as its as-of time, so an older card read again rolls nothing back; a
 * status without an `at` of its own takes it as its `at` (stored as the
 * race's off time when the status is "off").
 */
export interface IngestBatch {
  ingest(raw: unknown, position: FeedPosition, observedAt?: number): Promise<IngestOutcome>;
  ingestRecord(record: FeedRecord, observedAt?: number): Promise<IngestOutcome>;
  /** A message its source already validated (replay validates while it orders its files). */
  ingestParsed(message: ParsedFeedMessage, observedAt?: number): Promise<IngestOutcome>;
  /**
   * Several validated messages in order, each with the outcome ingestParsed would give it. A run
   * of snapshots among them is sent as one group through the batch's pipeline (sendFeedSnapshots)
   * and may still be answering when this resolves: its outcomes are counted by the time the batch
   * commits. A run one of which would be refused goes one at a time.
   */
  ingestParsedAll(items: readonly TimedMessage[]): Promise<void>;
}

/** A validated message and when it was observed (see IngestBatch). */
export interface TimedMessage {
  message: ParsedFeedMessage;
  observedAt?: number;
}

export class FeedIngestor {
  /** Counts of every committed batch. */
  readonly stats: IngestStats = emptyStats();
  private readonly apply: ApplyMessage;

  constructor(
    private readonly db: Db,
    private readonly options: FeedIngestorOptions = {},
  ) {
    this.apply = options.apply ?? writeFeedMessage;
  }

  /**
   * Runs `work` as one group commit (writeBatch): every message it ingests
   * still applies whole or not at all, with the same outcome as on its own,
   * but the batch commits once. Its counts reach `stats` when it commits; if
   * the batch itself fails (the commit, or an error other than a refused
   * message), nothing of it is written or counted and the error propagates.
   * Concurrent batches on one ingestor (poll's tracks) queue on the client.
   */
  async batch<T>(work: (batch: IngestBatch) => Promise<T>): Promise<T> {
    const counts = emptyStats();
    const result = await writeBatch(this.db, () =>
      snapshotPipeline(this.db, async (pipeline) => {
        // Groups still answering: counted before the pipeline (and so the batch) ends.
        const answering: Array<Promise<void>> = [];
        const done = await work({
          ingest: (raw, position, observedAt) => this.write({ ok: true, raw, position }, counts, observedAt),
          ingestRecord: (record, observedAt) => this.write(record, counts, observedAt),
          ingestParsed: (message, observedAt) => this.applyParsed(message, counts, observedAt),
          ingestParsedAll: (items) => this.applyParsedAll(items, counts, pipeline, answering),
        });
        await Promise.all(answering);
        return done;
      }),
    );
    addStats(this.stats, counts);
    return result;
  }

  private async write(record: FeedRecord, counts: IngestStats, observedAt?: number): Promise<IngestOutcome> {
    if (!record.ok) return this.invalid(record.error, counts);
    const parsed = parseFeedMessage(record.raw, record.position, { oddsFormatOf: this.options.oddsFormatOf });
    if (!parsed.ok) return this.invalid(parsed.error, counts);
    return this.applyParsed(parsed.message, counts, observedAt);
  }

  private async applyParsedAll(
    items: readonly TimedMessage[],
    counts: IngestStats,
    pipeline: SnapshotPipeline,
    answering: Array<Promise<void>>,
  ): Promise<void> {
    for (let start = 0; start < items.length;) {
      // A run of snapshots, or one other message. A replaced apply (a test watching each write)
      // sees every message on its own.
      let end = start;
      if (this.options.apply === undefined)
        while (end < items.length && isSnapshotMessage(items[end]!.message)) end++;
      end = Math.max(end, start + 1);
      const run = items.slice(start, end);
      start = end;
      const sent =
        run.length >= 2 &&
        (await this.sendSnapshots(
          pipeline,
          run.map((item) => item.message as SnapshotMessage),
        ));
      if (sent) {
        answering.push(sent.applied.then((results) => this.count(results, counts)).catch(() => {}));
        continue;
      }
      // A run one of which would be refused goes one at a time: the others are stored, it is counted.
      for (const item of run) await this.applyParsed(item.message, counts, item.observedAt);
    }
  }

  /** The run's outcomes to come, or null when it has to go one at a time (nothing of it was sent). */
  private async sendSnapshots(
    pipeline: SnapshotPipeline,
    messages: readonly SnapshotMessage[],
  ): Promise<{ applied: Promise<ApplyResult[]> } | null> {
    try {
      // Wrapped: an async function would wait for a promise it returns.
      return await sendFeedSnapshots(pipeline, messages);
    } catch {
      // A refusal (nothing sent). A read that failed while preparing (the database's) fails again
      // one at a time, and the batch fails.
      return null;
    }
  }

  private count(results: readonly ApplyResult[], counts: IngestStats): void {
    for (const result of results) {
      counts.rows += result.rows;
      counts[result.outcome]++;
    }
  }

  private async applyParsed(
    message: ParsedFeedMessage,
    counts: IngestStats,
    observedAt?: number,
  ): Promise<IngestOutcome> {
    if (observedAt !== undefined && Number.isFinite(observedAt)) {
      if (message.kind === "card") message.card.asOf = new Date(observedAt);
      // A status happened no later than it was seen: without its own `at` it takes that time,
      // and an `at` well after it (a source's zone or clock hours out) is held to it, so a bad
      // `at` cannot keep the pre-race rules on boards fetched after the off. Within the tolerance
      // the source's own clock is trusted: its boards' fetched_at run on the same clock.
      if (
        message.kind === "status" &&
        (message.at === null || message.at.getTime() > observedAt + STATUS_CLOCK_TOLERANCE_MS)
      )
        message.at = new Date(observedAt);
    }
    let result: ApplyResult;
    try {
      result = await this.apply(this.db, message);
    } catch (error) {
      if (error instanceof FeedMessageError) return this.invalid(error.feedError, counts);
      throw error;
    }
    this.count([result], counts);
    return result.outcome;
  }

  private invalid(error: FeedError, counts: IngestStats): "invalid" {
    counts.invalid++;
    this.options.logger?.warn(
      { source: error.source, position: error.position, reason: error.reason },
      `invalid message at ${error.position}: ${error.reason}`,
    );
    return "invalid";
  }
}
