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
});
