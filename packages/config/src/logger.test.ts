import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, formatLogRecord } from "./logger.js";

/** A stream that keeps what was written to it. */
function memoryStream(): Writable & { text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return Object.assign(stream, { text: () => chunks.join("") });
}

describe("createLogger", () => {
  it("writes JSON lines to a given stream", () => {
    const stream = memoryStream();
    const logger = createLogger({ name: "ingest", stream });
    logger.info({ track: "Belmont Park", race: 3 }, "polled race");
    const [line, ...rest] = stream.text().trim().split("\n");
    expect(rest).toEqual([]);
    expect(JSON.parse(line ?? "")).toMatchObject({
      level: 30,
      name: "ingest",
      msg: "polled race",
      track: "Belmont Park",
      race: 3,
    });
  });

  it("drops records below the level", () => {
    const stream = memoryStream();
    const logger = createLogger({ name: "alerts", level: "warn", stream });
    logger.info("quiet");
    logger.warn("loud");
    expect(
      stream
        .text()
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line).msg),
    ).toEqual(["loud"]);
  });

  it("writes one readable line per record when pretty", () => {
    const stream = memoryStream();
    const logger = createLogger({ name: "ingest", stream, pretty: true });
    logger.warn({ track: "Belmont Park", race: 3, pool: "win" }, "endpoint failing");
    expect(stream.text()).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} WARN {2}ingest endpoint failing track="Belmont Park" race=3 pool=win\n$/,
    );
  });

  it("rejects an unknown level", () => {
    expect(() => createLogger({ name: "x", level: "loud", stream: memoryStream() })).toThrow(/loud/);
  });
});

describe("formatLogRecord", () => {
  it("puts an error's message inline and its stack below", () => {
    const line = formatLogRecord({
      time: new Date(2025, 0, 2, 3, 4, 5, 6).getTime(),
      level: 50,
      name: "alerts",
      msg: "delivery failed",
      err: { type: "Error", message: "connect ECONNREFUSED", stack: "Error: connect ECONNREFUSED\n    at x" },
      attempt: 2,
      payload: { a: [1] },
    });
    expect(line).toBe(
      '03:04:05.006 ERROR alerts delivery failed err="connect ECONNREFUSED" attempt=2 payload={"a":[1]}\n' +
        "    Error: connect ECONNREFUSED\n        at x",
    );
  });

  it("says a text field once: one the message already says is not repeated after it", () => {
    const source = "/data/feeds/invalid-day.jsonl";
    const reason = 'race: expected number, got "one"';
    const line = formatLogRecord({
      time: new Date(2025, 0, 2, 3, 4, 5, 6).getTime(),
      level: 40,
      name: "ingest",
      msg: `invalid message at ${source}:4: ${reason}`,
      source,
      position: `${source}:4`,
      reason,
      kind: "win",
    });
    expect(line).toBe(`03:04:05.006 WARN  ingest invalid message at ${source}:4: ${reason} kind=win`);
  });

  it("still shows a field whose text is only part of a word in the message", () => {
    const line = formatLogRecord({ level: 30, msg: "window closed", pool: "win", track: "Belmont Park" });
    expect(line).toBe('INFO  window closed pool=win track="Belmont Park"');
  });

  it("keeps an error's stack when its message is the record's message", () => {
    const line = formatLogRecord({
      level: 50,
      msg: "connect ECONNREFUSED",
      err: { type: "Error", message: "connect ECONNREFUSED", stack: "Error: connect ECONNREFUSED\n    at x" },
    });
    expect(line).toBe("ERROR connect ECONNREFUSED\n    Error: connect ECONNREFUSED\n        at x");
  });
});

describe("pretty logger", () => {
  it("writes each thing once, while the JSON line keeps every field", () => {
    const pretty = memoryStream();
    const json = memoryStream();
    const fields = { source: "day.jsonl", position: "day.jsonl:2", reason: "not JSON" };
    createLogger({ name: "ingest", stream: pretty, pretty: true }).warn(
      fields,
      "invalid message at day.jsonl:2: not JSON",
    );
    createLogger({ name: "ingest", stream: json }).warn(fields, "invalid message at day.jsonl:2: not JSON");
    expect(pretty.text().match(/day\.jsonl/g)).toHaveLength(1);
    expect(pretty.text().match(/not JSON/g)).toHaveLength(1);
    expect(JSON.parse(json.text())).toMatchObject(fields);
  });
});
