/**
 * The poller's cadence on a fake clock: tighter polls near post, the after-off window
 * (from when the poller saw the off), and post times read in the track's zone.
 */
import { captureLogs, countRows, json } from "@totewatch/test-utils";
import { findRace } from "@totewatch/db";
import { describe, expect, it } from "vitest";
import { fakeTime, guardedSleep } from "../../test/fake-time.js";
import { pollerTestBed } from "../../test/poller-test-bed.js";
import { cardMessage, DATE, every20, POST, TRACK, winAt } from "../../test/race-feed.js";

const { server, freshDb, config, serveRace, racePoller } = pollerTestBed();

describe("poll cadence", () => {
  it("tightens near post, records the late odds after the off for afterOffSeconds, then stops", async () => {
    const time = fakeTime(POST - 20 * 60_000);
    // The race goes off 3 minutes after scheduled post, and is never made official here.
    const OFF = POST + 180_000;
    const winPolls = serveRace(time, (now) => (now >= OFF ? "off" : "open"));
    const db = freshDb();
    const logs = captureLogs();
    const poller = racePoller(time, {
      config: config(),
      db,
      logger: logs.logger,
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
    const poller = racePoller(time, {
      config: config(),
      db,
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
    const poller = racePoller(time, {
      config: config({}, {}, { afterOffSeconds: 0 }),
      db,
    });
    await poller.run();
    expect(winPolls).toEqual([180, 120, ...every20(100, -40)]);
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
    const poller = racePoller(time, {
      config: config(),
      db,
      logger: logs.logger,
      sleep: guardedSleep(time, POST + 86_400_000, () => poller.stop()),
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
    const poller = racePoller(time, {
      config: config(
        {},
        { name: track, code: "SA", timezone: "America/Los_Angeles" },
        { afterOffSeconds: 0 },
      ),
      db,
      sleep: guardedSleep(time, post + 86_400_000, () => poller.stop()),
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
