import {
  type TestServer,
  captureLogs,
  countRows,
  freshDatabaseFile,
  integrityCheck,
  json,
  startTestServer,
} from "@totewatch/test-utils";
import { parseConfig, type Sleep } from "@totewatch/config";
import { createDb, findRace, type Db } from "@totewatch/db";
import { writeFeedMessage } from "@totewatch/feed";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
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

function config(
  http: Record<string, unknown> = {},
  track: Record<string, unknown> = {},
  cadence: Record<string, unknown> = {},
) {
  return parseConfig(
    JSON.stringify({
      cadence,
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

/**
 * Seconds before post of each win poll (negative after post). The status message's `at` is
 * `atOf(now)`: by default the instant it is served.
 */
function serveRace(
  time: ReturnType<typeof fakeTime>,
  statusAt: (now: number) => string,
  atOf: (now: number) => number = (now) => now,
): number[] {
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
      status: statusAt(now),
      at: new Date(atOf(now)).toISOString(),
    })(req, res);
  });
  return winPolls;
}

/** Every 20 s from `from` down to `to` seconds before post (both included). */
const every20 = (from: number, to: number) =>
  Array.from({ length: (from - to) / 20 + 1 }, (_, i) => from - i * 20);

describe("poll cadence", () => {
  it("tightens near post, records the late odds after the off for afterOffSeconds, then stops", async () => {
    const time = fakeTime(POST - 20 * 60_000);
    // The race goes off 3 minutes after scheduled post, and is never made official here.
    const OFF = POST + 180_000;
    const winPolls = serveRace(time, (now) => (now >= OFF ? "off" : "open"));
    const db = freshDb();
    const logs = captureLogs();
    const poller = createPoller({
      config: config(),
      db,
      date: DATE,
      logger: logs.logger,
      clock: time.clock,
      sleep: time.sleep,
      retention: false,
    });
    const summary = await poller.run();
    expect(winPolls).toEqual([
      1200,
      900,
      600,
      540,
      480,
      420,
      360,
      300,
      240,
      180,
      120,
      100,
      80,
      // The final interval through post and the drag to the off (seen at -180) ...
      ...every20(60, -180),
      // ... and on for afterOffSeconds (600) after the off: the late odds changes.
      ...every20(-200, -780),
    ]);
    expect(summary.invalid).toBe(0);
    expect(summary.interrupted).toBe(false);
    expect((await countRows(db)).odds_snapshot).toBe(2 * winPolls.length);
    expect(await findRace(db, { track: TRACK, raceDate: DATE, raceNumber: 1 })).toMatchObject({
      status: "off",
    });
    expect(logs.records.find((r) => r.msg === "race off; polling its late odds")).toMatchObject({
      offAt: new Date(OFF).toISOString(),
      until: new Date(OFF + 600_000).toISOString(),
    });
    expect(logs.records.filter((r) => r.msg === "race done")).toHaveLength(1);
    // The card was fetched at start and refreshed every 900 s (15 min) until the window closed.
    expect(server.requests.filter((p) => p.startsWith("/card")).length).toBe(3);
  });

  it("stops polling a race that is off once it is official", async () => {
    const time = fakeTime(POST - 3 * 60_000);
    const winPolls = serveRace(time, (now) =>
      now >= POST + 100_000 ? "official" : now >= POST + 30_000 ? "off" : "open",
    );
    const db = freshDb();
    const poller = createPoller({
      config: config(),
      db,
      date: DATE,
      clock: time.clock,
      sleep: time.sleep,
      retention: false,
    });
    await poller.run();
    // Off seen at +40 s, official at +100 s (whose poll still fetched the win board first).
    expect(winPolls).toEqual([180, 120, ...every20(100, -100)]);
    expect(await findRace(db, { track: TRACK, raceDate: DATE, raceNumber: 1 })).toMatchObject({
      status: "official",
    });
  });

  it("stops at the off with afterOffSeconds 0", async () => {
    const time = fakeTime(POST - 3 * 60_000);
    const winPolls = serveRace(time, (now) => (now >= POST + 30_000 ? "off" : "open"));
    const db = freshDb();
    const poller = createPoller({
      config: config({}, {}, { afterOffSeconds: 0 }),
      db,
      date: DATE,
      clock: time.clock,
      sleep: time.sleep,
      retention: false,
    });
    await poller.run();
    expect(winPolls).toEqual([180, 120, ...every20(100, -40)]);
  });
});

describe("one poll of a race", () => {
  const endpoints = () => ({
    card: `${server.url}/card/{code}/{date}`,
    win: `${server.url}/win/{date}/{race}`,
    exacta: `${server.url}/exacta/{date}/{race}`,
    status: `${server.url}/status/{date}/{race}`,
  });
  const serveExacta = (time: ReturnType<typeof fakeTime>) =>
    server.routes.set(`/exacta/${DATE}/1`, (req, res) =>
      json({
        kind: "exacta",
        track: TRACK,
        date: DATE,
        race: 1,
        fetched_at: new Date(time.clock.now()).toISOString(),
        probables: { "1-2": 24.6, "2-1": 13.2 },
      })(req, res),
    );

  it("fetches and commits the status before the boards, so no board after the off is committed before the off", async () => {
    const time = fakeTime(POST - 3 * 60_000);
    // Off 30 s after post: first seen by the poll at +40 s, then polled 60 s more (+60, +80, +100).
    const OFF = POST + 30_000;
    serveRace(time, (now) => (now >= OFF ? "off" : "open"));
    serveExacta(time);
    const db = freshDb();
    // What was applied, in commit order: the status each status message said, else the kind.
    const applied: string[] = [];
    const poller = createPoller({
      config: config({}, { pools: ["win", "exacta"], endpoints: endpoints() }, { afterOffSeconds: 60 }),
      db,
      date: DATE,
      clock: time.clock,
      sleep: time.sleep,
      retention: false,
      apply: async (target, message) => {
        if (message.kind !== "card") applied.push(message.kind === "status" ? message.status : message.kind);
        return writeFeedMessage(target, message);
      },
    });
    const summary = await poller.run();
    expect(summary.invalid).toBe(0);
    // Seconds before post of each race poll: 180, 120, then every 20 s from 100 to -100.
    const pollTimes = [180, 120, ...every20(100, -100)];
    const requests = server.requests.filter((path) => !path.startsWith("/card"));
    expect(requests).toEqual(
      pollTimes.flatMap(() => [`/status/${DATE}/1`, `/win/${DATE}/1`, `/exacta/${DATE}/1`]),
    );
    // Commit order: each poll's status, then its boards; the boards of the poll at +40 s (the
    // first fetched after the off) come after the status that says the race is off.
    expect(applied).toEqual(
      pollTimes.flatMap((seconds) => [POST - seconds * 1000 >= OFF ? "off" : "open", "win", "exacta"]),
    );
  });

  it("still records a poll's boards when its status could not be fetched, and warns once after post", async () => {
    const time = fakeTime(POST - 60_000);
    const OFF = POST + 30_000;
    const winPolls = serveRace(time, (now) => (now >= OFF ? "off" : "open"));
    const served = server.routes.get(`/status/${DATE}/1`)!;
    // The status endpoint fails from 40 s before post to 40 s after, and again at +80 s.
    server.routes.set(`/status/${DATE}/1`, (req, res) => {
      const now = time.clock.now();
      if ((now >= POST - 40_000 && now < POST + 40_000) || now === POST + 80_000)
        res.writeHead(503, "Service Unavailable").end();
      else served(req, res);
    });
    const db = freshDb();
    const logs = captureLogs();
    const poller = createPoller({
      config: config({}, {}, { afterOffSeconds: 60 }),
      db,
      date: DATE,
      logger: logs.logger,
      clock: time.clock,
      sleep: time.sleep,
      retention: false,
    });
    await poller.run();
    expect(server.requests.filter((path) => path.startsWith("/status"))).toHaveLength(9);
    // Every poll's boards are recorded, the status outage through post (40 .. -20) included: odds
    // are never given up. Seen off at -40, polled to -40 + 60 = -100.
    expect(winPolls).toEqual([60, 40, 20, 0, -20, -40, -60, -80, -100]);
    // Once per race, at the first failed status after post (0): the outage is said, not hidden.
    expect(logs.records.filter((r) => r.msg.startsWith("status not fetched after post"))).toHaveLength(1);
  });
});

describe("the after-off window", () => {
  it("runs afterOffSeconds from when the poller saw the off when the feed's off time is hours ahead", async () => {
    const time = fakeTime(POST - 3 * 60_000);
    const OFF = POST + 30_000;
    // Every status message dates itself 3 h ahead of when it is served.
    const winPolls = serveRace(
      time,
      (now) => (now >= OFF ? "off" : "open"),
      (now) => now + 3 * 3600_000,
    );
    const db = freshDb();
    const logs = captureLogs();
    const poller = createPoller({
      config: config(),
      db,
      date: DATE,
      logger: logs.logger,
      clock: time.clock,
      sleep: guardedSleep(time, POST + 86_400_000, () => poller.stop()),
      retention: false,
    });
    const summary = await poller.run();
    expect(summary.interrupted).toBe(false);
    // Seen off by the poll at +40 s: polled to +40 s + 600 s = +640 s, not 3 h later.
    expect(winPolls).toEqual([180, 120, ...every20(100, -640)]);
    expect(logs.records.find((r) => r.msg === "race off; polling its late odds")).toMatchObject({
      offAt: new Date(POST + 40_000).toISOString(),
      until: new Date(POST + 640_000).toISOString(),
    });
    // The stored off is held to when the status was fetched (the ingestor: a race was off no later
    // than it was seen off), not 3 h ahead.
    expect((await findRace(db, { track: TRACK, raceDate: DATE, raceNumber: 1 }))?.offAt?.getTime()).toBe(
      POST + 40_000,
    );
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
      date: DATE,
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
});

/** Stops the poller (a test failure, not a hang) if the fake clock runs past `limit`. */
function guardedSleep(time: ReturnType<typeof fakeTime>, limit: number, stop: () => void): Sleep {
  return async (ms, signal) => {
    await time.sleep(ms, signal);
    if (time.clock.now() > limit) stop();
  };
}

describe("races without a post time", () => {
  const MIDNIGHT_CHICAGO = Date.parse("2025-09-13T05:00:00Z");
  const openStatus = json({ kind: "status", track: TRACK, date: DATE, race: 2, status: "open" });

  it("stop once every race with a post time is finished", async () => {
    const time = fakeTime(POST - 20 * 60_000);
    // The card lists race 1 only; race 2 (configured) never gets one, so it never has a post time.
    server.routes.set(`/card/TST/${DATE}`, json(cardMessage));
    server.routes.set(`/win/${DATE}/1`, (req, res) => json(winAt(time.clock.now()))(req, res));
    server.routes.set(`/status/${DATE}/1`, (req, res) => {
      const now = time.clock.now();
      const status = now >= POST ? "off" : "open";
      json({ kind: "status", track: TRACK, date: DATE, race: 1, status })(req, res);
    });
    const race2Polls: number[] = [];
    server.routes.set(`/status/${DATE}/2`, (req, res) => {
      race2Polls.push(time.clock.now());
      openStatus(req, res);
    });
    const db = freshDb();
    const poller = createPoller({
      // Stopping at the off keeps this about the undated race (the after-off window is tested above).
      config: config({}, { races: 2 }, { afterOffSeconds: 0 }),
      db,
      date: DATE,
      clock: time.clock,
      sleep: guardedSleep(time, POST + 2 * 86_400_000, () => poller.stop()),
      retention: false,
    });
    const summary = await poller.run();
    expect(summary.interrupted).toBe(false);
    expect(race2Polls.length).toBeGreaterThan(0);
    expect(Math.max(...race2Polls)).toBeLessThanOrEqual(POST);
    expect(time.clock.now()).toBeLessThanOrEqual(POST + 60_000);
  });

  it("stop at the end of their local race day when no race has one", async () => {
    const start = Date.parse("2025-09-12T18:00:00Z");
    const time = fakeTime(start);
    const polls: number[] = [];
    server.routes.set(`/status/${DATE}/2`, (req, res) => {
      polls.push(time.clock.now());
      openStatus(req, res);
    });
    const db = freshDb();
    const poller = createPoller({
      // No card endpoint: races 1 and 2 are known only from the config.
      config: config(
        {},
        {
          races: 2,
          endpoints: { win: `${server.url}/win/{date}/{race}`, status: `${server.url}/status/{date}/{race}` },
        },
        { defaultIntervalSeconds: 3600 },
      ),
      db,
      date: DATE,
      clock: time.clock,
      sleep: guardedSleep(time, start + 2 * 86_400_000, () => poller.stop()),
      retention: false,
    });
    const summary = await poller.run();
    expect(summary.interrupted).toBe(false);
    // Hourly from 13:00 to 23:00 Chicago time (05:00Z is midnight there), then no more.
    expect(polls).toHaveLength(11);
    expect(Math.max(...polls)).toBeLessThan(MIDNIGHT_CHICAGO);
    expect(time.clock.now()).toBe(MIDNIGHT_CHICAGO);
  });
});

describe("daemon (no date given)", () => {
  it("moves on to the next local race day at midnight and prunes daily at the retention hour", async () => {
    const DAY = 86_400_000;
    const start = POST - 20 * 60_000;
    const time = fakeTime(start);
    const postOn = (date: string) => Date.parse(`${date}T18:00:00Z`);
    const cardFetches: Array<[string, string]> = [];
    for (const date of ["2025-09-12", "2025-09-13"]) {
      server.routes.set(`/card/TST/${date}`, (req, res) => {
        cardFetches.push([date, new Date(time.clock.now()).toISOString()]);
        json({ ...cardMessage, date, post_time: new Date(postOn(date)).toISOString() })(req, res);
      });
      server.routes.set(`/win/${date}/1`, (req, res) => json({ ...winAt(time.clock.now()), date })(req, res));
      server.routes.set(`/status/${date}/1`, (req, res) => {
        const status = time.clock.now() >= postOn(date) ? "off" : "open";
        json({ kind: "status", track: TRACK, date, race: 1, status })(req, res);
      });
    }
    // The third day's card request is where this test stops the daemon (as SIGINT would).
    server.routes.set("/card/TST/2025-09-14", (req, res) => {
      cardFetches.push(["2025-09-14", new Date(time.clock.now()).toISOString()]);
      poller.stop();
      json([])(req, res);
    });
    const db = freshDb();
    const logs = captureLogs();
    const poller = createPoller({
      config: config({}, {}, { defaultIntervalSeconds: 3600, cardRefreshSeconds: 3600 }),
      db,
      logger: logs.logger,
      clock: time.clock,
      sleep: guardedSleep(time, start + 3 * DAY, () => poller.stop()),
      retentionHour: 4,
      retentionTimeZone: "UTC",
    });
    const summary = await poller.run();
    expect(summary.interrupted).toBe(true);
    // Day 1's card at start (its race is off 20 min later); day 2's from Chicago midnight, hourly up to its post.
    expect(cardFetches[0]).toEqual(["2025-09-12", new Date(start).toISOString()]);
    const day2 = cardFetches.filter(([date]) => date === "2025-09-13").map(([, at]) => at);
    expect(day2[0]).toBe("2025-09-13T05:00:00.000Z");
    expect(day2).toHaveLength(14);
    expect(day2.at(-1)).toBe("2025-09-13T18:00:00.000Z");
    expect(cardFetches.at(-1)).toEqual(["2025-09-14", "2025-09-14T05:00:00.000Z"]);
    for (const date of ["2025-09-12", "2025-09-13"]) {
      expect(await findRace(db, { track: TRACK, raceDate: date, raceNumber: 1 })).toMatchObject({
        status: "off",
      });
    }
    // Not at start (17:40Z on the 12th); at 04:00Z on the 13th and the 14th, before the stop at 05:00Z.
    const runs = logs.records.filter((r) => r.msg.startsWith("retention:"));
    expect(runs.map((r) => r.next)).toEqual(["2025-09-14T04:00:00.000Z", "2025-09-15T04:00:00.000Z"]);
  });
});

describe("track time zone", () => {
  it("reads a card's local HH:MM post time in the configured zone, before any card names one", async () => {
    const post = Date.parse("2025-09-12T20:00:00Z"); // 13:00 in Los Angeles (PDT)
    const time = fakeTime(post - 20 * 60_000);
    const track = "Santa Anita";
    const winPolls: number[] = [];
    server.routes.set(
      `/card/SA/${DATE}`,
      json({ ...cardMessage, track, timezone: undefined, post_time: "13:00" }),
    );
    server.routes.set(`/win/${DATE}/1`, (req, res) => {
      winPolls.push((post - time.clock.now()) / 1000);
      json({ ...winAt(time.clock.now()), track })(req, res);
    });
    server.routes.set(`/status/${DATE}/1`, (req, res) => {
      const status = time.clock.now() >= post ? "off" : "open";
      json({ kind: "status", track, date: DATE, race: 1, status })(req, res);
    });
    const db = freshDb();
    const poller = createPoller({
      config: config(
        {},
        { name: track, code: "SA", timezone: "America/Los_Angeles" },
        { afterOffSeconds: 0 },
      ),
      db,
      date: DATE,
      clock: time.clock,
      sleep: guardedSleep(time, post + 86_400_000, () => poller.stop()),
      retention: false,
    });
    await poller.run();
    const race = await findRace(db, { track, raceDate: DATE, raceNumber: 1 });
    expect(race).toMatchObject({ timezone: "America/Los_Angeles" });
    expect(race?.postTime?.toISOString()).toBe("2025-09-12T20:00:00.000Z");
    expect(winPolls).toEqual([
      1200, 900, 600, 540, 480, 420, 360, 300, 240, 180, 120, 100, 80, 60, 40, 20, 0,
    ]);
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
      date: DATE,
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
    // Card, status (fetched before the board), then the board being written.
    expect(summary).toMatchObject({ applied: 3, invalid: 0, interrupted: true });
    expect(await countRows(db)).toMatchObject({ race: 1, entry: 2, odds_snapshot: 2 });
    // race, horses, entries, the status update, snapshots: the track row was registered from the config at start.
    expect(summary.rows).toBe(1 + 2 + 2 + 1 + 2);
    expect(await countRows(db)).toMatchObject({ track: 1 });
    expect(await integrityCheck(db)).toBe("ok");
  });
});
