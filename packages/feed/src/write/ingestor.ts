/**
 * The write path every source uses (replay, poll, simulate): a raw message
 * is validated (parseFeedMessage), applied (apply.ts, in its own savepoint
 * of a group commit), counted, and, when invalid, logged with its position
 * while the rest goes on.
 *
 * Invariants: a message applies whole or not at all; a refused message
 * (bad input, unknown race or runner) is counted invalid, never thrown; any
 * other failure rolls back the whole group commit, and none of its counts
 * reach `stats`.
 */
import type { Logger } from "@totewatch/config";
import { writeBatch, type Db } from "@totewatch/db";
import { FeedMessageError, type FeedError, type FeedPosition } from "../format/position.js";
import { parseFeedMessage, type ParsedFeedMessage, type TrackOddsFormatLookup } from "../format/parse.js";
import type { FeedRecord } from "../format/read.js";
import { writeFeedMessage, type ApplyResult } from "./apply.js";
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
      work({
        ingest: (raw, position, observedAt) => this.write({ ok: true, raw, position }, counts, observedAt),
        ingestRecord: (record, observedAt) => this.write(record, counts, observedAt),
        ingestParsed: (message, observedAt) => this.applyParsed(message, counts, observedAt),
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
    counts.rows += result.rows;
    counts[result.outcome]++;
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
