/**
 * `render: browser` on an html endpoint: a real HTTP server on 127.0.0.1 serves a win board whose
 * table is built by a script after load (the raw HTML has an empty table); polled with
 * `render: browser` through Debian's Chromium, the stored odds are the built table's, and the
 * same endpoint fetched plainly stores none. Skipped, saying why, only when Chromium is absent.
 */
import { existsSync } from "node:fs";
import { captureLogs, json, storedRows, type Route } from "@totewatch/test-utils";
import { describe, expect, it } from "vitest";
import { fakeTime } from "../../test/fake-time.js";
import { pollerTestBed } from "../../test/poller-test-bed.js";
import { cardMessage, DATE, POST, TRACK } from "../../test/race-feed.js";
import { BrowserUnavailableError, DEFAULT_CHROMIUM } from "./browser-render.js";
import { firstBoard } from "../../test/stored-boards.js";
import { openThenOfficial } from "../../test/tote-server.js";

const { server, freshDb, config, racePoller } = pollerTestBed();

/** The board as served: no row in the table until the script has run, after load. */
const SCRIPTED_BOARD = `<!doctype html>
<html><head><title>Win</title><link rel="icon" href="data:,"></head><body>
<table id="tote"><tbody></tbody></table><p>Total <span id="win-total"></span></p>
<script>
  window.addEventListener("load", () => setTimeout(() => {
    const rows = [["1", "5-2", "$3,000"], ["2", "3-5", "$7,000"]];
    const body = document.querySelector("#tote tbody");
    for (const [pgm, odds, pool] of rows) {
      const tr = document.createElement("tr");
      tr.innerHTML = '<td class="pgm">' + pgm + '</td><td class="odds">' + odds + '</td><td class="pool">' + pool + '</td>';
      body.appendChild(tr);
    }
    document.querySelector("#win-total").textContent = "$10,000";
  }, 50));
</script></body></html>`;

const html =
  (body: string): Route =>
  (_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(body);
  };

function serveDay(): void {
  server.routes.set(`/card/TST/${DATE}`, json(cardMessage));
  server.routes.set(`/win/${DATE}/1`, html(SCRIPTED_BOARD));
  server.routes.set(`/status/${DATE}/1`, openThenOfficial(TRACK, DATE));
}

/** The win endpoint as html, rendered in the browser or not (`render`). */
function boardConfig(render: Record<string, unknown>) {
  return config(
    { timeoutMs: 15_000 },
    {
      endpoints: {
        card: `${server.url}/card/{code}/{date}`,
        win: {
          url: `${server.url}/win/{date}/{race}`,
          format: "html",
          rows: "#tote tbody tr",
          program: ".pgm",
          odds: ".odds",
          pool: ".pool",
          total: "#win-total",
          ...render,
        },
        status: `${server.url}/status/{date}/{race}`,
      },
    },
  );
}

const chromium = existsSync(DEFAULT_CHROMIUM);
if (!chromium)
  console.warn(
    `poller-render.int.test.ts: Chromium not found at ${DEFAULT_CHROMIUM}: the render: browser test is skipped ` +
      "(apt-get install chromium, or set TOTEWATCH_CHROMIUM)",
  );

describe("poll of an html page built by JavaScript", () => {
  it.skipIf(!chromium)(
    "with render: browser, stores the odds of the table the script built",
    { timeout: 60_000 },
    async () => {
      serveDay();
      const db = freshDb();
      const poller = racePoller(fakeTime(POST - 5 * 60_000), {
        config: boardConfig({ render: "browser", waitFor: "#tote tbody tr" }),
        db,
      });
      const summary = await poller.run();
      expect(summary.invalid).toBe(0);
      expect(summary.unreadable).toBe(0);
      // Loaded twice by the browser (two polls: open, then official).
      expect(server.requests.filter((request) => request.startsWith("/win/"))).toHaveLength(2);
      const { entry, odds_snapshot } = await storedRows(db, ["entry", "odds_snapshot"]);
      expect(odds_snapshot).toHaveLength(4);
      // 5-2 = 2.5 to 1, decimal 3.5; 3-5 = 0.6 to 1, decimal 1.6; pools $3,000 and $7,000, total $10,000.
      expect(firstBoard(entry, odds_snapshot)).toEqual([
        ["1", 2.5, 3.5, 3000, 10000],
        ["2", 0.6, 1.6, 7000, 10000],
      ]);
    },
  );

  it("fetched as served (no render), the same endpoint stores nothing from that table", async () => {
    serveDay();
    const db = freshDb();
    const logs = captureLogs();
    const poller = racePoller(fakeTime(POST - 5 * 60_000), {
      config: boardConfig({}),
      db,
      logger: logs.logger,
    });
    const summary = await poller.run();
    expect(server.requests.filter((request) => request.startsWith("/win/"))).toHaveLength(2);
    const { entry, odds_snapshot } = await storedRows(db, ["entry", "odds_snapshot"]);
    // The card was stored (two runners), the board not: its rows matched nothing on either fetch.
    expect(entry).toHaveLength(2);
    expect(odds_snapshot).toEqual([]);
    expect(summary.unreadable).toBe(2);
    expect(logs.records.map((record) => record.msg)).toContainEqual(
      expect.stringMatching(
        /^unreadable field: win rows \(#tote tbody tr\) at .*: nothing matched: matched nothing/,
      ),
    );
  });

  it.skipIf(!chromium)(
    "a rendered page failing every poll is warned about once, as a fetched one is",
    { timeout: 60_000 },
    async () => {
      server.routes.set(`/card/TST/${DATE}`, json(cardMessage));
      server.routes.set(`/win/${DATE}/1`, (_req, res) => {
        res.writeHead(500).end("down");
      });
      let statusPolls = 0;
      server.routes.set(`/status/${DATE}/1`, (req, res) =>
        json({
          kind: "status",
          track: TRACK,
          date: DATE,
          race: 1,
          status: statusPolls++ < 3 ? "open" : "official",
        })(req, res),
      );
      const logs = captureLogs();
      const poller = racePoller(fakeTime(POST - 5 * 60_000), {
        config: boardConfig({ render: "browser" }),
        db: freshDb(),
        logger: logs.logger,
      });
      await poller.run();
      expect(server.requests.filter((request) => request.startsWith("/win/"))).toHaveLength(4);
      const warned = logs.records.filter((record) => record.msg.startsWith("source keeps failing"));
      // failureLogAfter is 3: warned at the third failure in a row, once.
      expect(warned.map((record) => record.msg)).toEqual([
        `source keeps failing: ${server.url}/win/${DATE}/1 (3 failures in a row, last: HTTP 500 Internal Server Error)`,
      ]);
    },
  );

  it("stops with an error naming TOTEWATCH_CHROMIUM and apt-get install chromium when there is no Chromium", async () => {
    serveDay();
    const poller = racePoller(fakeTime(POST - 5 * 60_000), {
      config: boardConfig({ render: "browser" }),
      db: freshDb(),
      chromiumPath: "/nonexistent/chromium",
    });
    const error = await poller.run().then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(BrowserUnavailableError);
    expect((error as Error).message).toMatch(
      /Chromium not found at \/nonexistent\/chromium: .*apt-get install chromium/,
    );
    expect((error as Error).message).toMatch(/TOTEWATCH_CHROMIUM/);
    // The board was never requested.
    expect(server.requests.filter((request) => request.startsWith("/win/"))).toEqual([]);
  });
});
