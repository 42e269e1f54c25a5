/**
 * The blocks a replay's second pass keeps of its files: one store for all
 * of them, bounded in bytes, least recently used dropped first. Block size
 * follows the number of files so that each file can keep a couple of blocks
 * (a file read in time order, or with a few places read at once, as a file
 * grouped by race is) within the budget.
 */
import type { FeedLineReaderOptions } from "@totewatch/feed";

type FeedBlockStore = NonNullable<FeedLineReaderOptions["blocks"]>;

/** Bytes of blocks kept at once, across all files. */
export const BLOCK_BUDGET_BYTES = 32 * 1024 * 1024;
const MAX_BLOCK_BYTES = 256 * 1024;
const MIN_BLOCK_BYTES = 8 * 1024;

/** Block size for `files` files read at once: a few blocks of each fit in the budget. */
export function blockBytesFor(files: number, budget = BLOCK_BUDGET_BYTES): number {
  let size = MAX_BLOCK_BYTES;
  while (size > MIN_BLOCK_BYTES && size * 4 * files > budget) size /= 2;
  return size;
}

/** A store of blocks holding at most `maxBytes` (at least one block). */
export function blockStore(maxBytes: number): FeedBlockStore {
  const kept = new Map<string, Buffer>();
  let bytes = 0;
  return {
    get(key) {
      const block = kept.get(key);
      if (block) {
        // Most recently used last.
        kept.delete(key);
        kept.set(key, block);
      }
      return block;
    },
    set(key, block) {
      const old = kept.get(key);
      if (old) bytes -= old.length;
      kept.delete(key);
      kept.set(key, block);
      bytes += block.length;
      while (bytes > maxBytes && kept.size > 1) {
        const [oldest, dropped] = kept.entries().next().value!;
        kept.delete(oldest);
        bytes -= dropped.length;
      }
    },
  };
}
