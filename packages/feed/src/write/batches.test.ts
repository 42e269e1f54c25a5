/**
 * How ingestTimedStream hands items to `writeAll` (no database: `db: null`): in order, each once,
 * in groups of at most `groupSize` that never cross a batch's end nor a wait of a paced run.
 */
import { describe, expect, it } from "vitest";
import { ingestTimedStream } from "./batches.js";

interface Item {
  n: number;
  /** Epoch ms. */
  at: number;
}

/** Runs the stream: each writeAll call's items, and the items `write` got, in order. */
async function groupsOf(
  items: readonly Item[],
  options: { groupSize?: number; maxMessages?: number; speed?: number; writeAll?: boolean } = {},
) {
  const writes: number[][] = [];
  const singles: number[] = [];
  const waits: number[] = [];
  const summary = await ingestTimedStream(items, {
    db: null,
    timeOf: (item) => item.at,
    write: async (item) => {
      singles.push(item.n);
      writes.push([item.n]);
    },
    writeAll:
      options.writeAll === false ? undefined : async (group) => void writes.push(group.map((item) => item.n)),
    groupSize: options.groupSize,
    speed: options.speed,
    sleep: async (ms) => void waits.push(ms),
    batchLimits: { maxMessages: options.maxMessages ?? 500, maxMs: 60_000 },
  });
  return { writes, singles, waits, summary };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const items = (count: number, at: (n: number) => number = () => 0): Item[] =>
  range(0, count).map((n) => ({ n, at: at(n) }));

describe("ingestTimedStream's groups", () => {
  it("as fast as possible: groups of groupSize, cut where a batch ends", async () => {
    const { writes } = await groupsOf(items(40), { groupSize: 16, maxMessages: 20 });
    // Batches of 20: 16 + 4, then 16 + 4.
    expect(writes).toEqual([range(0, 16), range(16, 20), range(20, 36), range(36, 40)]);
  });

  it("paced: a group is the items due together, never across a wait", async () => {
    // At 10x: items 0-2 at 0 s, 3-4 at 1 s, 5 at 3 s; waits of 100 ms and 200 ms between them.
    const times = [0, 0, 0, 1000, 1000, 3000];
    const { writes, waits } = await groupsOf(
      items(6, (n) => times[n]!),
      { speed: 10, groupSize: 16 },
    );
    expect(writes).toEqual([[0, 1, 2], [3, 4], [5]]);
    // Item 5, due alone, is written on its own.
    expect(waits).toEqual([100, 200]); // (1000 - 0) / 10, (3000 - 1000) / 10
  });

  it("a lone item goes to `write`, and without writeAll every item does", async () => {
    const grouped = await groupsOf(items(3), { groupSize: 2 });
    expect(grouped.writes).toEqual([[0, 1], [2]]);
    expect(grouped.singles).toEqual([2]);
    const alone = await groupsOf(items(3), { writeAll: false });
    expect(alone.singles).toEqual([0, 1, 2]);
  });
});
