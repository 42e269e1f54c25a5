/**
 * One poll of a race: the status fetched and committed before the boards, and the boards
 * still recorded when the status could not be fetched.
 */
import { captureLogs, json } from "@totewatch/test-utils";
import { writeFeedMessage } from "@totewatch/feed";
import { describe, expect, it } from "vitest";
import { fakeTime } from "../../test/fake-time.js";
import { pollerTestBed } from "../../test/poller-test-bed.js";
import { DATE, every20, POST, TRACK } from "../../test/race-feed.js";

const { server, freshDb, config, serveRace, racePoller } = pollerTestBed();

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
    const poller = racePoller(time, {
      config: config({}, { pools: ["win", "exacta"], endpoints: endpoints() }, { afterOffSeconds: 60 }),
      db,
      apply: async (target, message) => {
        if (message.kind !== "card") applied.push(message.kind === "status" ? message.status : message.kind);
        return writeFeedMessage(target, message);
      },
    });
    const summary = await poller.run();
    expect(summary.invalid).toBe(0);
    // Seconds before post of each race poll: 180, 120, then every 20 s from 100 to -100.
    const pollTimes = [180, 120, ...every20(100, -100)];
    const requests = server.requests.filter((path) => !path.startsWith("/card") && path !== "/robots.txt");
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
    const poller = racePoller(time, {
      config: config({}, {}, { afterOffSeconds: 60 }),
      db,
      logger: logs.logger,
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
