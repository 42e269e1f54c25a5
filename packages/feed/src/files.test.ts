import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readFeedFile, type FeedRecord } from "./index.js";

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

  it("skips a UTF-8 byte order mark at the start of a JSON Lines or JSON array file", async () => {
    const lines = path.join(dir, "bom.jsonl");
    writeFileSync(lines, '\uFEFF{"a":1}\n{"b":2}\n');
    expect((await readAll(lines)).map((r) => [r.position.line, r.ok && r.raw])).toEqual([
      [1, { a: 1 }],
      [2, { b: 2 }],
    ]);
    const array = path.join(dir, "bom.json");
    writeFileSync(array, '\uFEFF[{"a":1},{"b":2}]');
    expect((await readAll(array)).map((r) => [r.position.index, r.ok && r.raw])).toEqual([
      [0, { a: 1 }],
      [1, { b: 2 }],
    ]);
  });

  it("tells a JSON array from JSON Lines by content, whatever the extension", async () => {
    // A pretty-printed array saved as .jsonl: one array, not lines of broken JSON.
    const pretty = path.join(dir, "pretty.jsonl");
    writeFileSync(pretty, `\n  ${JSON.stringify([{ a: 1 }, { b: [2, 3] }], null, 2)}\n`);
    const records = await readAll(pretty);
    expect(records.map((r) => [r.position, r.ok && r.raw])).toEqual([
      [{ source: pretty, index: 0 }, { a: 1 }],
      [{ source: pretty, index: 1 }, { b: [2, 3] }],
    ]);
    // JSON Lines saved as .json: lines, not one broken JSON value.
    const lines = path.join(dir, "lines.json");
    writeFileSync(lines, '{"a":1}\n{"b":2}\n');
    expect((await readAll(lines)).map((r) => [r.position.line, r.ok && r.raw])).toEqual([
      [1, { a: 1 }],
      [2, { b: 2 }],
    ]);
    // An array spread over many stream chunks is still one array.
    const big = path.join(dir, "big-array.ndjson");
    const item = { kind: "win", pad: "x".repeat(5000) };
    writeFileSync(
      big,
      JSON.stringify(
        Array.from({ length: 400 }, () => item),
        null,
        1,
      ),
    );
    const many = await readAll(big);
    expect(many).toHaveLength(400);
    expect(many.at(-1)!.position).toEqual({ source: big, index: 399 });
  });
});
