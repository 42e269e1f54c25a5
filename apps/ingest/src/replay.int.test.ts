import {
  captureLogs,
  countRows,
  createTestDb,
  dumpTables,
  freshTestDatabaseUrl,
} from "@totewatch/test-utils";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDb, type Db } from "@totewatch/db";
import { writeFeedMessage } from "@totewatch/feed";
import { afterEach, describe, expect, it } from "vitest";
import type { ApplyMessage } from "@totewatch/feed";
import { replayFiles } from "./replay.js";
import { runSimulation } from "@totewatch/simulator";

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../test-fixtures");
const smallDay = path.join(fixtures, "small-day.jsonl");
const invalidDay = path.join(fixtures, "invalid-day.jsonl");
/** Card Alpha, win Alpha 17:50, card Beta, win and exacta Beta 17:45: Beta's card must still come first. */
const cardAfterEarlierSnapshot = path.join(fixtures, "card-after-earlier-snapshot.jsonl");

const opened: Db[] = [];
function freshDb(): Db {
  const db = createTestDb("ingest-replay");
  opened.push(db);
  return db;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});
const tmp = () => mkdtempSync(path.join(os.tmpdir(), "ingest-replay-"));

describe("replay of a recorded day", () => {
  it("writes exactly the expected rows, in observation order", async () => {
    const db = freshDb();
    const summary = await replayFiles(db, [smallDay]);
    expect(summary).toMatchObject({ applied: 8, unchanged: 0, invalid: 0 });
    expect(await countRows(db)).toEqual({
      track: 1,
      race: 2,
      horse: 5,
      entry: 5,
      odds_snapshot: 6,
      exacta_probable: 2,
    });
    const tables = await dumpTables(db);
    // The 17:40 snapshot is later in the file than the 17:50 one but is applied first.
    expect((tables.odds_snapshot as Array<{ fetched_at: string }>).map((r) => r.fetched_at)).toEqual([
      Date.parse("2025-09-12T17:40:00.000Z"),
      Date.parse("2025-09-12T17:40:00.000Z"),
      Date.parse("2025-09-12T17:50:00.000Z"),
      Date.parse("2025-09-12T17:50:00.000Z"),
      Date.parse("2025-09-12T23:20:00.000Z"),
      Date.parse("2025-09-12T23:20:00.000Z"),
    ]);
    expect((tables.exacta_probable as Array<{ payout: number }>).map((r) => r.payout)).toEqual([21, 24]);
    expect(tables.race).toMatchObject([
      { race_number: 1, status: "official", post_time: Date.parse("2025-09-12T18:00:00.000Z") },
      // "13:30" read in the zone race 1's card stored for the track (Chicago).
      { race_number: 2, status: "scheduled", post_time: Date.parse("2025-09-12T18:30:00.000Z") },
    ]);
    // Rows: track 1 + race 2 + horse 5 + entry 5 + odds 6 + exacta 2 + race status 2.
    expect(summary.rows).toBe(23);
  });

  it("replaying the same file again changes nothing", async () => {
    const db = freshDb();
    await replayFiles(db, [smallDay]);
    const before = await dumpTables(db);
    const again = await replayFiles(db, [smallDay]);
    expect(again).toMatchObject({ applied: 0, unchanged: 8, invalid: 0, rows: 0 });
    expect(await dumpTables(db)).toEqual(before);
  });

  it("orders messages across files and folders; cards keep their place", async () => {
    const dir = tmp();
    const lines = (await import("node:fs")).readFileSync(smallDay, "utf8").split("\n").filter(Boolean);
    // Snapshots in one file (sorted first by name), cards in a .json array in another.
    writeFileSync(path.join(dir, "a-snapshots.jsonl"), lines.slice(2).join("\n"));
    writeFileSync(path.join(dir, "b-cards.json"), `[${lines.slice(0, 2).join(",")}]`);
    writeFileSync(path.join(dir, "notes.txt"), "not a feed file");
    const db = freshDb();
    const summary = await replayFiles(db, [dir]);
    expect(summary).toMatchObject({ applied: 8, invalid: 0 });
    const reference = freshDb();
    await replayFiles(reference, [smallDay]);
    expect(await countRows(db)).toEqual(await countRows(reference));
  });
});

describe("cards and the snapshots that need them", () => {
  it("applies a card before its race's snapshots that are later in the file but earlier in time", async () => {
    const db = freshDb();
    const logs = captureLogs();
    const summary = await replayFiles(db, [cardAfterEarlierSnapshot], { logger: logs.logger });
    expect(logs.records.filter((r) => r.msg.startsWith("invalid message"))).toEqual([]);
    expect(summary).toMatchObject({ applied: 5, unchanged: 0, invalid: 0 });
    expect(await countRows(db)).toMatchObject({ race: 2, entry: 4, odds_snapshot: 4, exacta_probable: 2 });
    const tables = await dumpTables(db);
    // Beta's 17:45 snapshots still go before Alpha's 17:50 one.
    expect((tables.odds_snapshot as Array<{ fetched_at: string }>).map((r) => r.fetched_at)).toEqual([
      Date.parse("2025-09-12T17:45:00.000Z"),
      Date.parse("2025-09-12T17:45:00.000Z"),
      Date.parse("2025-09-12T17:50:00.000Z"),
      Date.parse("2025-09-12T17:50:00.000Z"),
    ]);
  });

  it("keeps a card after what came before it in the file when no later message of its race is earlier", async () => {
    const file = path.join(tmp(), "day.jsonl");
    const race = { track: "Test Downs", date: "2025-09-12", race: 1 };
    const card = (horse: string, scratched: boolean) => ({
      kind: "card",
      ...race,
      post_time: "2025-09-12T18:00:00Z",
      entries: [
        { program_number: "1", horse: "First Light" },
        { program_number: "2", horse, scratched },
      ],
    });
    const win = (minute: number) => ({
      kind: "win",
      ...race,
      fetched_at: `2025-09-12T17:${minute}:00Z`,
      horses: [{ program_number: "1", win_odds: "5-2" }],
    });
    // The scratch card at 17:50 in file order must not jump ahead of the 17:40 card.
    const lines = [card("Second Wind", false), win(40), card("Second Wind", true), win(50)];
    writeFileSync(file, lines.map((line) => JSON.stringify(line)).join("\n"));
    const db = freshDb();
    expect(await replayFiles(db, [file])).toMatchObject({ applied: 4, invalid: 0 });
    expect((await dumpTables(db)).entry).toMatchObject([{ scratched: 0 }, { scratched: 1 }]);
  });
});

describe("configured tracks", () => {
  it("reads a card's local post time in the zone of a track registered before the feed", async () => {
    const file = path.join(tmp(), "day.jsonl");
    const card = {
      kind: "card",
      track: "Santa Anita Park",
      date: "2025-09-12",
      race: 1,
      post_time: "13:00",
      entries: [{ program_number: "1", horse: "Western Star" }],
    };
    writeFileSync(file, JSON.stringify(card));
    const db = freshDb();
    const summary = await replayFiles(db, [file], {
      tracks: [{ name: "Santa Anita Park", code: "SA", timezone: "America/Los_Angeles" }],
    });
    expect(summary).toMatchObject({ applied: 1, invalid: 0 });
    const tables = await dumpTables(db);
    expect(tables.track).toMatchObject([
      { name: "Santa Anita Park", code: "SA", timezone: "America/Los_Angeles" },
    ]);
    // 13:00 Pacific daylight time, not 13:00 in the America/New_York default (17:00Z).
    expect(tables.race).toMatchObject([
      { race_date: "2025-09-12", post_time: Date.parse("2025-09-12T20:00:00.000Z") },
    ]);
  });
});

describe("invalid messages", () => {
  it("reports every class with file:line, in line order, and goes on", async () => {
    const db = freshDb();
    const logs = captureLogs();
    const summary = await replayFiles(db, [invalidDay], { logger: logs.logger });
    expect(summary).toMatchObject({ applied: 2, invalid: 15 });
    const reported = logs.records
      .filter((r) => r.msg.startsWith("invalid message"))
      .map((r) => `${String(r.position).replace(`${fixtures}/`, "")}: ${String(r.reason)}`);
    // In line order as logged: line 12 (an unreadable fetched_at) is not moved ahead of line 4.
    const expected: Array<[number, RegExp]> = [
      [2, /not JSON/],
      [3, /fetched_at: required/],
      [4, /race: expected number, got "one"/],
      [5, /date: not a real calendar date/],
      [6, /race: race number must be >= 1/],
      [7, /total_win_pool: must not be negative/],
      [8, /probables\["1-2"\]: payout must not be negative/],
      [9, /horses\[0\]\.win_odds: not a board odds form: "abc"/],
      [10, /horses\[0\]\.win_odds: odds must not be negative/],
      [11, /horses\[1\]\.win_odds: .*zero denominator: "5-0"/],
      [12, /fetched_at: not an ISO-8601 instant/],
      [13, /probables\["1_2"\]: key is not "FIRST-SECOND"/],
      [14, /probables\["1-1"\]: names runner "1" twice/],
      [15, /program number "9" is not on the card of Test Downs 2025-09-12 race 1/],
      [16, /no card for Test Downs 2025-09-12 race 7/],
    ];
    expect(reported).toHaveLength(expected.length);
    expected.forEach(([line, reason], i) => {
      expect(reported[i]).toMatch(new RegExp(`^invalid-day\\.jsonl:${line}: `));
      expect(reported[i]).toMatch(reason);
    });
    expect(logs.records.find((r) => r.msg.startsWith("invalid message"))).toMatchObject({
      source: invalidDay,
      level: 40,
    });
    expect(await countRows(db)).toMatchObject({ race: 1, entry: 2, odds_snapshot: 2, exacta_probable: 0 });
  });
});

describe("group commit", () => {
  const race = { track: "Test Downs", date: "2025-09-12", race: 1 };
  const win = (minute: number, programs: string[]) => ({
    kind: "win",
    ...race,
    fetched_at: `2025-09-12T17:${minute}:00Z`,
    horses: programs.map((program) => ({ program_number: program, win_odds: "5-2" })),
  });

  /** An apply that notes, before each message, how many snapshot rows another client sees committed. */
  function observingFrom(url: string): { apply: ApplyMessage; committed: number[] } {
    const other = createDb({ url });
    opened.push(other);
    const committed: number[] = [];
    return {
      committed,
      apply: async (db, message) => {
        const rows = await countRows(other);
        committed.push(rows.odds_snapshot! + rows.exacta_probable!);
        return writeFeedMessage(db, message);
      },
    };
  }

  it("a message the database refuses in the middle of a batch writes nothing; its neighbours in that batch are applied", async () => {
    const file = path.join(tmp(), "day.jsonl");
    const lines = [
      {
        kind: "card",
        ...race,
        timezone: "America/Chicago",
        post_time: "2025-09-12T13:00:00-05:00",
        entries: [
          { program_number: "1", horse: "First Light" },
          { program_number: "2", horse: "Second Wind" },
        ],
      },
      win(40, ["1", "2"]),
      // Valid on its own; refused inside the database: runner 9 is not on the card.
      win(45, ["1", "9"]),
      { kind: "exacta", ...race, fetched_at: "2025-09-12T17:45:00Z", probables: { "1-2": 10, "2-1": 12 } },
      win(50, ["1", "2"]),
    ];
    writeFileSync(file, lines.map((line) => JSON.stringify(line)).join("\n"));
    const dbUrl = await freshTestDatabaseUrl("ingest-replay-batch");
    const db = createDb({ url: dbUrl });
    opened.push(db);
    const observer = observingFrom(dbUrl);
    const logs = captureLogs();
    const summary = await replayFiles(db, [file], { logger: logs.logger, apply: observer.apply });

    expect(summary).toMatchObject({ applied: 4, unchanged: 0, invalid: 1, rows: 1 + 1 + 2 + 2 + 2 + 2 + 2 });
    const invalid = logs.records.filter((r) => r.msg.startsWith("invalid message"));
    expect(invalid).toHaveLength(1);
    expect(invalid[0]).toMatchObject({ position: `${file}:3` });
    expect(String(invalid[0]!.reason)).toMatch(/program number "9" is not on the card/);
    // One batch: nothing was committed before any of the five messages was written.
    expect(observer.committed).toEqual([0, 0, 0, 0, 0]);
    const tables = await dumpTables(db);
    expect((tables.odds_snapshot as Array<{ fetched_at: string }>).map((r) => r.fetched_at)).toEqual([
      Date.parse("2025-09-12T17:40:00.000Z"),
      Date.parse("2025-09-12T17:40:00.000Z"),
      Date.parse("2025-09-12T17:50:00.000Z"),
      Date.parse("2025-09-12T17:50:00.000Z"),
    ]);
    expect(tables.exacta_probable).toHaveLength(2);
  });

  it("commits at the batch limit as fast as possible, and per group of messages due together when paced", async () => {
    const fast = await freshTestDatabaseUrl("ingest-replay-limit");
    const fastObserver = observingFrom(fast);
    const fastDb = createDb({ url: fast });
    opened.push(fastDb);
    await replayFiles(fastDb, [smallDay], {
      apply: fastObserver.apply,
      batchLimits: { maxMessages: 3, maxMs: Number.POSITIVE_INFINITY },
    });
    // Batches of 3: [2 cards, win 17:40 (2 rows)], [exacta 17:40 (2), win 17:50 (2), off], [official, race 2 win].
    expect(fastObserver.committed).toEqual([0, 0, 0, 2, 2, 2, 6, 6]);

    const paced = await freshTestDatabaseUrl("ingest-replay-paced");
    const pacedObserver = observingFrom(paced);
    const pacedDb = createDb({ url: paced });
    opened.push(pacedDb);
    await replayFiles(pacedDb, [smallDay], { apply: pacedObserver.apply, speed: 60, sleep: async () => {} });
    // Cards (no time of their own) go with the first snapshots; then one batch per instant.
    expect(pacedObserver.committed).toEqual([0, 0, 0, 0, 4, 6, 6, 6]);
  });
});

describe("simulated days", () => {
  const simulation = {
    date: "2025-09-12",
    tracks: 2,
    racesPerTrack: 3,
    runners: [6, 8] as [number, number],
    seed: 11,
  };

  it("simulate --out then replay gives the same tables as simulating straight into a database", async () => {
    const out = path.join(tmp(), "day.jsonl");
    const direct = freshDb();
    const simulated = await runSimulation({ simulation, db: direct, out });
    expect(simulated.invalid).toBe(0);
    expect(simulated.recorded).toBe(simulated.messages);

    const replayed = freshDb();
    const summary = await replayFiles(replayed, [out]);
    expect(summary).toMatchObject({
      applied: simulated.applied,
      unchanged: simulated.unchanged,
      invalid: 0,
      rows: simulated.rows,
    });
    // card_as_of and scratched_at record when each path saw a card: the simulator knows the
    // instant, a replayed file only the card's place among timed messages (the board before it).
    // Everything else is equal.
    const sameData = { ignoreColumns: ["card_as_of", "scratched_at"] };
    expect(await dumpTables(replayed, sameData)).toEqual(await dumpTables(direct, sameData));

    const counts = await countRows(replayed);
    expect(counts).toMatchObject({ track: 2, race: 6 });
    expect(counts.exacta_probable).toBeGreaterThan(counts.odds_snapshot!);
    // Re-replay: identical tables, and nothing re-applied, not even for a moment: a race's
    // first card read again is older than its mid-day scratch card, so it rolls nothing back.
    const before = await dumpTables(replayed);
    const again = await replayFiles(replayed, [out]);
    expect(again).toMatchObject({ applied: 0, invalid: 0, rows: 0 });
    expect(await dumpTables(replayed)).toEqual(before);
  });

  it("--no-db only records the file; --speed sleeps by the message times", async () => {
    const out = path.join(tmp(), "day.jsonl");
    const sleeps: number[] = [];
    const summary = await runSimulation({
      simulation: { ...simulation, tracks: 1, racesPerTrack: 1 },
      db: null,
      out,
      speed: 60,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    expect(summary.messages).toBe(0);
    expect(summary.recorded).toBeGreaterThan(10);
    // Snapshots are minutes apart in the simulated day: at 60x a minute is a second.
    expect(sleeps.length).toBeGreaterThan(5);
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(10 * 60_000);
    const replaySleeps: number[] = [];
    const db = freshDb();
    await replayFiles(db, [out], { speed: 60, sleep: async (ms) => void replaySleeps.push(ms) });
    // Cards have no time in a feed file, so replay skips the simulator's wait from card to first snapshot.
    expect(replaySleeps.reduce((a, b) => a + b, 0)).toBeCloseTo(
      sleeps.slice(1).reduce((a, b) => a + b, 0),
      3,
    );
  });
});
