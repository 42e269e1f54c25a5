import { mkdtempSync, writeFileSync } from "node:fs";
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
});
