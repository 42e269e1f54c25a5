/**
 * The second pass of a replay: the messages in the plan's order (plan.ts),
 * each read back from its file and validated when its turn comes, so one
 * message is held at a time (replay.ts reads READ_AHEAD ahead of the write),
 * whatever the size of the day. Every file stays
 * open (up to MAX_OPEN_FILES, well below the process's limit), and the blocks
 * read are kept in one store bounded in bytes (blocks.ts), so a day recorded
 * in many files at once costs about one read per block, not per message.
 *
 * Invariant: each message is the one the first pass planned: a line that is
 * valid then and refused now (or the other way round), or that is no longer
 * there, means the file changed during the replay, and the replay fails
 * naming the position rather than apply something it did not order. A file
 * whose size or inode differ at a read, or whose size, mtime or inode differ
 * when it is reopened or when the replay ends, fails it naming the file.
 */
import { openFeedLines, type FeedLineReader, type FeedPosition } from "@totewatch/feed";
import { BLOCK_BUDGET_BYTES, blockBytesFor, blockStore } from "./blocks.js";
import { check, type Checked, type OddsFormatOf, type ReplayPlan } from "./plan.js";

/** A message with the place it takes in the replay. */
export interface Ordered {
  /** Not ok when refused (its validation error, warned about when its turn comes). */
  checked: Checked;
  /** Observation instant (epoch ms), own or borrowed (plan.ts). */
  time: number;
}

/** Files kept open at most: the common limit is 1024 descriptors, and the process needs some. */
export const MAX_OPEN_FILES = 900;

export interface ReplayStreamOptions {
  oddsFormatOf: OddsFormatOf;
  /** Called as each message is read back from its file, before it is handed on. */
  onRead?: (position: FeedPosition) => void;
  /** Files open at once (least recently read closed first); default all, up to MAX_OPEN_FILES. */
  maxOpenFiles?: number;
  /** Bytes of blocks kept across all files; default BLOCK_BUDGET_BYTES. */
  blockBudgetBytes?: number;
  /** Called with each read from a file (its index in the plan) and its bytes: a test counts them. */
  onFileRead?: (file: number, bytes: number) => void;
}

/** The plan's messages in order; closes its files when done or when the consumer stops early. */
export async function* replayInOrder(
  plan: ReplayPlan,
  options: ReplayStreamOptions,
): AsyncGenerator<Ordered> {
  const readers = new ReaderPool(plan, options);
  try {
    for (const seq of plan.order) {
      const time = plan.time[seq]!;
      const held = plan.held.get(seq);
      if (held) {
        plan.held.delete(seq);
        yield { checked: held, time };
        continue;
      }
      const file = plan.file[seq]!;
      const position: FeedPosition = { source: plan.files[file]!, line: plan.line[seq]! };
      const reader = await readers.get(file);
      const record = await reader.read({ offset: plan.offset[seq]!, length: plan.length[seq]! }, position);
      const checked = check(record, options.oddsFormatOf);
      if (checked.ok !== (plan.valid[seq] === 1)) {
        throw new Error(
          `${position.source}:${position.line}: the file changed while it was being replayed (this line was ` +
            `${checked.ok ? "refused" : "valid"} when the files were ordered); the replay stopped here`,
        );
      }
      options.onRead?.(position);
      yield { checked, time };
    }
    // An edit that kept every line's length shows only in the file's mtime.
    await readers.checkAll();
  } finally {
    await readers.closeAll();
  }
}

/** Readers of the replay's files, opened as needed, at most `max` at once, sharing one block store. */
class ReaderPool {
  /** Open readers, least recently used first. */
  private readonly open = new Map<number, FeedLineReader>();
  private readonly max: number;
  private readonly blockBytes: number;
  private readonly blocks;

  constructor(
    private readonly plan: ReplayPlan,
    private readonly options: ReplayStreamOptions,
  ) {
    this.max = options.maxOpenFiles ?? Math.min(plan.files.length, MAX_OPEN_FILES);
    const budget = options.blockBudgetBytes ?? BLOCK_BUDGET_BYTES;
    this.blockBytes = blockBytesFor(Math.min(plan.files.length, this.max), budget);
    this.blocks = blockStore(budget);
  }

  async get(file: number): Promise<FeedLineReader> {
    const reader = this.open.get(file);
    if (reader) {
      this.open.delete(file);
      this.open.set(file, reader);
      return reader;
    }
    if (this.open.size >= Math.max(1, this.max)) {
      const [oldest, oldestReader] = this.open.entries().next().value!;
      this.open.delete(oldest);
      await oldestReader.close();
    }
    const onFileRead = this.options.onFileRead;
    const opened = await openFeedLines(this.plan.files[file]!, {
      blockBytes: this.blockBytes,
      blocks: this.blocks,
      expect: this.plan.identity[file] ?? undefined,
      onRead: onFileRead && ((bytes) => onFileRead(file, bytes)),
    });
    this.open.set(file, opened);
    return opened;
  }

  async checkAll(): Promise<void> {
    for (const reader of this.open.values()) await reader.check();
  }

  async closeAll(): Promise<void> {
    const readers = [...this.open.values()];
    this.open.clear();
    await Promise.all(readers.map((reader) => reader.close()));
  }
}
