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
 * (docs/feed.md), so its records are read as readFeedFile reads them (the
 * same stream, not a second open: a pipe cannot be reopened), without spans.
 */
import type { Stats } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import type { ReadFeedFileOptions } from "./files.js";
import { feedError, formatPosition, type FeedPosition } from "./format/position.js";
import { readFeedChunks, type FeedRecord } from "./format/read.js";

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

/** Options of indexFeedFile. */
export interface IndexFeedFileOptions extends ReadFeedFileOptions {
  /**
   * Called with the file's fstat once it is open, before any record: a caller learns whether it
   * can be read again (a regular file) or not (a pipe, a FIFO), and what it was when read.
   */
  onOpen?: (stats: Stats) => void;
  /** Called with the file's fstat after its last record: what was read (a file still growing). */
  onDone?: (stats: Stats) => void;
}

/**
 * The records of a feed file in file order, as readFeedFile reads them, each
 * JSON Lines record with its span. Opens the file once and reads it once, a
 * chunk at a time, so a pipe or FIFO is read as well as a regular file.
 */
export async function* indexFeedFile(
  file: string,
  options: IndexFeedFileOptions = {},
): AsyncGenerator<IndexedFeedRecord> {
  const source = options.source ?? file;
  const handle = await open(file, "r");
  const stream = handle.createReadStream({ highWaterMark: 1 << 20, autoClose: false });
  try {
    options.onOpen?.(await handle.stat());
    yield* indexOpened(stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>, source);
    options.onDone?.(await handle.stat());
  } finally {
    stream.destroy();
    await handle.close().catch(() => undefined);
  }
}

async function* indexOpened(
  chunks: AsyncIterator<Buffer>,
  source: string,
): AsyncGenerator<IndexedFeedRecord> {
  const decoder = new StringDecoder("utf8");
  let format: "lines" | "array" | undefined;
  /** Decoded text while only blanks have been seen: the first other character decides the format. */
  let seen = "";
  /** Bytes not yet split into lines, and the file offset of the first of them. */
  let pending: Buffer = EMPTY;
  let pendingOffset = 0;
  let line = 0;
  let first = true;
  for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
    let bytes = next.value;
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
      if (format === "array") {
        // Read whole, as readFeedFile reads it: what was read so far, then the rest of the stream.
        for await (const record of readFeedChunks(decoded(pending, chunks), source))
          yield { ...record, span: null };
        return;
      }
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
  if (format === "lines" && pending.length > 0) {
    const record = lineRecord(pending.toString("utf8"), { source, line: line + 1 });
    if (record) yield { ...record, span: { offset: pendingOffset, length: pending.length } };
  }
}

/** `head` and the rest of `chunks`, decoded as UTF-8 (multibyte characters across chunks kept whole). */
async function* decoded(head: Buffer, chunks: AsyncIterator<Buffer>): AsyncGenerator<string> {
  const decoder = new StringDecoder("utf8");
  yield decoder.write(head);
  for (let next = await chunks.next(); !next.done; next = await chunks.next())
    yield decoder.write(next.value);
  yield decoder.end();
}

/** Reads single JSON Lines messages of one file back by their spans (indexFeedFile). */
export interface FeedLineReader {
  /** The record at `span`, as indexFeedFile read it, at `position`. Rejects if the file is now shorter. */
  read(span: FeedSpan, position: FeedPosition): Promise<FeedRecord>;
  /** Rejects, naming the file, if its size, mtime or inode are no longer `expect`'s. */
  check(): Promise<void>;
  close(): Promise<void>;
}

/** What a file was when it was indexed: a reader opened with it refuses a file that is not that. */
export interface FeedFileIdentity {
  size: number;
  mtimeMs: number;
  ino: number;
}

/** Blocks kept across readers (least recently used dropped first): any map-like store. */
export interface FeedBlockStore {
  get(key: string): Buffer | undefined;
  set(key: string, block: Buffer): void;
}

export interface FeedLineReaderOptions {
  /**
   * Bytes per block: blocks lie on a grid of this size, each read once while it is kept, so
   * spans read in file order cost one read per block, and a jump back to a kept block none.
   * Default 256 KiB.
   */
  blockBytes?: number;
  /** Where blocks are kept (shared by many readers); default the last two blocks of this reader. */
  blocks?: FeedBlockStore;
  /** The file as it was indexed: checked at open, its size and inode at each block read. */
  expect?: FeedFileIdentity;
  /** Called with the bytes of each read from the file (a test counts them). */
  onRead?: (bytes: number) => void;
}

let readerIds = 0;

/** Opens `file` for reading messages back by span, a block of it at a time. */
export async function openFeedLines(
  file: string,
  options: FeedLineReaderOptions = {},
): Promise<FeedLineReader> {
  const blockBytes = options.blockBytes ?? 256 * 1024;
  const blocks = options.blocks ?? lastTwo();
  const { expect, onRead } = options;
  const id = `${++readerIds}:`;
  let handle: FileHandle;
  try {
    handle = await open(file, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    throw new Error(`${file}: the file is gone (deleted or moved while it was being replayed)`, {
      cause: error,
    });
  }
  const verify = async (full: boolean) => {
    if (!expect) return;
    const now = await handle.stat();
    const same =
      now.size === expect.size && now.ino === expect.ino && (!full || now.mtimeMs === expect.mtimeMs);
    if (!same) {
      throw new Error(
        `${file}: the file changed while it was being replayed (its size, modification time or inode ` +
          "differ from when the files were ordered); the replay stopped",
      );
    }
  };
  const readAt = async (start: number, size: number) => {
    await verify(false);
    const buffer = Buffer.allocUnsafe(size);
    const { bytesRead } = await handle.read(buffer, 0, size, start);
    onRead?.(bytesRead);
    return buffer.subarray(0, bytesRead);
  };
  const cutShort = (position: FeedPosition) =>
    new Error(`${formatPosition(position)}: the file was cut short while it was being read`);
  try {
    await verify(true);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return {
    async read(span, position) {
      const end = span.offset + span.length;
      const index = Math.floor(span.offset / blockBytes);
      let bytes: Buffer;
      if (end <= (index + 1) * blockBytes) {
        // Within one block of the grid: kept, or read whole.
        const key = id + index;
        let block = blocks.get(key);
        if (!block) {
          block = await readAt(index * blockBytes, blockBytes);
          blocks.set(key, block);
        }
        const from = span.offset - index * blockBytes;
        if (from + span.length > block.length) throw cutShort(position);
        bytes = block.subarray(from, from + span.length);
      } else {
        // Across blocks: the line alone.
        bytes = await readAt(span.offset, span.length);
        if (bytes.length < span.length) throw cutShort(position);
      }
      const record = lineRecord(bytes.toString("utf8"), position);
      if (!record) throw new Error(`${formatPosition(position)}: the line is blank now (the file changed)`);
      return record;
    },
    check: () => verify(true),
    close: () => handle.close(),
  };
}

/** A reader's own store: its last two blocks. */
function lastTwo(): FeedBlockStore {
  const kept = new Map<string, Buffer>();
  return {
    get: (key) => kept.get(key),
    set(key, block) {
      kept.set(key, block);
      if (kept.size > 2) kept.delete(kept.keys().next().value!);
    },
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
