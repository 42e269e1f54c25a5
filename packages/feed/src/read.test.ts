import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseFeedBody, readFeedFile, type FeedRecord } from "./index.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "feed-read-"));

async function readAll(file: string): Promise<FeedRecord[]> {
  const out: FeedRecord[] = [];
  for await (const record of readFeedFile(file)) out.push(record);
  return out;
}

describe("readFeedFile", () => {
  it("reads JSON Lines with line numbers, skipping blank lines and reporting non-JSON lines", async () => {
    const file = path.join(dir, "day.jsonl");
    writeFileSync(file, '{"a":1}\n\n   \n{"b":2}\r\n{oops\n{"c":3}');
    const records = await readAll(file);
    expect(records.map((r) => [r.position.line, r.ok ? r.raw : r.error.reason.slice(0, 9)])).toEqual([
      [1, { a: 1 }],
      [4, { b: 2 }],
      [5, "not JSON:"],
      [6, { c: 3 }],
    ]);
    const bad = records[2]!;
    if (!bad.ok) expect(bad.error.position).toBe(`${file}:5`);
  });

  it("streams big files across chunk boundaries", async () => {
    const file = path.join(dir, "big.jsonl");
    const line = JSON.stringify({ kind: "win", pad: "x".repeat(5000) });
    writeFileSync(file, Array.from({ length: 600 }, () => line).join("\n") + "\n");
    const records = await readAll(file);
    expect(records).toHaveLength(600);
    expect(records.every((r) => r.ok)).toBe(true);
    expect(records.at(-1)!.position.line).toBe(600);
  });

  it("reads a .json array with index positions", async () => {
    const file = path.join(dir, "day.json");
    writeFileSync(file, JSON.stringify([{ a: 1 }, { b: 2 }]));
    const records = await readAll(file);
    expect(records.map((r) => r.position)).toEqual([
      { source: file, index: 0 },
      { source: file, index: 1 },
    ]);
    const broken = path.join(dir, "broken.json");
    writeFileSync(broken, "[{");
    const [only] = await readAll(broken);
    expect(only?.ok).toBe(false);
    if (only && !only.ok) expect(only.error.position).toBe(broken);
  });
});

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

  it("refuses bodies that are not JSON", () => {
    expect(parseFeedBody("", "u")).toMatchObject({ ok: false, reason: "empty body" });
    expect(parseFeedBody("<html>oops</html>", "u")).toMatchObject({ ok: false });
    expect(parseFeedBody('{"a":1}\n{"b":', "u")).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/line 2/),
    });
  });
});
