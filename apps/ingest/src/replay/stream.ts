/**
 * The second pass of a replay: the messages in the plan's order (plan.ts),
 * each read back from its file and validated when its turn comes, so one
 * message is held at a time, whatever the size of the day. The files are
 * read through a few open readers, each holding one block of its file.
 *
 * Invariant: each message is the one the first pass planned: a line that is
 * valid then and refused now (or the other way round), or that is no longer
 * there, means the file changed during the replay, and the replay fails
 * naming the position rather than apply something it did not order.
 */
import { openFeedLines, type FeedLineReader, type FeedPosition } from "@totewatch/feed";
import { check, type Checked, type OddsFormatOf, type ReplayPlan } from "./plan.js";

/** A message with the place it takes in the replay. */
export interface Ordered {
  /** Not ok when refused (its validation error, warned about when its turn comes). */
  checked: Checked;
  /** Observation instant (epoch ms), own or borrowed (plan.ts). */
  time: number;
}

export interface ReplayStreamOptions {
  oddsFormatOf: OddsFormatOf;
  /** Called as each message is read back from its file, before it is handed on. */
  onRead?: (position: FeedPosition) => void;
  /** Files open at once (least recently read closed first), each holding one block; default 64. */
  maxOpenFiles?: number;
}

/** The plan's messages in order; closes its files when done or when the consumer stops early. */
export async function* replayInOrder(
  plan: ReplayPlan,
  options: ReplayStreamOptions,
): AsyncGenerator<Ordered> {
  const readers = new ReaderPool(plan.files, options.maxOpenFiles ?? 64);
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
  } finally {
    await readers.closeAll();
  }
}

/** Readers of the replay's files, opened as needed, at most `max` at once. */
class ReaderPool {
  /** Open readers, least recently used first. */
  private readonly open = new Map<number, FeedLineReader>();

  constructor(
    private readonly files: readonly string[],
    private readonly max: number,
  ) {}

  async get(file: number): Promise<FeedLineReader> {
    const reader = this.open.get(file);
    if (reader) {
      this.open.delete(file);
      this.open.set(file, reader);
      return reader;
    }
    if (this.open.size >= this.max) {
      const [oldest, oldestReader] = this.open.entries().next().value!;
      this.open.delete(oldest);
      await oldestReader.close();
    }
    const opened = await openFeedLines(this.files[file]!);
    this.open.set(file, opened);
    return opened;
  }

  async closeAll(): Promise<void> {
    const readers = [...this.open.values()];
    this.open.clear();
    await Promise.all(readers.map((reader) => reader.close()));
  }
}
