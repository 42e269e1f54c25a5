import { describe, expect, it } from "vitest";
import { createProgressDisplay } from "./progress.js";

function setup(isTTY: boolean) {
  let t = 1000;
  let written = "";
  const logged: Array<{ fields: Record<string, unknown>; msg: string }> = [];
  const display = createProgressDisplay<number>({
    label: "count",
    logger: { info: (fields: Record<string, unknown>, msg: string) => logged.push({ fields, msg }) },
    describe: (n, elapsedMs) => ({ text: `${n} items after ${elapsedMs} ms`, fields: { n, elapsedMs } }),
    stream: {
      isTTY,
      write: (text: string) => {
        written += text;
        return true;
      },
    },
    now: () => t,
  });
  return { display, advance: (ms: number) => (t += ms), written: () => written, logged };
}

describe("createProgressDisplay", () => {
  it("on a terminal redraws one line at most every 250 ms and clears it at the end", () => {
    const { display, advance, written, logged } = setup(true);
    display.update(1);
    advance(249);
    display.update(2);
    expect(written()).toBe("");
    advance(1);
    display.update(3);
    advance(100);
    display.update(4);
    expect(written()).toBe("\r\x1b[Kcount: 3 items after 250 ms");
    display.finish();
    expect(written()).toBe("\r\x1b[Kcount: 3 items after 250 ms\r\x1b[K");
    expect(logged).toEqual([]);
  });

  it("elsewhere logs the fields every 10 s and writes nothing to the stream", () => {
    const { display, advance, written, logged } = setup(false);
    advance(9_999);
    display.update(1);
    advance(1);
    display.update(2);
    advance(5_000);
    display.update(3);
    display.finish();
    expect(logged).toEqual([{ fields: { n: 2, elapsedMs: 10_000 }, msg: "count progress" }]);
    expect(written()).toBe("");
  });
});
