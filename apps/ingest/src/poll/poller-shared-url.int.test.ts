/**
 * Endpoints sharing one URL, polled against a real HTTP server on 127.0.0.1 that answers
 * conditional requests (ETag, 304) into a real migrated SQLite file: win and exacta read from one
 * board page by one module. Each endpoint keeps its own validators (http.ts, conditional.ts), so
 * neither is told "not modified" about a body it never read; and the HTTP client alone, readers
 * of one URL from two tracks included.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { json, storedRows, type Route } from "@totewatch/test-utils";
import { describe, expect, it } from "vitest";
import { fakeTime } from "../../test/fake-time.js";
import { pollerTestBed } from "../../test/poller-test-bed.js";
import { cardMessage, DATE, POST, TRACK } from "../../test/race-feed.js";
import { FeedHttpClient } from "./http.js";

const { server, freshDb, config, racePoller } = pollerTestBed();

/** One page's module: the message of the kind it is asked for. */
const BOARD_MODULE = `export default function adapt(body, ctx) {
  const base = { track: ctx.track.name, date: ctx.date, race: ctx.race, fetched_at: new Date(ctx.fetchedAt).toISOString() };
  if (ctx.kind === "win")
    return [{ ...base, kind: "win", horses: [{ program_number: "1", win_odds: "5-2" }, { program_number: "2", win_odds: "3-5" }] }];
  return [{ ...base, kind: "exacta", base_amount: 2, probables: { "1-2": 45, "2-1": 50 } }];
}
`;

/** `body` with ETag "b1"; a request sending it back gets 304. Records each If-None-Match. */
function validated(body: string, seen: string[]): Route {
  return (req, res) => {
    seen.push(String(req.headers["if-none-match"] ?? "-"));
    if (req.headers["if-none-match"] === '"b1"') {
      res.writeHead(304).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json", etag: '"b1"' }).end(body);
  };
}

/** The status of race 1 at `track`: open for the first poll, official after. */
function status(track: string): Route {
  let polls = 0;
  return (req, res) =>
    json({ kind: "status", track, date: DATE, race: 1, status: polls++ === 0 ? "open" : "official" })(
      req,
      res,
    );
}

describe("endpoints sharing one URL", () => {
  it("win and exacta read from one page: both are stored", async () => {
    const seen: string[] = [];
    server.routes.set(`/card/TST/${DATE}`, json(cardMessage));
    server.routes.set(`/board/${DATE}/1`, validated("the board", seen));
    server.routes.set(`/status/${DATE}/1`, status(TRACK));
    const folder = mkdtempSync(path.join(tmpdir(), "totewatch-module-"));
    writeFileSync(path.join(folder, "board.mjs"), BOARD_MODULE);
    const board = { url: `${server.url}/board/{date}/{race}`, format: "module", module: "./board.mjs" };
    const db = freshDb();
    const base = config(
      {},
      {
        pools: ["win", "exacta"],
        endpoints: {
          card: `${server.url}/card/{code}/{date}`,
          win: board,
          exacta: board,
          status: `${server.url}/status/{date}/{race}`,
        },
      },
    );
    const poller = racePoller(fakeTime(POST - 5 * 60_000), {
      config: { ...base, source: path.join(folder, "totewatch.yaml") },
      db,
    });
    await poller.run();
    // Poll 1: win and exacta each fetch the page unconditionally; poll 2: each is told 304.
    expect(seen).toEqual(["-", "-", '"b1"', '"b1"']);
    const { odds_snapshot, exacta_probable } = await storedRows(db, ["odds_snapshot", "exacta_probable"]);
    expect(odds_snapshot).toHaveLength(2);
    expect(exacta_probable).toHaveLength(2);
  });

  it("keeps validators per reader: a second endpoint on the same URL gets the body, not a 304", async () => {
    const seen: string[] = [];
    server.routes.set("/board", validated('{"kind":"a"}\n{"kind":"b"}\n', seen));
    const time = fakeTime(0);
    const feed = new FeedHttpClient({
      http: { ...config().http, retries: 0 },
      clock: time.clock,
      sleep: time.sleep,
    });
    const url = `${server.url}/board`;
    expect(await feed.fetchFeed(url, undefined, "Test Downs:win")).toMatchObject({ records: [{}, {}] });
    expect(await feed.fetchFeed(url, undefined, "Test Downs:exacta")).toMatchObject({ records: [{}, {}] });
    expect(await feed.fetchFeed(url, undefined, "Other Park:win")).toMatchObject({ records: [{}, {}] });
    // Each reader's own next request is conditional.
    expect(await feed.fetchFeed(url, undefined, "Test Downs:exacta")).toMatchObject({ notModified: true });
    feed.forgetValidators(url, "Test Downs:exacta");
    expect(await feed.fetchFeed(url, undefined, "Test Downs:exacta")).toMatchObject({ records: [{}, {}] });
    expect(await feed.fetchFeed(url, undefined, "Test Downs:win")).toMatchObject({ notModified: true });
    expect(seen).toEqual(["-", "-", "-", '"b1"', "-", '"b1"']);
  });
});
