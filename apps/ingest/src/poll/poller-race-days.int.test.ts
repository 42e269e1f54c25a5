/**
 * When the poller is done with a race day: races without a post time, and the daemon
 * (no date given) moving on to the next local day and pruning daily.
 */
import { captureLogs, json } from "@totewatch/test-utils";
import { findRace } from "@totewatch/db";
import { describe, expect, it } from "vitest";
import { fakeTime, guardedSleep } from "../../test/fake-time.js";
import { pollerTestBed } from "../../test/poller-test-bed.js";
import { cardMessage, DATE, POST, TRACK, winAt } from "../../test/race-feed.js";
import { createPoller } from "./poller.js";

const { server, freshDb, config, racePoller } = pollerTestBed();

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
    const poller = racePoller(time, {
      // Stopping at the off keeps this about the undated race (poller-cadence tests the after-off window).
      config: config({}, { races: 2 }, { afterOffSeconds: 0 }),
      db,
      sleep: guardedSleep(time, POST + 2 * 86_400_000, () => poller.stop()),
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
    const poller = racePoller(time, {
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
      sleep: guardedSleep(time, start + 2 * 86_400_000, () => poller.stop()),
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
