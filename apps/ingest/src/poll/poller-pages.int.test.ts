/**
 * `ingest poll` of a track configured from HTML pages (format: html): a real HTTP server on
 * 127.0.0.1 serves the fixture pages (test-fixtures/pages/), the poller reads them through
 * their adapters into a real migrated SQLite file, and the stored rows are what the pages show.
 * The status endpoint stays the feed format.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { captureLogs, PINO_LEVELS, storedRows, type Route } from "@totewatch/test-utils";
import { describe, expect, it } from "vitest";
import { fakeTime } from "../../test/fake-time.js";
import { pollerTestBed } from "../../test/poller-test-bed.js";
import { DATE, POST, TRACK } from "../../test/race-feed.js";
import { firstBoard } from "../../test/stored-boards.js";
import { openThenOfficial } from "../../test/tote-server.js";

const { server, freshDb, config, racePoller } = pollerTestBed();

const html =
  (name: string): Route =>
  (_req, res) => {
    res
      .writeHead(200, { "content-type": "text/html; charset=utf-8" })
      .end(readFileSync(path.join(import.meta.dirname, "../../test-fixtures/pages", name), "utf8"));
  };

describe("poll of html pages", () => {
  it("stores the card, win board and exacta probables the pages show, and warns about the cell it cannot read", async () => {
    // Two polls: the status says open, then official, so the second poll (status, then boards) is the last.
    const time = fakeTime(POST - 5 * 60_000);
    server.routes.set(`/card/TST/${DATE}`, html("us-card.html"));
    server.routes.set(`/win/${DATE}/1`, html("us-win.html"));
    server.routes.set(`/exacta/${DATE}/1`, html("probables-matrix.html"));
    server.routes.set(`/status/${DATE}/1`, openThenOfficial(TRACK, DATE));
    const db = freshDb();
    const logs = captureLogs();
    const poller = racePoller(time, {
      config: config(
        {},
        {
          pools: ["win", "exacta"],
          endpoints: {
            card: {
              url: `${server.url}/card/{code}/{date}`,
              format: "html",
              races: "section.race",
              number: ".race-no",
              postTime: ".post",
              entries: "table.entries tbody tr",
              program: ".pgm",
              horse: ".horse",
              morningLine: ".ml",
              jockey: ".jockey",
              trainer: ".trainer",
              scratched: ".scratched",
            },
            win: {
              url: `${server.url}/win/{date}/{race}`,
              format: "html",
              rows: "#tote tbody tr",
              program: ".pgm",
              odds: ".odds",
              pool: ".pool",
              total: "#win-total",
            },
            exacta: {
              url: `${server.url}/exacta/{date}/{race}`,
              format: "html",
              matrix: "table.probables",
              total: ".pool",
            },
            status: `${server.url}/status/{date}/{race}`,
          },
        },
      ),
      db,
      logger: logs.logger,
    });
    const summary = await poller.run();
    expect(summary.invalid).toBe(0);

    const { race, entry, odds_snapshot, exacta_probable } = await storedRows(db, [
      "race",
      "entry",
      "odds_snapshot",
      "exacta_probable",
    ]);
    // "1:00 PM CT" on 2025-09-12 in America/Chicago (CDT, UTC-5) is 18:00Z, the test race's post.
    expect(
      race.map((row) => [row.race_number, new Date(row.post_time as string | number).getTime()]),
    ).toEqual([[1, POST]]);
    // Morning lines stored odds-to-1: 5-2 = 2.5, 3/1 = 3, EVN = 1; 3 scratched, with no line.
    expect(entry.map((row) => [row.program_number, row.morning_line_odds, Boolean(row.scratched)])).toEqual([
      ["1", 2.5, false],
      ["1A", 2.5, false],
      ["2", 3, false],
      ["3", null, true],
      ["4", 1, false],
    ]);
    // The board was fetched twice, the same rows each time: compare the first fetch's.
    expect(server.requests.filter((request) => request.startsWith("/win/"))).toHaveLength(2);
    expect(odds_snapshot).toHaveLength(8);
    // One board: 1 and 1A at 5/2 (2.5, decimal 3.5) with the entry's $12,345; 2 at 3-1* (3, 4.0)
    // with $8,000; 4 at EVN (1, 2.0) with $20,000; the total $40,445 on every row. 3 is SCR (no
    // row) and 5 ("7x2") could not be read.
    expect(firstBoard(entry, odds_snapshot)).toEqual([
      ["1", 2.5, 3.5, 12345, 40445],
      ["1A", 2.5, 3.5, 12345, 40445],
      ["2", 3, 4, 8000, 40445],
      ["4", 1, 2, 20000, 40445],
    ]);
    // The matrix's six cells with money, at base 2 as shown; pool $30,120 (each of the two fetches).
    expect(exacta_probable).toHaveLength(12);
    const firstFetch = Math.min(...odds_snapshot.map((row) => new Date(row.fetched_at as string).getTime()));
    expect(
      exacta_probable
        .filter((row) => new Date(row.fetched_at as string).getTime() === firstFetch)
        .map((row) => [
          `${String(row.first_horse)}-${String(row.second_horse)}`,
          row.payout,
          row.total_exacta_pool,
        ])
        .sort(),
    ).toEqual([
      ["1-2", 45.4, 30120],
      ["1-4", 12.6, 30120],
      ["2-1", 50, 30120],
      ["2-4", 9.8, 30120],
      ["4-1", 11.2, 30120],
      ["4-2", 8.4, 30120],
    ]);
    // Warned once, though the page was read twice (the repeat is at debug).
    const repeats = logs.records.filter(
      (record) => record.msg.startsWith("unreadable field") && record.level === PINO_LEVELS.debug,
    );
    expect(repeats).toHaveLength(1);
    const unreadable = logs.records.filter(
      (record) => record.msg.startsWith("unreadable field") && record.level === PINO_LEVELS.warn,
    );
    expect(unreadable.map((record) => record.msg)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^unreadable field: win rows\\[5\\]\\.odds \\(\\.odds\\) at ${server.url}/win/${DATE}/1: "7x2": `,
        ),
      ),
    ]);
  });
});
