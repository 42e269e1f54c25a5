/**
 * Retention while polling (retention.ts): never at start-up, so following
 * README in order (simulate a past day, replay it, poll) keeps the replayed
 * day; once a day at the configured local hour, saying what went and from when.
 */
import { captureLogs, countRows, createTestDb, json, startTestServer } from "@totewatch/test-utils";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseConfig, type Sleep } from "@totewatch/config";
import type { Db } from "@totewatch/db";
import { afterEach, describe, expect, it } from "vitest";
import { cardMessage, TRACK, winAt } from "../../test/race-feed.js";
import { replayFiles } from "../replay.js";
import { createPoller } from "./poller.js";

const OLD_DATE = "2025-08-03";
/** The poller starts 40 days after the replayed day's odds were fetched (2025-08-03T17:00Z). */
const START = Date.parse("2025-09-12T17:00:00Z");

const opened: Db[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

/** A database holding a replayed day 40 days old: 1 race, 2 entries, 2 win odds rows. */
async function replayedOldDay(): Promise<Db> {
  const db = createTestDb("ingest-retention");
  opened.push(db);
  // The test race's card and win board, moved to OLD_DATE.
  const lines = [
    { ...cardMessage, date: OLD_DATE, post_time: `${OLD_DATE}T18:00:00Z` },
    { ...winAt(Date.parse(`${OLD_DATE}T17:00:00Z`)), date: OLD_DATE },
  ];
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "totewatch-old-day-")), "day.jsonl");
  writeFileSync(file, lines.map((line) => JSON.stringify(line)).join("\n"));
  await replayFiles(db, [file]);
  expect(await countRows(db)).toMatchObject({ race: 1, odds_snapshot: 2 });
  return db;
}

const config = (tracks: unknown[]) => parseConfig(JSON.stringify({ tracks, http: { minHostDelayMs: 0 } }));

describe("retention while polling", () => {
  it("deletes nothing at start: a 40-day-old replayed day is still there", async () => {
    const db = await replayedOldDay();
    const logs = captureLogs();
    let now = START;
    // No enabled track: run() returns at once, so only what it does at start-up runs.
    const poller = createPoller({
      config: config([{ name: TRACK, code: "TST", timezone: "America/Chicago", enabled: false }]),
      db,
      logger: logs.logger,
      clock: { now: () => now },
      sleep: async (ms) => {
        now += ms;
      },
    });
    await poller.run();
    expect(await countRows(db)).toMatchObject({ race: 1, odds_snapshot: 2 });
    expect(logs.records.filter((r) => r.msg.startsWith("retention"))).toEqual([]);
  });

  it("prunes at the configured local hour, saying how many rows went and fetched before when", async () => {
    const server = await startTestServer();
    try {
      const db = await replayedOldDay();
      // A track with no races: the daemon waits through its days, and retention stays due meanwhile.
      server.routes.set("/card/TST/2025-09-12", json([]));
      server.routes.set("/card/TST/2025-09-13", json([]));
      const logs = captureLogs();
      let now = START;
      const poller = createPoller({
        config: config([
          {
            name: TRACK,
            code: "TST",
            timezone: "America/Chicago",
            pools: ["win"],
            endpoints: { card: `${server.url}/card/{code}/{date}`, win: `${server.url}/win/{date}/{race}` },
          },
        ]),
        db,
        logger: logs.logger,
        clock: { now: () => now },
        sleep: (async (ms) => {
          now += Math.max(0, ms);
          // Stop a day after start (as SIGINT would).
          if (now >= START + 86_400_000) poller.stop();
        }) satisfies Sleep,
        retentionHour: 4,
        retentionTimeZone: "America/Chicago",
      });
      await poller.run();
      expect(await countRows(db)).toMatchObject({ race: 1, odds_snapshot: 0 });
      const pruned = logs.records.filter((r) => r.msg.startsWith("retention"));
      // Run at 04:00 CDT on the 13th, 09:00Z (not at start, 17:00Z on the 12th): odds are kept 30 days,
      // so those fetched before 09:00Z - 30 d = 2025-08-14T09:00Z went; alerts 90 d: before 2025-06-15T09:00Z.
      expect(pruned).toHaveLength(1);
      expect(pruned[0]).toMatchObject({
        level: 30,
        oddsSnapshots: 2,
        exactaProbables: 0,
        alerts: 0,
        oddsBefore: "2025-08-14T09:00:00.000Z",
        alertsBefore: "2025-06-15T09:00:00.000Z",
        next: "2025-09-14T09:00:00.000Z",
        msg:
          "retention: deleted 2 rows: 2 win odds and 0 exacta rows fetched before 2025-08-14T09:00:00.000Z " +
          "(oddsDays 30), 0 alerts raised before 2025-06-15T09:00:00.000Z (alertsDays 90); " +
          "next run 2025-09-14T09:00:00.000Z",
      });
    } finally {
      await server.close();
    }
  });
});
