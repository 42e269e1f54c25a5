/**
 * `format: module` endpoints held to the poller's limits, against a real HTTP server on 127.0.0.1
 * and a real migrated SQLite file: a module that never settles is one problem after
 * http.timeoutMs and never holds up stop(); a module is told the track's name, code, odds format
 * and dividend unit, never its endpoint URLs (passwords); a module that throws leaves no
 * validators behind, so the next poll reads the body again instead of getting a 304.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { captureLogs, json, PINO_LEVELS, storedRows, type Route } from "@totewatch/test-utils";
import { describe, expect, it } from "vitest";
import { fakeTime } from "../../test/fake-time.js";
import { pollerTestBed } from "../../test/poller-test-bed.js";
import { cardMessage, DATE, POST, TRACK } from "../../test/race-feed.js";
import { openThenOfficial } from "../../test/tote-server.js";

const { server, freshDb, config, racePoller } = pollerTestBed();

/** A module file of `source` in a fresh folder; its path. */
function moduleFile(name: string, source: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "totewatch-module-")), name);
  writeFileSync(file, source);
  return file;
}

/** The card, the board at /board (`board`), and a status open for `openPolls` polls, then official. */
function serveDay(board: Route, openPolls = 1): void {
  server.routes.set(`/card/TST/${DATE}`, json(cardMessage));
  server.routes.set(`/board/${DATE}/1`, board);
  server.routes.set(`/status/${DATE}/1`, openThenOfficial(TRACK, DATE, openPolls));
}

const plainBoard: Route = (_req, res) => {
  res.writeHead(200, { "content-type": "text/plain" }).end("the board");
};

function moduleConfig(module: string, http: Record<string, unknown> = {}, board = `${server.url}/board`) {
  return config(http, {
    endpoints: {
      card: `${server.url}/card/{code}/{date}`,
      win: { url: `${board}/{date}/{race}`, format: "module", module },
      status: `${server.url}/status/{date}/{race}`,
    },
  });
}

const boards = () => server.requests.filter((request) => request.startsWith("/board/"));

describe("a module endpoint held to the poller's limits", () => {
  it("a module that never settles: stop() still ends run() at once", { timeout: 20_000 }, async () => {
    serveDay(plainBoard);
    const hang = moduleFile("hang.mjs", "export default () => new Promise(() => {});\n");
    const poller = racePoller(fakeTime(POST - 5 * 60_000), {
      config: moduleConfig(hang, { timeoutMs: 60_000 }),
      db: freshDb(),
    });
    const run = poller.run();
    for (let i = 0; i < 100 && boards().length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(boards()).toHaveLength(1);
    const stoppedAt = performance.now();
    poller.stop();
    const summary = await Promise.race([
      run,
      new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 3000)),
    ]);
    expect(summary).not.toBe("hung");
    expect(summary).toMatchObject({ interrupted: true });
    expect(performance.now() - stoppedAt).toBeLessThan(2000);
  });

  it("a module still running after http.timeoutMs is one unreadable field, and the poll goes on", async () => {
    serveDay(plainBoard);
    const hang = moduleFile("hang.mjs", "export default () => new Promise(() => {});\n");
    const logs = captureLogs();
    const poller = racePoller(fakeTime(POST - 5 * 60_000), {
      config: moduleConfig(hang, { timeoutMs: 300 }),
      db: freshDb(),
      logger: logs.logger,
    });
    const summary = await poller.run();
    // Two polls (open, then official): the module timed out on each, and run() finished.
    expect(boards()).toHaveLength(2);
    expect(summary.unreadable).toBe(2);
    expect(
      logs.records.filter((record) => record.level === PINO_LEVELS.warn).map((record) => record.msg),
    ).toEqual([
      `unreadable field: win module (module ${hang}) at ${server.url}/board/${DATE}/1: did not finish within 300 ms (http.timeoutMs)`,
    ]);
  });

  it("tells the module the track's name, code, odds format and dividend unit, never its endpoint URLs", async () => {
    serveDay(plainBoard, 0);
    const peek = moduleFile(
      "peek.mjs",
      'export default (body, ctx) => ({ messages: [], problems: [{ field: "ctx", text: JSON.stringify(ctx.track), reason: "peek" }] });\n',
    );
    const logs = captureLogs();
    const secret = server.url.replace("http://", "http://tote:s3cret@");
    const poller = racePoller(fakeTime(POST - 5 * 60_000), {
      config: moduleConfig(peek, {}, `${secret}/board`),
      db: freshDb(),
      logger: logs.logger,
    });
    await poller.run();
    const peeked = logs.records.find((record) => record.msg.startsWith("unreadable field: win ctx"));
    expect(peeked).toBeDefined();
    expect(JSON.parse((peeked as unknown as { text: string }).text)).toEqual({
      name: TRACK,
      code: "TST",
      oddsFormat: "odds_to_one",
      dividendUnit: 1,
    });
    expect(JSON.stringify(logs.records)).not.toContain("s3cret");
  });

  it("a module that throws once leaves no validators: the next poll reads the body again", async () => {
    const conditional: string[] = [];
    serveDay((req, res) => {
      conditional.push(String(req.headers["if-none-match"] ?? "-"));
      if (req.headers["if-none-match"] === '"b1"') {
        res.writeHead(304).end();
        return;
      }
      res.writeHead(200, { "content-type": "text/plain", etag: '"b1"' }).end("1 5-2");
    });
    const flaky = moduleFile(
      "flaky.mjs",
      [
        "let calls = 0;",
        "export default (body, ctx) => {",
        '  if (calls++ === 0) throw new Error("a passing fault");',
        "  return [{ kind: 'win', track: ctx.track.name, date: ctx.date, race: ctx.race,",
        "    fetched_at: new Date(ctx.fetchedAt).toISOString(), horses: [{ program_number: '1', win_odds: '5-2' }] }];",
        "};",
      ].join("\n"),
    );
    const db = freshDb();
    const poller = racePoller(fakeTime(POST - 5 * 60_000), { config: moduleConfig(flaky), db });
    await poller.run();
    // The second request is unconditional (the first body was never read), and is stored.
    expect(conditional).toEqual(["-", "-"]);
    const { odds_snapshot } = await storedRows(db, ["odds_snapshot"]);
    expect(odds_snapshot).toHaveLength(1);
  });
});
