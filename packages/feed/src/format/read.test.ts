import { describe, expect, it } from "vitest";
import { parseFeedBody, readFeedChunks, type FeedRecord } from "../index.js";

describe("parseFeedBody", () => {
  it("accepts one message, an array or JSON Lines", () => {
    expect(parseFeedBody('{"a":1}', "u")).toEqual({
      ok: true,
      records: [{ ok: true, position: { source: "u", index: 0 }, raw: { a: 1 } }],
    });
    const array = parseFeedBody("[1,2]", "u");
    expect(array.ok && array.records.length).toBe(2);
    const lines = parseFeedBody('{"a":1}\n{"b":2}\n', "u");
    expect(lines.ok && lines.records.map((r) => r.position.index)).toEqual([0, 1]);
  });

  it("skips a UTF-8 byte order mark before a body", () => {
    expect(parseFeedBody('\uFEFF{"a":1}', "u")).toMatchObject({ ok: true, records: [{ raw: { a: 1 } }] });
    const lines = parseFeedBody('\uFEFF{"a":1}\n{"b":2}', "u");
    expect(lines.ok && lines.records.map((r) => r.ok && r.raw)).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it("refuses bodies that are not JSON", () => {
    expect(parseFeedBody("", "u")).toMatchObject({ ok: false, reason: "empty body" });
    expect(parseFeedBody("<html>oops</html>", "u")).toMatchObject({ ok: false });
    expect(parseFeedBody('{"a":1}\n{"b":', "u")).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/line 2/),
    });
  });
});

describe("readFeedChunks", () => {
  async function records(chunks: string[]): Promise<FeedRecord[]> {
    const out: FeedRecord[] = [];
    for await (const record of readFeedChunks(
      (async function* () {
        yield* chunks;
      })(),
      "t",
    ))
      out.push(record);
    return out;
  }

  it("gives the same records however the text is cut into chunks", async () => {
    const lines = '\uFEFF\n{"a":1}\r\n\n{"b":[2,3]}\n{oops\n{"c":4}';
    const whole = await records([lines]);
    expect(whole.map((r) => [r.position.line, r.ok ? r.raw : "invalid"])).toEqual([
      [2, { a: 1 }],
      [4, { b: [2, 3] }],
      [5, "invalid"],
      [6, { c: 4 }],
    ]);
    expect(await records([...lines])).toEqual(whole);
    const array = '  \n [{"a":1},\n{"b":2}]';
    const wholeArray = await records([array]);
    expect(wholeArray.map((r) => r.position)).toEqual([
      { source: "t", index: 0 },
      { source: "t", index: 1 },
    ]);
    expect(await records([...array])).toEqual(wholeArray);
  });

  it("gives nothing for empty or blank text", async () => {
    expect(await records([])).toEqual([]);
    expect(await records(["  \n", "\n"])).toEqual([]);
  });
});
