// lateChangeBoards (late-changes.ts): the last board before each race's off and the final one after it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../client.js";
import { InvalidInputError } from "../errors.js";
import { createTestDb } from "../../testing/index.js";
import { lateChangeBoards, type LateChangeBoards } from "./late-changes.js";
import { recordWinSnapshot } from "./odds.js";
import { applyRaceCard, findRace, setRaceStatus, type RaceKey } from "./races.js";

/** Minutes after 17:00Z on `date`. */
const at = (date: string, minute: number) => new Date(Date.parse(`${date}T17:00:00Z`) + minute * 60_000);
const key = (track: string, raceDate: string, raceNumber: number): RaceKey => ({
  track,
  raceDate,
  raceNumber,
});

let db: Db;

async function card(race: RaceKey): Promise<void> {
  await applyRaceCard(db, {
    ...race,
    timezone: race.track === "Del Mar" ? "America/Los_Angeles" : "America/New_York",
    postTime: at(race.raceDate, 0),
    entries: [
      { programNumber: "1", horse: `${race.track} ${race.raceNumber} One`, morningLineOdds: 2 },
      { programNumber: "2", horse: `${race.track} ${race.raceNumber} Two`, morningLineOdds: 4 },
      { programNumber: "3", horse: `${race.track} ${race.raceNumber} Three`, scratched: true },
    ],
  });
}

/** A win board of runners 1 and 2 at `minute`, odds given as [1's, 2's]. */
async function board(race: RaceKey, minute: number, odds: [number, number]): Promise<void> {
  await recordWinSnapshot(db, {
    ...race,
    fetchedAt: at(race.raceDate, minute),
    totalWinPool: 100_000 + minute * 1000,
    runners: [
      { programNumber: "1", winOdds: odds[0], winPoolAmount: 40_000 },
      { programNumber: "2", winOdds: odds[1], winPoolAmount: 20_000 },
    ],
  });
}

const BEL1 = key("Belmont Park", "2025-09-13", 1);
const BEL2 = key("Belmont Park", "2025-09-13", 2);
const DMR1 = key("Del Mar", "2025-09-13", 1);
const AQU1 = key("Aqueduct", "2025-09-12", 1);
const AQU1_NEXT = key("Aqueduct", "2025-09-14", 1);
const OUTSIDE = key("Aqueduct", "2025-09-15", 1);
const OFFICIAL_UNTIMED = key("Belmont Park", "2025-09-13", 3);
// Saratoga, 2025-09-11: how the off is found without an off_at, and which races are left out.
const OFF_UNTIMED = key("Saratoga", "2025-09-11", 1);
const OFFICIAL_AFTER_OPEN = key("Saratoga", "2025-09-11", 2);
const OFF_THEN_CANCELLED = key("Saratoga", "2025-09-11", 3);
const CANCELLED = key("Saratoga", "2025-09-11", 4);
const OPEN = key("Saratoga", "2025-09-11", 5);
const OFFICIAL_NO_POST = key("Saratoga", "2025-09-11", 6);

beforeAll(async () => {
  db = createTestDb("late-changes");
  const saratoga = [OFF_UNTIMED, OFFICIAL_AFTER_OPEN, OFF_THEN_CANCELLED, CANCELLED, OPEN];
  for (const race of [BEL1, BEL2, DMR1, AQU1, AQU1_NEXT, OUTSIDE, OFFICIAL_UNTIMED, ...saratoga])
    await card(race);
  // Belmont 1 goes off 3 minutes after post: boards before the off, one exactly at it, two after.
  await board(BEL1, -5, [2.5, 4]);
  await board(BEL1, 1, [2.2, 4.5]);
  await board(BEL1, 3, [2, 5]);
  await board(BEL1, 4, [1.6, 6]);
  await board(BEL1, 6, [1.4, 7]);
  await setRaceStatus(db, BEL1, "off", at(BEL1.raceDate, 3));
  await setRaceStatus(db, BEL1, "official", at(BEL1.raceDate, 8));
  // Belmont 2: off, nothing recorded after the off.
  await board(BEL2, -1, [3, 3]);
  await setRaceStatus(db, BEL2, "off", at(BEL2.raceDate, 2));
  // Del Mar 1: off with only a board after it.
  await board(DMR1, 5, [2, 2]);
  await setRaceStatus(db, DMR1, "off", at(DMR1.raceDate, 1));
  for (const race of [AQU1, AQU1_NEXT, OUTSIDE]) {
    await board(race, 0, [5, 1.5]);
    await board(race, 2, [4, 1.8]);
    await setRaceStatus(db, race, "off", at(race.raceDate, 1));
  }
  // Official without an off time (the feed never timed its off): the post time stands in.
  await board(OFFICIAL_UNTIMED, 0, [2, 2]);
  await setRaceStatus(db, OFFICIAL_UNTIMED, "official");
  // Saratoga: each race has boards 2 minutes before post, at post and 3 minutes after.
  for (const race of [...saratoga, OFFICIAL_NO_POST]) {
    if (race === OFFICIAL_NO_POST) {
      await applyRaceCard(db, {
        ...race,
        entries: [
          { programNumber: "1", horse: "No Post One" },
          { programNumber: "2", horse: "No Post Two" },
        ],
      });
    }
    await board(race, -2, [3, 3]);
    await board(race, 0, [2.5, 3.5]);
    await board(race, 3, [2, 4]);
  }
  await setRaceStatus(db, OFF_UNTIMED, "off"); // no `at`: off, but when is not stored
  await setRaceStatus(db, OFFICIAL_AFTER_OPEN, "open");
  await setRaceStatus(db, OFFICIAL_AFTER_OPEN, "official");
  await setRaceStatus(db, OFF_THEN_CANCELLED, "off", at(OFF_THEN_CANCELLED.raceDate, 1));
  await setRaceStatus(db, OFF_THEN_CANCELLED, "cancelled");
  await setRaceStatus(db, CANCELLED, "cancelled");
  await setRaceStatus(db, OPEN, "open");
  await setRaceStatus(db, OFFICIAL_NO_POST, "official");
});
afterAll(async () => {
  await db.close();
});

const name = (boards: LateChangeBoards) =>
  `${boards.race.raceDate} ${boards.race.track} ${boards.race.raceNumber}`;
const instants = (rows: LateChangeBoards["final"]) => [
  ...new Set(rows.map((row) => row.fetchedAt.toISOString())),
];

describe("lateChangeBoards", () => {
  it("returns the last board at or before the off and the latest board after it", async () => {
    const [bel1] = await lateChangeBoards(db, {
      from: "2025-09-13",
      to: "2025-09-13",
      track: "Belmont Park",
    });
    const raceId = (await findRace(db, BEL1))!.raceId;
    expect(bel1!.race).toEqual({
      raceId,
      track: "Belmont Park",
      timezone: "America/New_York",
      raceDate: "2025-09-13",
      raceNumber: 1,
      postTime: at("2025-09-13", 0),
      offAt: at("2025-09-13", 3),
    });
    // The board fetched at the off instant is the last one bettable; 17:06 is the last after it.
    expect(instants(bel1!.lastPreOff)).toEqual([at("2025-09-13", 3).toISOString()]);
    expect(instants(bel1!.final)).toEqual([at("2025-09-13", 6).toISOString()]);
    const entries = [...bel1!.entries.values()];
    expect(entries.map((e) => [e.programNumber, e.horse, e.morningLineOdds, e.scratched])).toEqual([
      ["1", "Belmont Park 1 One", 2, false],
      ["2", "Belmont Park 1 Two", 4, false],
      ["3", "Belmont Park 1 Three", null, true],
    ]);
    const byProgram = (rows: LateChangeBoards["final"]) =>
      rows.map((row) => [bel1!.entries.get(row.entryId)!.programNumber, row.winOdds, row.totalWinPool]);
    expect(byProgram(bel1!.lastPreOff)).toEqual([
      ["1", 2, 103_000],
      ["2", 5, 103_000],
    ]);
    expect(byProgram(bel1!.final)).toEqual([
      ["1", 1.4, 106_000],
      ["2", 7, 106_000],
    ]);
    expect(bel1!.final[0]).toMatchObject({ raceId, winPoolAmount: 40_000 });
    expect(bel1!.final[0]!.snapshotId).toBeGreaterThan(bel1!.lastPreOff[1]!.snapshotId);
  });

  it("lists a race with no board after (or before) its off with [] for that board", async () => {
    const boards = await lateChangeBoards(db, { from: "2025-09-13", to: "2025-09-13" });
    const bel2 = boards.find((b) => name(b) === "2025-09-13 Belmont Park 2")!;
    expect(instants(bel2.lastPreOff)).toEqual([at("2025-09-13", -1).toISOString()]);
    expect(bel2.final).toEqual([]);
    const dmr1 = boards.find((b) => name(b) === "2025-09-13 Del Mar 1")!;
    expect(dmr1.lastPreOff).toEqual([]);
    expect(instants(dmr1.final)).toEqual([at("2025-09-13", 5).toISOString()]);
    expect(dmr1.race.timezone).toBe("America/Los_Angeles");
  });

  it("takes race dates from..to inclusive, by date, track and race number, races that went off only", async () => {
    const boards = await lateChangeBoards(db, { from: "2025-09-12", to: "2025-09-14" });
    expect(boards.map(name)).toEqual([
      "2025-09-12 Aqueduct 1",
      "2025-09-13 Belmont Park 1",
      "2025-09-13 Belmont Park 2",
      "2025-09-13 Belmont Park 3",
      "2025-09-13 Del Mar 1",
      "2025-09-14 Aqueduct 1",
    ]);
    expect((await lateChangeBoards(db, { from: "2025-09-14", to: "2025-09-15" })).map(name)).toEqual([
      "2025-09-14 Aqueduct 1",
      "2025-09-15 Aqueduct 1",
    ]);
    expect(
      (await lateChangeBoards(db, { from: "2025-09-12", to: "2025-09-15", track: "Aqueduct" })).map(name),
    ).toEqual(["2025-09-12 Aqueduct 1", "2025-09-14 Aqueduct 1", "2025-09-15 Aqueduct 1"]);
    expect(await lateChangeBoards(db, { from: "2025-09-16", to: "2025-09-30" })).toEqual([]);
    expect(await lateChangeBoards(db, { from: "2025-09-14", to: "2025-09-12" })).toEqual([]);
    expect(await lateChangeBoards(db, { from: "2025-09-13", to: "2025-09-13", track: "Nowhere" })).toEqual(
      [],
    );
  });

  it("takes post time as the off of a race off or official without an off time", async () => {
    const boards = await lateChangeBoards(db, { from: "2025-09-11", to: "2025-09-11" });
    // Only the two that ran without a stored off: off (status message without `at`), and
    // official after open. Off then cancelled, cancelled, open and official without a post
    // time are left out.
    expect(boards.map(name)).toEqual(["2025-09-11 Saratoga 1", "2025-09-11 Saratoga 2"]);
    for (const race of boards) {
      // The off is post time, 17:00: the board at post (17:00, at or before the off) is the
      // last bettable one, and 17:03 (after it) the final one; 16:58 is neither.
      expect(race.race.offAt).toEqual(at("2025-09-11", 0));
      expect(race.race.postTime).toEqual(at("2025-09-11", 0));
      expect(instants(race.lastPreOff)).toEqual([at("2025-09-11", 0).toISOString()]);
      expect(instants(race.final)).toEqual([at("2025-09-11", 3).toISOString()]);
      expect(race.final.map((row) => row.winOdds)).toEqual([2, 4]);
    }
    const bel3 = (await lateChangeBoards(db, { from: "2025-09-13", to: "2025-09-13" })).find(
      (b) => name(b) === "2025-09-13 Belmont Park 3",
    )!;
    expect(bel3.race.offAt).toEqual(at("2025-09-13", 0));
    expect(instants(bel3.lastPreOff)).toEqual([at("2025-09-13", 0).toISOString()]);
    expect(bel3.final).toEqual([]);
  });

  it("leaves out a cancelled race even when it had an off time", async () => {
    const all = await lateChangeBoards(db, { from: "2025-09-01", to: "2025-09-30", track: "Saratoga" });
    expect(all.map((b) => b.race.raceNumber)).toEqual([1, 2]);
  });

  it("refuses a date that is not YYYY-MM-DD", async () => {
    await expect(lateChangeBoards(db, { from: "13/09/2025", to: "2025-09-13" })).rejects.toThrow(
      InvalidInputError,
    );
    await expect(lateChangeBoards(db, { from: "2025-09-13", to: "" })).rejects.toThrow(
      /to must be YYYY-MM-DD/,
    );
  });
});
