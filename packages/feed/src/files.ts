/**
 * Feed files on disk: which names replay picks out of a folder, and
 * streaming one file into the pure reader (format/read.ts), so a big day is
 * never held as one string.
 */
import { createReadStream } from "node:fs";
import path from "node:path";
import { readFeedChunks, type FeedRecord } from "./format/read.js";

/** Files replay picks out of a folder; what is inside decides how each is read (readFeedChunks). */
export const FEED_FILE_EXTENSIONS = [".jsonl", ".ndjson", ".json"] as const;

export function isFeedFile(file: string): boolean {
  return (FEED_FILE_EXTENSIONS as readonly string[]).includes(path.extname(file).toLowerCase());
}

export interface ReadFeedFileOptions {
  /** Name shown in positions; default the path as given. */
  source?: string;
}

/** The messages of a feed file in file order (JSON Lines or one JSON array: see readFeedChunks). */
export async function* readFeedFile(
  file: string,
  options: ReadFeedFileOptions = {},
): AsyncGenerator<FeedRecord> {
  // Opened on the first read, not at the call: a file nobody reads is never opened.
  const stream = createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 });
  yield* readFeedChunks(stream as AsyncIterable<string>, options.source ?? file);
}
