import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findRace, latestExactaGrid, latestOddsForRace, type Db } from "../../src/index.js";
import { createTestDb, storedRows } from "../../testing/index.js";
import { SAMPLE_DATE, SAMPLE_RACES, SAMPLE_TRACK, seedSampleData } from "./sample-data.js";

let db: Db;
beforeAll(() => {
  db = createTestDb("seed");
});
afterAll(async () => {
  await db.close();
});

const dump = () =>
  storedRows(db, ["track", "race", "horse", "entry", "odds_snapshot", "exacta_probable", "alert"]);

describe("seedSampleData", () => {
  it("writes the sample day, and a second run writes nothing and changes nothing", async () => {
    const first = await seedSampleData(db);
    expect(first.every((s) => s.written > 0)).toBe(true);
    const before = await dump();
    expect(Object.values(before).every((rows) => rows.length > 0)).toBe(true);
    const second = await seedSampleData(db);
    expect(second.map((s) => s.written)).toEqual(second.map(() => 0));
    expect(await dump()).toEqual(before);
  });

  it("race 1 has a full board (scratched runner without odds) and a newest exacta grid", async () => {
    const race = await findRace(db, { track: SAMPLE_TRACK.name, raceDate: SAMPLE_DATE, raceNumber: 1 });
    expect(race).toMatchObject({ trackCode: "BEL", runners: SAMPLE_RACES[0]!.runners.length, scratched: 1 });
    const board = await latestOddsForRace(db, race!.raceId);
    expect(board.filter((r) => r.winOdds == null).map((r) => r.programNumber)).toEqual(["5"]);
    const grid = await latestExactaGrid(db, race!.raceId);
    expect(grid?.probables).toHaveLength(7 * 6);
    expect(grid?.fetchedAt).toEqual(board[0]?.fetchedAt);
  });
});
