/**
 * `ingest poll` of a `format: module` endpoint: a real HTTP server on 127.0.0.1 serves the plain
 * text board of examples/adapters/plain-text-board.ts (the worked example of docs/adapters.md),
 * the poller imports that module and stores what it makes in a real migrated SQLite file. A
 * module that is missing or exports no function stops the poller before any request; one that
 * throws is an unreadable field, never a failed fetch.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConfigError } from "@totewatch/config";
import { captureLogs, json, PINO_LEVELS, storedRows, type Route } from "@totewatch/test-utils";
import { describe, expect, it } from "vitest";
import plainTextBoard from "../../../../examples/adapters/plain-text-board.js";
import type { ModuleAdapterFunction } from "../adapters/module-adapter.js";
import { fakeTime } from "../../test/fake-time.js";
import { pollerTestBed } from "../../test/poller-test-bed.js";
import { cardMessage, DATE, POST, TRACK } from "../../test/race-feed.js";
import { firstBoard } from "../../test/stored-boards.js";
import { openThenOfficial } from "../../test/tote-server.js";

// The example is written against the interface: it must be assignable to it (typecheck).
const _typed: ModuleAdapterFunction = plainTextBoard;

const EXAMPLES = path.resolve(import.meta.dirname, "../../../../examples");
const { server, freshDb, config, racePoller } = pollerTestBed();

/** The board: runner 3 scratched; 5's odds "7x2" cannot be read. Pool total 12,345. */
const BOARD = [
  "RACE 1  POOL 12,345",
  "1  5-2  2,000",
  "2  EVN  4,500",
  "3  SCR",
  "4  9-2  1,200",
  "5  7x2  4,645",
].join("\n");

const text =
  (body: string): Route =>
  (_req, res) => {
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end(body);
  };

/** The card (five runners, feed format), the board at /board, and a status open then official. */
function serveDay(board: Route = text(BOARD)): void {
  const entries = ["1", "2", "3", "4", "5"].map((program) => ({
    program_number: program,
    horse: `Horse ${program}`,
  }));
  server.routes.set(`/card/TST/${DATE}`, json({ ...cardMessage, entries }));
  server.routes.set(`/board/${DATE}/1`, board);
  server.routes.set(`/status/${DATE}/1`, openThenOfficial(TRACK, DATE));
}

/** The test track with its win endpoint read by `module`; the config "file" is examples/totewatch.yaml. */
function moduleConfig(module: string, http: Record<string, unknown> = {}) {
  return {
    ...config(http, {
      endpoints: {
        card: `${server.url}/card/{code}/{date}`,
        win: { url: `${server.url}/board/{date}/{race}`, format: "module", module },
        status: `${server.url}/status/{date}/{race}`,
      },
    }),
    source: path.join(EXAMPLES, "totewatch.yaml"),
  };
}

describe("poll of a module endpoint", () => {
  it("stores the odds the example module reads from a plain-text board, its path relative to the config file", async () => {
    serveDay();
    const db = freshDb();
    const logs = captureLogs();
    const poller = racePoller(fakeTime(POST - 5 * 60_000), {
      config: moduleConfig("./adapters/plain-text-board.ts"),
      db,
      logger: logs.logger,
    });
    const summary = await poller.run();
    expect(summary.invalid).toBe(0);
    const boardFetches = server.requests.filter((request) => request.startsWith("/board/"));
    expect(boardFetches).toHaveLength(2);
    // Runner 5's odds, unreadable on each of the two fetches, counted each time.
    expect(summary.unreadable).toBe(2);

    const { entry, odds_snapshot } = await storedRows(db, ["entry", "odds_snapshot"]);
    // SCR on the board scratches runner 3 as a card would.
    expect(entry.filter((row) => Boolean(row.scratched)).map((row) => row.program_number)).toEqual(["3"]);
    // Two fetches of three rows each (1, 2, 4: 3 is SCR, 5 unreadable).
    expect(odds_snapshot).toHaveLength(6);
    // 5-2 = 2.5 to 1, decimal 2.5 + 1 = 3.5; EVN = 1 to 1, decimal 2; 9-2 = 4.5, decimal 5.5.
    // Pools as shown (2,000 = 2000); the header's total 12,345 (2,000 + 4,500 + 1,200 + 4,645) on each.
    expect(firstBoard(entry, odds_snapshot)).toEqual([
      ["1", 2.5, 3.5, 2000, 12345],
      ["2", 1, 2, 4500, 12345],
      ["4", 4.5, 5.5, 1200, 12345],
    ]);
    const warned = logs.records.filter(
      (record) => record.msg.startsWith("unreadable field") && record.level === PINO_LEVELS.warn,
    );
    expect(warned.map((record) => record.msg)).toEqual([
      `unreadable field: win lines[4].odds (module ./adapters/plain-text-board.ts) at ${server.url}/board/${DATE}/1: "7x2": not board odds (e.g. 5-2, EVN, SCR)`,
    ]);
  });

  it("refuses to start when the module is missing or exports no function, naming track, endpoint and path", async () => {
    serveDay();
    const folder = mkdtempSync(path.join(tmpdir(), "totewatch-module-"));
    writeFileSync(path.join(folder, "no-function.mjs"), "export const adapt = 42;\n");
    for (const [module, reason] of [
      ["./adapters/missing.ts", /cannot be imported/],
      [path.join(folder, "no-function.mjs"), /exports no function \(a default export, or one named adapt/],
    ] as const) {
      const poller = racePoller(fakeTime(POST - 5 * 60_000), { config: moduleConfig(module), db: freshDb() });
      const error = await poller.run().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect(message.split("\n")).toHaveLength(1);
      expect(message).toMatch(
        `tracks[0].endpoints.win.module: track "${TRACK}" win endpoint: module ${module}`,
      );
      expect(message).toMatch(reason);
    }
    // Nothing was fetched: the poller never started.
    expect(server.requests).toEqual([]);
  });

  it("reports a module that throws as an unreadable field and goes on, without re-fetching the page", async () => {
    serveDay();
    const folder = mkdtempSync(path.join(tmpdir(), "totewatch-module-"));
    const module = path.join(folder, "throws.mjs");
    writeFileSync(module, 'export default () => { throw new Error("board layout changed"); };\n');
    const db = freshDb();
    const logs = captureLogs();
    // retries: 2 — a failed fetch would be asked for three times per poll.
    const poller = racePoller(fakeTime(POST - 5 * 60_000), {
      config: moduleConfig(module, { retries: 2 }),
      db,
      logger: logs.logger,
    });
    const summary = await poller.run();
    // Once per poll (two status polls, open then official), never retried.
    expect(server.requests.filter((request) => request.startsWith("/board/"))).toHaveLength(2);
    expect(summary.unreadable).toBe(2);
    const { entry, odds_snapshot } = await storedRows(db, ["entry", "odds_snapshot"]);
    expect(entry).toHaveLength(5);
    expect(odds_snapshot).toEqual([]);
    expect(
      logs.records.filter((record) => record.level === PINO_LEVELS.warn).map((record) => record.msg),
    ).toEqual([
      `unreadable field: win module (module ${module}) at ${server.url}/board/${DATE}/1: threw: board layout changed`,
    ]);
  });
});
