// @totewatch/feed: the feed format of docs/feed.md and the one write path every source uses.
//   format/ (pure): message schemas, validation into db inputs, positions and errors, feed text
//                   into raw records, a lenient peek at raw messages (for ordering a replay)
//   files.ts:       feed files on disk, streamed into the pure reader
//   file-lines.ts:  feed files indexed by line, each message read back alone (replay's ordered pass)
//   write/:         apply (one message -> its db helper), FeedIngestor (validate, apply, count,
//                   group commit), timed streams (paced batches for replay and simulate), run stats
export {
  feedMessageSchema,
  type CardMessage,
  type ExactaMessage,
  type FeedMessage,
  type FeedMessageInput,
  type StatusMessage,
  type WinMessage,
} from "./format/messages.js";
export { parseFeedMessage, type FeedParseResult, type ParsedFeedMessage } from "./format/parse.js";
export { FeedMessageError, formatFeedError, type FeedError, type FeedPosition } from "./format/position.js";
export { peekKind, peekObservedAt, peekRaceKey } from "./format/peek.js";
export { parseFeedBody, readFeedChunks, type FeedRecord } from "./format/read.js";
export { FEED_FILE_EXTENSIONS, isFeedFile, readFeedFile, type ReadFeedFileOptions } from "./files.js";
export {
  indexFeedFile,
  openFeedLines,
  type FeedLineReader,
  type FeedLineReaderOptions,
  type FeedSpan,
  type IndexedFeedRecord,
} from "./file-lines.js";

export { writeFeedMessage, type ApplyOutcome, type ApplyResult } from "./write/apply.js";
export {
  FeedIngestor,
  type ApplyMessage,
  type FeedIngestorOptions,
  type IngestBatch,
  type IngestOutcome,
  type TimedMessage,
} from "./write/ingestor.js";
export {
  DEFAULT_BATCH_LIMITS,
  DEFAULT_GROUP_SIZE,
  ingestTimedStream,
  type BatchLimits,
  type IngestRunOptions,
  type TimedStreamOptions,
} from "./write/batches.js";
export {
  countMessages,
  silentProgress,
  summarize,
  type IngestStats,
  type IngestSummary,
  type ProgressSink,
} from "./write/stats.js";
