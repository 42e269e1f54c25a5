/**
 * What the poller's integration tests share: a fake tote for each test, fresh databases on
 * the engine under test (a file, or a PostgreSQL database) closed after each test, a config
 * polling the tote, and a route set serving the test race (race-feed.ts) and a poller of it
 * on the fake clock.
 */
import { createTestDb, json, type TestServer } from "@totewatch/test-utils";
import { parseConfig, type TotewatchConfig } from "@totewatch/config";
import type { Db } from "@totewatch/db";
import { afterEach } from "vitest";
import { createPoller, type Poller, type PollerOptions } from "../src/poll/poller.js";
import type { FakeTime } from "./fake-time.js";
import { cardMessage, DATE, POST, TRACK, winAt } from "./race-feed.js";
import { toteServerEachTest } from "./tote-server.js";

export interface PollerTestBed {
  /** The running test's fake tote. */
  server: TestServer;
  /** A new migrated database on the engine under test (testEngine()), closed after the test. */
  freshDb(): Db;
  /** One track (TST) polling the tote's card, win and status; `http`, `track` and `cadence` override. */
  config(
    http?: Record<string, unknown>,
    track?: Record<string, unknown>,
    cadence?: Record<string, unknown>,
  ): TotewatchConfig;
  /**
   * Serves the test race; returns the seconds before post of each win poll (negative after
   * post). The status message's `at` is `atOf(now)`: by default the instant it is served.
   */
  serveRace(time: FakeTime, statusAt: (now: number) => string, atOf?: (now: number) => number): number[];
  /** A poller of the test race's day on the fake clock, retention off; `options` add or override. */
  racePoller(time: FakeTime, options: Pick<PollerOptions, "config" | "db"> & Partial<PollerOptions>): Poller;
}

/** Call at the top of a test file. */
export function pollerTestBed(): PollerTestBed {
  const server = toteServerEachTest();
  const opened: Db[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.close()));
  });
  return {
    server,
    freshDb: () => {
      const db = createTestDb("ingest-poll");
      opened.push(db);
      return db;
    },
    config: (http = {}, track = {}, cadence = {}) =>
      parseConfig(
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
      ),
    serveRace: (time, statusAt, atOf = (now) => now) => {
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
    },
    racePoller: (time, options) =>
      createPoller({ date: DATE, clock: time.clock, sleep: time.sleep, retention: false, ...options }),
  };
}
