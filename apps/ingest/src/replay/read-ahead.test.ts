import { describe, expect, it } from "vitest";
import { readAhead } from "./read-ahead.js";

/** A source of 0..count-1 that records how far it was pulled and whether it was ended. */
function counted(count: number, failAt = -1) {
  const state = { pulled: 0, ended: false };
  async function* source() {
    try {
      for (let i = 0; i < count; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        if (i === failAt) throw new Error(`item ${i} is bad`);
        state.pulled = i + 1;
        yield i;
      }
    } finally {
      state.ended = true;
    }
  }
  return { state, items: source() };
}

describe("readAhead", () => {
  it("yields every item in order, pulling at most `depth` ahead of the consumer", async () => {
    const { state, items } = counted(50);
    const seen: number[] = [];
    const ahead: number[] = [];
    for await (const item of readAhead(items, 4)) {
      // While the consumer waits (a database write), the source is read ahead, never past 4 more.
      await new Promise((resolve) => setTimeout(resolve, 2));
      ahead.push(state.pulled - (item + 1));
      seen.push(item);
    }
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Math.max(...ahead)).toBe(4);
    expect(ahead.at(-1)).toBe(0);
    expect(state.ended).toBe(true);
  });

  it("hands on the items before a failure, then the failure", async () => {
    const { items } = counted(10, 6);
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const item of readAhead(items, 3)) seen.push(item);
      })(),
    ).rejects.toThrow("item 6 is bad");
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("ends the source when the consumer stops early", async () => {
    const { state, items } = counted(100);
    for await (const item of readAhead(items, 5)) if (item === 2) break;
    expect(state.ended).toBe(true);
    expect(state.pulled).toBeLessThanOrEqual(3 + 5);
  });
});
