/**
 * Feed files read so that each JSON Lines message can be read again on its
 * own, later, by where its line lies in the file (its span): a replay that
 * must put a whole day in order indexes the files first (indexFeedFile) and
 * then reads each message when its turn comes (openFeedLines), holding a
 * bounded window of the files rather than the day.
 *
 * Invariant: the records are those of readFeedFile (files.ts), with the same
 * positions and errors: the content decides the format, a leading byte order
 * mark is skipped, blank lines are skipped but counted, and a line that is not
 * JSON is an invalid record at its line. A JSON array file has no lines to
 * come back to and must parse as a whole before any of it counts
 * (docs/feed.md), so its records come from readFeedFile, without spans.
 */
import { createReadStream } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { readFeedFile, type ReadFeedFileOptions } from "./files.js";
import { feedError, formatPosition, type FeedPosition } from "./format/position.js";
import type { FeedRecord } from "./format/read.js";

/** Where a JSON Lines message lies in its file: the bytes of its line, line end left out. */
export interface FeedSpan {
  offset: number;
  length: number;
}

/** A record of a feed file, with its span when it can be read again alone (JSON Lines). */
export type IndexedFeedRecord = FeedRecord & { span: FeedSpan | null };

const BYTE_ORDER_MARK = Buffer.from([0xef, 0xbb, 0xbf]);
const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);

/**
 * The records of a feed file in file order, as readFeedFile reads them, each
 * JSON Lines record with its span. Reads the file once, a chunk at a time.
 */
export async function* indexFeedFile(
  file: string,
  options: ReadFeedFileOptions = {},
): AsyncGenerator<IndexedFeedRecord> {
  const source = options.source ?? file;
  const decoder = new StringDecoder("utf8");
  let format: "lines" | "array" | undefined;
  /** Decoded text while only blanks have been seen: the first other character decides the format. */
  let seen = "";
  /** Bytes not yet split into lines, and the file offset of the first of them. */
  let pending: Buffer = EMPTY;
  let pendingOffset = 0;
  let line = 0;
  let first = true;
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let bytes = chunk;
    if (first) {
      first = false;
      if (bytes.subarray(0, 3).equals(BYTE_ORDER_MARK)) {
        bytes = bytes.subarray(3);
        pendingOffset = 3;
      }
    }
    pending = pending.length === 0 ? bytes : Buffer.concat([pending, bytes]);
    if (format === undefined) {
      seen += decoder.write(bytes);
      const start = seen.search(/\S/);
      if (start === -1) continue;
      format = seen[start] === "[" ? "array" : "lines";
      seen = "";
      if (format === "array") break;
    }
    let start = 0;
    for (let end = pending.indexOf(NEWLINE, start); end !== -1; end = pending.indexOf(NEWLINE, start)) {
      line++;
      const record = lineRecord(pending.toString("utf8", start, end), { source, line });
      if (record) yield { ...record, span: { offset: pendingOffset + start, length: end - start } };
      start = end + 1;
    }
    pendingOffset += start;
    pending = pending.subarray(start);
  }
  if (format === "array") {
    // Stopped at the first character (the stream is closed): the whole array is read as before.
    for await (const record of readFeedFile(file, { source })) yield { ...record, span: null };
    return;
  }
  if (format === "lines" && pending.length > 0) {
    const record = lineRecord(pending.toString("utf8"), { source, line: line + 1 });
    if (record) yield { ...record, span: { offset: pendingOffset, length: pending.length } };
  }
}

/** Reads single JSON Lines messages of one file back by their spans (indexFeedFile). */
export interface FeedLineReader {
  /** The record at `span`, as indexFeedFile read it, at `position`. Rejects if the file is now shorter. */
  read(span: FeedSpan, position: FeedPosition): Promise<FeedRecord>;
  close(): Promise<void>;
}

export interface FeedLineReaderOptions {
  /** Bytes read at a time and kept: spans read in file order cost one read per block. Default 256 KiB. */
  blockBytes?: number;
}

/** Opens `file` for reading messages back by span: one block of it is held at a time. */
export async function openFeedLines(
  file: string,
  options: FeedLineReaderOptions = {},
): Promise<FeedLineReader> {
  const blockBytes = options.blockBytes ?? 256 * 1024;
  const handle: FileHandle = await open(file, "r");
  let block: Buffer = EMPTY;
  let blockStart = 0;
  return {
    async read(span, position) {
      const end = span.offset + span.length;
      if (span.offset < blockStart || end > blockStart + block.length) {
        const size = Math.max(blockBytes, span.length);
        const buffer = Buffer.allocUnsafe(size);
        const { bytesRead } = await handle.read(buffer, 0, size, span.offset);
        if (bytesRead < span.length) {
          throw new Error(`${formatPosition(position)}: the file was cut short while it was being read`);
        }
        block = buffer.subarray(0, bytesRead);
        blockStart = span.offset;
      }
      const text = block.toString("utf8", span.offset - blockStart, end - blockStart);
      const record = lineRecord(text, position);
      if (!record) throw new Error(`${formatPosition(position)}: the line is blank now (the file changed)`);
      return record;
    },
    close: () => handle.close(),
  };
}

// As read.ts reads a line, so both readers give the same record and reason for it.
function lineRecord(text: string, position: FeedPosition): FeedRecord | null {
  // Tolerate CRLF files and indentation; blank lines are not messages.
  if (text.trim() === "") return null;
  try {
    return { ok: true, position, raw: JSON.parse(text) };
  } catch (error) {
    return { ok: false, position, error: feedError(position, `not JSON: ${shortJsonError(error)}`) };
  }
}

function shortJsonError(error: unknown): string {
  return (error as Error).message.split("\n")[0] ?? "syntax error";
}
