import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  indexFeedFile,
  openFeedLines,
  readFeedFile,
  type FeedRecord,
  type IndexedFeedRecord,
} from "./index.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "feed-lines-"));

async function collect<T>(records: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const record of records) out.push(record);
  return out;
}

const withoutSpan = ({ span: _span, ...record }: IndexedFeedRecord): FeedRecord => record;

/** Files whose records indexFeedFile must give exactly as readFeedFile does. */
const files: Record<string, string | Buffer> = {
  "lines.jsonl": '{"a":1}\n\n   \n{"b":2}\r\n{oops\n{"c":3}',
  "bom-multibyte.jsonl": '\uFEFF  \n{"horse":"Señor Ñandú 🐎"}\r\n{"x":"Zürich"}\n',
  "blank-then-array.json": '\n  \n[{"a":1},{"b":2}]',
  "array-line.jsonl": '{"a":1}\n[1,2]\n',
  "broken-array.json": '[{"a":1},',
  "blank.jsonl": "\n \r\n",
  "empty.jsonl": "",
  "no-line-end.jsonl": '{"a":"é"}',
  "big.jsonl": Array.from({ length: 900 }, (_, i) => JSON.stringify({ i, pad: "ü".repeat(1500) })).join("\n"),
};

describe("indexFeedFile", () => {
  for (const [name, content] of Object.entries(files)) {
    it(`reads ${name} as readFeedFile does, and each line back by its span`, async () => {
      const file = path.join(dir, name);
      writeFileSync(file, content);
      const indexed = await collect(indexFeedFile(file));
      expect(indexed.map(withoutSpan)).toEqual(await collect(readFeedFile(file)));
      // A small block: spans straddle blocks, and some are longer than a block.
      const reader = await openFeedLines(file, { blockBytes: 1000 });
      try {
        for (const record of indexed) {
          if (record.span === null) {
            expect(record.position.line).toBeUndefined();
            continue;
          }
          expect(await reader.read(record.span, record.position)).toEqual(withoutSpan(record));
        }
      } finally {
        await reader.close();
      }
    });
  }

  it("gives array files no spans (they are read whole) and JSON Lines files a span per record", async () => {
    const array = path.join(dir, "spans.json");
    writeFileSync(array, '[{"a":1}]');
    expect((await collect(indexFeedFile(array))).map((r) => r.span)).toEqual([null]);
    const lines = path.join(dir, "spans.jsonl");
    writeFileSync(lines, '\uFEFF{"a":"é"}\n\n{"b":2}');
    expect((await collect(indexFeedFile(lines))).map((r) => r.span)).toEqual([
      { offset: 3, length: 10 }, // "é" is two bytes
      { offset: 15, length: 7 },
    ]);
  });

  it("reads a FIFO once (never reopened), JSON Lines or array, as readFeedFile reads the file", async () => {
    for (const name of ["lines.jsonl", "blank-then-array.json", "bom-multibyte.jsonl"]) {
      const file = path.join(dir, name);
      writeFileSync(file, files[name]!);
      const fifo = path.join(dir, `fifo-${name}`);
      execFileSync("mkfifo", [fifo]);
      const writer = spawn("sh", ["-c", 'cat "$1" > "$2"', "sh", file, fifo], { stdio: "ignore" });
      const exited = new Promise((resolve) => writer.on("exit", resolve));
      let regular: boolean | undefined;
      const indexed = await collect(
        indexFeedFile(fifo, { source: file, onOpen: (s) => (regular = s.isFile()) }),
      );
      await exited;
      expect(regular).toBe(false);
      expect(indexed.map(withoutSpan)).toEqual(await collect(readFeedFile(file)));
    }
  });
});

describe("openFeedLines", () => {
  const lines = Array.from({ length: 400 }, (_, i) => JSON.stringify({ i, pad: "x".repeat(90) }));
  const file = path.join(dir, "grid.jsonl");

  it("reads blocks on a fixed grid, each once while kept, in whatever order the spans come", async () => {
    writeFileSync(file, lines.join("\n"));
    const indexed = (await collect(indexFeedFile(file))).filter((r) => r.span !== null);
    let reads = 0;
    let bytes = 0;
    const kept = new Map<string, Buffer>();
    const reader = await openFeedLines(file, {
      blockBytes: 4096,
      blocks: kept,
      onRead: (n) => {
        reads++;
        bytes += n;
      },
    });
    try {
      // Backwards, then forwards again: every block is read once, lines across blocks alone.
      for (const record of [...indexed].reverse().concat(indexed)) {
        expect(await reader.read(record.span!, record.position)).toEqual(withoutSpan(record));
      }
    } finally {
      await reader.close();
    }
    const size = statSync(file).size;
    const blocks = Math.ceil(size / 4096);
    expect(kept.size).toBe(blocks);
    expect(reads).toBeLessThanOrEqual(blocks + 2 * (blocks - 1));
    expect(bytes).toBeLessThan(size + 2 * blocks * 100);
  });

  it("refuses a file that is not what was indexed, and names a file that is gone", async () => {
    writeFileSync(file, lines.join("\n"));
    const { size, mtimeMs, ino } = statSync(file);
    const reader = await openFeedLines(file, { expect: { size, mtimeMs, ino } });
    await reader.check();
    await reader.close();
    await expect(openFeedLines(file, { expect: { size, mtimeMs: mtimeMs - 1000, ino } })).rejects.toThrow(
      `${file}: the file changed while it was being replayed`,
    );
    await expect(openFeedLines(path.join(dir, "missing.jsonl"))).rejects.toThrow(
      `${path.join(dir, "missing.jsonl")}: the file is gone`,
    );
  });
});
