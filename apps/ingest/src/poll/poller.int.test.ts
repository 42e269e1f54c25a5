import { parseConfig, realSleep, type Sleep } from "@totewatch/config";
import { createDb, type Db } from "@totewatch/db";
import { freshDatabaseFile } from "@totewatch/db/testing";
import { parseFeedMessage, writeFeedMessage } from "@totewatch/feed";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { captureLogs, countRows, json, startTestServer, type TestServer } from "../testing/helpers.js";
import { FeedHttpClient } from "./http.js";
import { createPoller } from "./poller.js";

const DATE = "2025-09-12";
const TRACK = "Test Downs";
const POST = Date.parse("2025-09-12T18:00:00Z");

let server: TestServer;
const opened: Db[] = [];
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.close();
  await Promise.all(opened.splice(0).map((db) => db.close()));
});
function freshDb(): Db {
  const db = createDb({ url: freshDatabaseFile("ingest-poll") });
  opened.push(db);
  return db;
}

/** A clock that only moves when the code under test sleeps. */
function fakeTime(start: number): { clock: { now(): number }; sleep: Sleep; advance(ms: number): void } {
  let now = start;
  return {
    clock: { now: () => now },
    sleep: async (ms) => {
      now += Math.max(0, ms);
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

function config(http: Record<string, unknown> = {}, track: Record<string, unknown> = {}) {
  return parseConfig(
    JSON.stringify({
      tracks: [
        {
          name: TRACK,
          code: "TST",
          timezone: "America/Chicago",
          pools: ["win"],
          endpoints: {
            card: `${server.url}/card/{code}/{date}`,
            win: `${server.url}/win/{date}/{race}`,
            status: `${server.url}/status/{date}/{race}`,
          },
          ...track,
        },
      ],
      http: {
        minHostDelayMs: 0,
        retries: 0,
        timeoutMs: 2000,
        backoffBaseMs: 1000,
        backoffMaxMs: 4000,
        failureLogAfter: 3,
        ...http,
      },
    }),
  );
}

const cardMessage = {
  kind: "card",
  track: TRACK,
  date: DATE,
  race: 1,
  timezone: "America/Chicago",
  post_time: new Date(POST).toISOString(),
  entries: [
    { program_number: "1", horse: "First Light" },
    { program_number: "2", horse: "Second Wind" },
  ],
};
const winAt = (at: number) => ({
  kind: "win",
  track: TRACK,
  date: DATE,
  race: 1,
  fetched_at: new Date(at).toISOString(),
  horses: [
    { program_number: "1", win_odds: "5-2" },
    { program_number: "2", win_odds: "3-5" },
  ],
});

describe("poll cadence", () => {
  it("tightens near post and stops once the race is off", async () => {
    const time = fakeTime(POST - 20 * 60_000);
    const winPolls: number[] = [];
    server.routes.set(`/card/TST/${DATE}`, json(cardMessage));
    server.routes.set(`/win/${DATE}/1`, (req, res) => {
      winPolls.push((POST - time.clock.now()) / 1000);
      json(winAt(time.clock.now()))(req, res);
    });
    server.routes.set(`/status/${DATE}/1`, (req, res) => {
      const now = time.clock.now();
      json({
        kind: "status",
        track: TRACK,
        date: DATE,
        race: 1,
        status: now >= POST ? "off" : "open",
        at: new Date(now).toISOString(),
      })(req, res);
    });
    const db = freshDb();
    const poller = createPoller({
      config: config(),
      db,
      clock: time.clock,
      sleep: time.sleep,
      retention: false,
    });
    const summary = await poller.run();
    expect(winPolls).toEqual([
      1200, 900, 600, 540, 480, 420, 360, 300, 240, 180, 120, 100, 80, 60, 40, 20, 0,
    ]);
    expect(summary.invalid).toBe(0);
    expect(summary.interrupted).toBe(false);
    expect((await countRows(db)).odds_snapshot).toBe(2 * winPolls.length);
    // The card was fetched at start and refreshed every 900 s (15 min).
    expect(server.requests.filter((p) => p.startsWith("/card")).length).toBe(2);
  });
});

describe("failures", () => {
  it("backs off between retries, warns once when a source keeps failing, and logs its recovery", async () => {
    const time = fakeTime(POST - 3 * 3600_000);
    const attempts: number[] = [];
    let failuresLeft = 5;
    server.routes.set(`/card/TST/${DATE}`, json(cardMessage));
    server.routes.set(`/win/${DATE}/1`, (req, res) => {
      attempts.push(time.clock.now());
      if (failuresLeft-- > 0) res.writeHead(500).end("boom");
      else json(winAt(time.clock.now()))(req, res);
    });
    server.routes.set(
      `/status/${DATE}/1`,
      json({ kind: "status", track: TRACK, date: DATE, race: 1, status: "open" }),
    );
    const db = freshDb();
    const logs = captureLogs();
    const poller = createPoller({
      config: config({ retries: 2 }),
      db,
      logger: logs.logger,
      clock: time.clock,
      sleep: time.sleep,
      random: () => 1,
      retention: false,
      apply: async (target, message) => {
        const result = await writeFeedMessage(target, message);
        if (message.kind === "win") poller.stop();
        return result;
      },
    });
    const summary = await poller.run();
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    // Poll 1: attempts 0, +1 s, +2 s (then gives up); poll 2 a default interval (300 s) after poll 1 started.
    expect(gaps).toEqual([1000, 2000, 300_000 - 3000, 1000, 2000]);
    const warnings = logs.records.filter((r) => r.msg.startsWith("source keeps failing"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40, failures: 3, error: "HTTP 500 Internal Server Error" });
    expect(String(warnings[0]!.source)).toMatch(/\/win\/2025-09-12\/1$/);
    expect(logs.records.filter((r) => r.msg.startsWith("source recovered"))).toMatchObject([
      { level: 30, failures: 5 },
    ]);
    expect(summary).toMatchObject({ applied: 3, invalid: 0, interrupted: true });
    expect((await countRows(db)).odds_snapshot).toBe(2);
  });

  it("treats hanging, slow, garbage and error responses as failures and retries them", async () => {
    server.routes.set("/hang", () => {});
    server.routes.set("/slow", (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('[{"kind":"status",');
      setTimeout(() => res.end("]"), 5000).unref();
    });
    server.routes.set("/garbage", (_req, res) => res.writeHead(200).end("<html>maintenance</html>"));
    server.routes.set("/error", (_req, res) => res.writeHead(503, "Service Unavailable").end());
    server.routes.set("/jsonl", (_req, res) => res.writeHead(200).end('{"kind":"a"}\n{"kind":"b"}\n'));
    const client = new FeedHttpClient({
      http: {
        timeoutMs: 300,
        minHostDelayMs: 0,
        retries: 1,
        backoffBaseMs: 5,
        backoffMaxMs: 10,
        failureLogAfter: 2,
        userAgent: "test",
      },
      clock: { now: () => Date.now() },
      sleep: realSleep,
    });
    const hang = await client.fetchFeed(`${server.url}/hang`);
    expect(hang).toMatchObject({ ok: false, attempts: 2, error: "timed out after 300 ms" });
    expect(await client.fetchFeed(`${server.url}/slow`)).toMatchObject({
      ok: false,
      error: "timed out after 300 ms",
    });
    expect(await client.fetchFeed(`${server.url}/garbage`)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/not JSON/),
    });
    expect(await client.fetchFeed(`${server.url}/error`)).toMatchObject({
      ok: false,
      error: "HTTP 503 Service Unavailable",
    });
    expect(client.failureCount(`${server.url}/error`)).toBe(2);
    const ok = await client.fetchFeed(`${server.url}/jsonl`);
    expect(ok.ok && ok.records.map((r) => r.ok && r.raw)).toEqual([{ kind: "a" }, { kind: "b" }]);
    expect(server.requests.filter((p) => p === "/hang")).toHaveLength(2);
  });

  it("keeps the minimum delay between requests to one host", async () => {
    server.routes.set("/a", json({}));
    const time = fakeTime(0);
    const seen: number[] = [];
    server.routes.set("/a", (req, res) => {
      seen.push(time.clock.now());
      json({})(req, res);
    });
    const client = new FeedHttpClient({
      http: {
        timeoutMs: 1000,
        minHostDelayMs: 1500,
        retries: 0,
        backoffBaseMs: 5,
        backoffMaxMs: 10,
        failureLogAfter: 2,
        userAgent: "test",
      },
      clock: time.clock,
      sleep: time.sleep,
    });
    for (let i = 0; i < 3; i++) await client.fetchFeed(`${server.url}/a`);
    expect(seen).toEqual([0, 1500, 3000]);
  });
});

describe("shutdown", () => {
  it("stop during a write finishes that write, applies nothing after it, and leaves the database consistent", async () => {
    const time = fakeTime(POST - 20 * 60_000);
    server.routes.set(`/card/TST/${DATE}`, json(cardMessage));
    // Two snapshots in one response: the stop arrives while the first is being written.
    server.routes.set(`/win/${DATE}/1`, json([winAt(time.clock.now()), winAt(time.clock.now() + 1000)]));
    server.routes.set(
      `/status/${DATE}/1`,
      json({ kind: "status", track: TRACK, date: DATE, race: 1, status: "open" }),
    );
    const db = freshDb();
    let inFlight = false;
    const poller = createPoller({
      config: config(),
      db,
      clock: time.clock,
      sleep: time.sleep,
      retention: false,
      apply: async (target, message) => {
        if (message.kind !== "win") return writeFeedMessage(target, message);
        poller.stop();
        inFlight = true;
        await new Promise((resolve) => setTimeout(resolve, 50));
        const result = await writeFeedMessage(target, message);
        inFlight = false;
        return result;
      },
    });
    const summary = await poller.run();
    expect(inFlight).toBe(false);
    expect(summary).toMatchObject({ applied: 2, invalid: 0, interrupted: true });
    expect(await countRows(db)).toMatchObject({ race: 1, entry: 2, odds_snapshot: 2 });
    expect(summary.rows).toBe(1 + 1 + 2 + 2 + 2);
    const check = await db.exclusive(() => db.sql.pragma("integrity_check", { simple: true }));
    expect(check).toBe("ok");
  });
});

describe("retention", () => {
  it("prunes at start", async () => {
    const db = freshDb();
    const old = Date.parse("2025-01-01T12:00:00Z");
    for (const raw of [
      { ...cardMessage, date: "2025-01-01" },
      { ...winAt(old), date: "2025-01-01" },
    ]) {
      const parsed = parseFeedMessage(raw, { source: "t" });
      if (!parsed.ok) throw new Error(parsed.error.reason);
      await writeFeedMessage(db, parsed.message);
    }
    expect((await countRows(db)).odds_snapshot).toBe(2);
    const time = fakeTime(POST);
    const logs = captureLogs();
    const poller = createPoller({
      config: config({}, { enabled: false }),
      db,
      clock: time.clock,
      sleep: time.sleep,
      logger: logs.logger,
    });
    await poller.run();
    expect((await countRows(db)).odds_snapshot).toBe(0);
    expect(logs.records.find((r) => r.msg === "retention: pruned old data")).toMatchObject({
      oddsSnapshots: 2,
    });
  });
});
