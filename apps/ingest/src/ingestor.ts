/**
 * The write path every command shares: validate a raw message, apply it in
 * its own transaction, count the outcome, report invalid ones and go on.
 */
import type { Logger } from "@totewatch/config";
import type { Db } from "@totewatch/db";
import {
  FeedMessageError,
  parseFeedMessage,
  writeFeedMessage,
  type ApplyResult,
  type FeedError,
  type FeedPosition,
  type FeedRecord,
  type ParsedFeedMessage,
} from "@totewatch/feed";

export interface IngestStats {
  applied: number;
  unchanged: number;
  invalid: number;
  /** Rows inserted or updated. */
  rows: number;
}

export type IngestOutcome = "applied" | "unchanged" | "invalid";

/** What writes a parsed message; replaceable so tests can observe a write in flight. */
export type ApplyMessage = (db: Db, message: ParsedFeedMessage) => Promise<ApplyResult>;

export interface FeedIngestorOptions {
  logger?: Logger;
  /** Called with every invalid message (after it is logged). */
  onInvalid?: (error: FeedError) => void;
  apply?: ApplyMessage;
}

export function emptyStats(): IngestStats {
  return { applied: 0, unchanged: 0, invalid: 0, rows: 0 };
}

export class FeedIngestor {
  readonly stats: IngestStats = emptyStats();
  private readonly apply: ApplyMessage;

  constructor(
    readonly db: Db,
    private readonly options: FeedIngestorOptions = {},
  ) {
    this.apply = options.apply ?? writeFeedMessage;
  }

  get messages(): number {
    return this.stats.applied + this.stats.unchanged + this.stats.invalid;
  }

  /** A record from a file or a response body. */
  ingestRecord(record: FeedRecord): Promise<IngestOutcome> {
    if (!record.ok) return Promise.resolve(this.invalid(record.error));
    return this.ingest(record.raw, record.position);
  }

  /** Validates and writes one raw message. Database failures other than refusals propagate. */
  async ingest(raw: unknown, position: FeedPosition): Promise<IngestOutcome> {
    const parsed = parseFeedMessage(raw, position);
    if (!parsed.ok) return this.invalid(parsed.error);
    let result: ApplyResult;
    try {
      result = await this.apply(this.db, parsed.message);
    } catch (error) {
      if (error instanceof FeedMessageError) return this.invalid(error.feedError);
      throw error;
    }
    this.stats.rows += result.rows;
    this.stats[result.outcome]++;
    return result.outcome;
  }

  private invalid(error: FeedError): "invalid" {
    this.stats.invalid++;
    this.options.logger?.warn(
      { source: error.source, position: error.position, reason: error.reason },
      `invalid message at ${error.position}: ${error.reason}`,
    );
    this.options.onInvalid?.(error);
    return "invalid";
  }
}
