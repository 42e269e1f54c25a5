import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseConfig, type Sleep } from "@totewatch/config";
import { createDb, type Db } from "@totewatch/db";
import {
  type TestServer,
  captureLogs,
  dumpTables,
  freshTestDatabaseUrl,
  json,
  startTestServer,
  storedRows,
} from "@totewatch/test-utils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPoller } from "./poll/poller.js";
import { replayFiles } from "./replay.js";
import { oddsFormatLookup } from "./tracks.js";

// A track whose board shows decimal dividends (totewatch.yaml `oddsFormat` / `dividendUnit`):
// its win messages, which do not say so themselves, must be read that way by replay and poll.
const TRACK = "Sha Tin";
const DATE = "2025-09-12";
const POST = Date.parse("2025-09-12T05:00:00Z");
const race = { track: TRACK, date: DATE, race: 1 };
const card = {
  kind: "card",
  ...race,
  timezone: "Asia/Hong_Kong",
  post_time: new Date(POST).toISOString(),
  entries: [
    { program_number: "1", horse: "Golden Sixty" },
    { program_number: "2", horse: "Romantic Warrior" },
    { program_number: "3", horse: "California Spangle" },
  ],
};
const win = (fetchedAt: number, odds: readonly unknown[]) => ({
  kind: "win",
  ...race,
  fetched_at: new Date(fetchedAt).toISOString(),
  horses: odds.map((win_odds, i) => ({ program_number: String(i + 1), win_odds })),
});
// Per $10 staked: 35/10 = 3.5 -> 3.5 - 1 = 2.5 (5-2); 40/10 = 4 -> 3 (3-1); 110/10 = 11 -> 10 (10-1)
const PER_TEN = [35, "40", 110];
const TWIN = ["5-2", "3-1", "10-1"];

const opened: Db[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});
async function freshDb(): Promise<Db> {
  const db = createDb({ url: await freshTestDatabaseUrl("ingest-odds-format") });
  opened.push(db);
  return db;
}
function feedFile(messages: readonly unknown[]): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "ingest-odds-format-")), "day.jsonl");
  writeFileSync(file, messages.map((message) => JSON.stringify(message)).join("\n"));
  return file;
}

describe("oddsFormatLookup", () => {
  it("answers a configured track's board by name; others (and tracks without one) are left to the default", () => {
    const lookup = oddsFormatLookup([
      { name: TRACK, code: "ST", timezone: "Asia/Hong_Kong", oddsFormat: "decimal", dividendUnit: 10 },
      { name: "Belmont Park", code: "BEL", timezone: "America/New_York" },
    ]);
    expect(lookup(TRACK)).toEqual({ oddsFormat: "decimal", dividendUnit: 10 });
    expect(lookup("Belmont Park")).toBeUndefined();
    expect(lookup("Elsewhere")).toBeUndefined();
  });
});

describe("replay of a decimal board", () => {
  it("stores the same rows as its odds-to-1 twin when the track is configured decimal", async () => {
    const twin = await freshDb();
    expect(await replayFiles(twin, [feedFile([card, win(POST - 600_000, TWIN)])])).toMatchObject({
      applied: 2,
      invalid: 0,
    });
    const { tracks } = parseConfig(
      JSON.stringify({
        tracks: [
          {
            name: TRACK,
            timezone: "Asia/Hong_Kong",
            enabled: false,
            oddsFormat: "decimal",
            dividendUnit: 10,
          },
        ],
      }),
    );
    const decimal = await freshDb();
    const summary = await replayFiles(decimal, [feedFile([card, win(POST - 600_000, PER_TEN)])], { tracks });
    expect(summary).toMatchObject({ applied: 2, invalid: 0 });
    expect(await dumpTables(decimal)).toEqual(await dumpTables(twin));
  });

  it("without the track's format, the same file is read as odds-to-1", async () => {
    const db = await freshDb();
    await replayFiles(db, [feedFile([card, win(POST - 600_000, PER_TEN)])]);
    const { odds_snapshot } = await storedRows(db, ["odds_snapshot"]);
    expect(odds_snapshot.map((row) => row.win_odds)).toEqual([35, 40, 110]);
  });
});

describe("poll of a decimal board", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it("reads the track's win odds as decimal dividends", async () => {
    let now = POST - 60_000;
    const sleep: Sleep = async (ms) => {
      now += Math.max(0, ms);
    };
    server.routes.set(`/card/${DATE}`, json(card));
    server.routes.set(`/win/${DATE}/1`, (req, res) => json(win(now, PER_TEN))(req, res));
    server.routes.set(`/status/${DATE}/1`, (req, res) =>
      json({ kind: "status", ...race, status: now >= POST ? "official" : "open" })(req, res),
    );
    const config = parseConfig(
      JSON.stringify({
        tracks: [
          {
            name: TRACK,
            timezone: "Asia/Hong_Kong",
            pools: ["win"],
            oddsFormat: "decimal",
            dividendUnit: 10,
            endpoints: {
              card: `${server.url}/card/{date}`,
              win: `${server.url}/win/{date}/{race}`,
              status: `${server.url}/status/{date}/{race}`,
            },
          },
        ],
        http: { minHostDelayMs: 0, retries: 0, timeoutMs: 2000 },
      }),
    );
    const db = await freshDb();
    const logs = captureLogs();
    const summary = await createPoller({
      config,
      db,
      date: DATE,
      logger: logs.logger,
      clock: { now: () => now },
      sleep,
      retention: false,
    }).run();
    expect(logs.records.filter((record) => record.msg.startsWith("invalid message"))).toEqual([]);
    expect(summary.invalid).toBe(0);
    const { odds_snapshot } = await storedRows(db, ["odds_snapshot"]);
    expect(odds_snapshot.length).toBeGreaterThan(0);
    expect(new Set(odds_snapshot.map((row) => row.win_odds))).toEqual(new Set([2.5, 3, 10]));
  });
});
