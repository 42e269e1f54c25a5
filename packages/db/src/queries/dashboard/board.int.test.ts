// The dashboard's race board (board.ts) on a real migrated database (either engine), written through the
// package's own helpers: a card (with a dated scratch) and win boards a few minutes apart.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../client.js";
import { InvalidInputError } from "../../errors.js";
import { createTestDb, queryRows, testEngine } from "../../../testing/index.js";
import { recordWinSnapshot, type WinRunnerInput } from "../odds.js";
import { applyRaceCard, findRace, type RaceKey } from "../races.js";
import { BOARD_AT_SQL, NEWEST_BOARD_SQL, raceBoard, type BoardRunner } from "./board.js";

let db: Db;
let raceId = 0;
let cardOnlyId = 0;

const RACE: RaceKey = { track: "Belmont Park", raceDate: "2025-09-13", raceNumber: 3 };
const CARD_ONLY: RaceKey = { ...RACE, raceNumber: 4 };
/** 2025-09-13 16:mm:ss UTC. */
const at = (minute: number, second = 0) => new Date(Date.UTC(2025, 8, 13, 16, minute, second));
const SCRATCH_KNOWN = at(0, 30);

const board = (fetchedAt: Date, runners: WinRunnerInput[], totalWinPool: number) =>
  recordWinSnapshot(db, { ...RACE, fetchedAt, totalWinPool, runners });

beforeAll(async () => {
  db = createTestDb("dashboard-board");
  // Listed out of program order; #3 scratched on a card observed at 16:00:30.
  await applyRaceCard(db, {
    ...RACE,
    asOf: SCRATCH_KNOWN,
    entries: [
      { programNumber: "10", horse: "Ten Strikes", morningLineOdds: 8 },
      { programNumber: "2", horse: "Two Step", morningLineOdds: 3, jockey: "F. Prat", trainer: "C. Brown" },
      { programNumber: "1", horse: "Number One", morningLineOdds: 1.5 },
      { programNumber: "3", horse: "No Show", morningLineOdds: 20, scratched: true },
      { programNumber: "4", horse: "Quiet One", morningLineOdds: 6 },
    ],
  });
  await applyRaceCard(db, { ...CARD_ONLY, entries: [{ programNumber: "1", horse: "Early Card" }] });
  raceId = (await findRace(db, RACE))!.raceId;
  cardOnlyId = (await findRace(db, CARD_ONLY))!.raceId;

  // The newest board is 16:20:00, so 5 minutes before is 16:15:00 and 15 before is 16:05:00.
  // #1 has a snapshot exactly at 16:15:00 and one just after it (16:15:01, a board of #1 alone);
  // #10 is priced only at 16:00; #4 never.
  await board(
    at(0),
    [
      { programNumber: "1", winOdds: 6 },
      { programNumber: "2", winOdds: 3 },
      { programNumber: "10", winOdds: 12 },
    ],
    10_000,
  );
  await board(
    at(5),
    [
      { programNumber: "1", winOdds: 5.5 },
      { programNumber: "2", winOdds: 3 },
    ],
    20_000,
  );
  await board(
    at(10),
    [
      { programNumber: "1", winOdds: 5 },
      { programNumber: "2", winOdds: 3.5 },
    ],
    30_000,
  );
  await board(
    at(15),
    [
      { programNumber: "1", winOdds: 4.5 },
      { programNumber: "2", winOdds: 3.5 },
    ],
    40_000,
  );
  await board(at(15, 1), [{ programNumber: "1", winOdds: 4 }], 45_000);
  await board(
    at(20),
    [
      { programNumber: "1", winOdds: 3, winPoolAmount: 25_000 },
      { programNumber: "2", winOdds: 4, winPoolAmount: 15_000 },
    ],
    90_000,
  );
});
afterAll(async () => {
  await db.close();
});

const iso = (date: Date | null) => date?.toISOString() ?? null;
const earlier = (runner: BoardRunner | undefined) =>
  runner?.earlier.map((e) => [e.minutesAgo, iso(e.fetchedAt), e.winOdds]);
const byProgram = (runners: BoardRunner[], program: string) =>
  runners.find((r) => r.programNumber === program);

describe("raceBoard", () => {
  it("gives the race, its newest board and every runner in program order, scratched ones included", async () => {
    const result = await raceBoard(db, raceId);
    expect(result?.race).toMatchObject({
      raceId,
      track: "Belmont Park",
      raceNumber: 3,
      runners: 5,
      scratched: 1,
    });
    expect(iso(result!.fetchedAt)).toBe("2025-09-13T16:20:00.000Z");
    expect(result?.totalWinPool).toBe(90_000);
    expect(result?.runners.map((r) => r.programNumber)).toEqual(["1", "2", "3", "4", "10"]);
    const [one, two, three, four, ten] = result!.runners;
    // #1's newest: 3-1 at 16:20, decimal 3 + 1 = 4, 25,000 in its pool.
    expect(one).toMatchObject({
      horse: "Number One",
      morningLineOdds: 1.5,
      scratched: false,
      scratchedAt: null,
      winOdds: 3,
      winOddsDecimal: 4,
      winPoolAmount: 25_000,
    });
    expect(iso(one!.fetchedAt)).toBe("2025-09-13T16:20:00.000Z");
    expect(two).toMatchObject({ jockey: "F. Prat", trainer: "C. Brown", winOdds: 4, winOddsDecimal: 5 });
    // #3: scratched since the card of 16:00:30, never priced.
    expect(three).toMatchObject({ scratched: true, winOdds: null, fetchedAt: null });
    expect(iso(three!.scratchedAt)).toBe(SCRATCH_KNOWN.toISOString());
    expect(four).toMatchObject({ scratched: false, fetchedAt: null, winOdds: null, winOddsDecimal: null });
    // #10's own newest snapshot is 16:00 (not on the newest board): shown with its own time.
    expect(ten).toMatchObject({ winOdds: 12 });
    expect(iso(ten!.fetchedAt)).toBe("2025-09-13T16:00:00.000Z");
  });

  it("earlier odds: each runner's newest snapshot at or before the newest board minus N minutes", async () => {
    const { runners } = (await raceBoard(db, raceId))!;
    // Default [5, 15]: 16:20 - 5 min = 16:15:00, where #1 has 4.5 exactly on the boundary (its 4 at
    // 16:15:01 is after it); 16:20 - 15 min = 16:05:00, exactly its 5.5.
    expect(earlier(byProgram(runners, "1"))).toEqual([
      [5, "2025-09-13T16:15:00.000Z", 4.5],
      [15, "2025-09-13T16:05:00.000Z", 5.5],
    ]);
    expect(earlier(byProgram(runners, "2"))).toEqual([
      [5, "2025-09-13T16:15:00.000Z", 3.5],
      [15, "2025-09-13T16:05:00.000Z", 3],
    ]);
    // #10's only snapshot (16:00) is before both instants; #4 and #3 have none.
    expect(earlier(byProgram(runners, "10"))).toEqual([
      [5, "2025-09-13T16:00:00.000Z", 12],
      [15, "2025-09-13T16:00:00.000Z", 12],
    ]);
    expect(earlier(byProgram(runners, "4"))).toEqual([
      [5, null, null],
      [15, null, null],
    ]);
  });

  it("takes other minutes, in the order asked: 1 min picks the 16:15:01 snapshot, 30 min finds none", async () => {
    const { runners } = (await raceBoard(db, raceId, { minutesAgo: [1, 30, 0] }))!;
    // 16:20 - 1 min = 16:19: #1's newest by then is 4 at 16:15:01; 16:20 - 30 min = 15:50, before
    // every board; 0 min is the newest board itself.
    expect(earlier(byProgram(runners, "1"))).toEqual([
      [1, "2025-09-13T16:15:01.000Z", 4],
      [30, null, null],
      [0, "2025-09-13T16:20:00.000Z", 3],
    ]);
    expect((await raceBoard(db, raceId, { minutesAgo: [] }))?.runners[0]?.earlier).toEqual([]);
  });

  it("a race without boards has its card and no figures; an unknown race is null", async () => {
    const result = await raceBoard(db, cardOnlyId);
    expect(result).toMatchObject({ fetchedAt: null, totalWinPool: null });
    expect(result?.runners).toEqual([
      {
        entryId: expect.any(Number),
        programNumber: "1",
        horse: "Early Card",
        morningLineOdds: null,
        jockey: null,
        trainer: null,
        scratched: false,
        scratchedAt: null,
        fetchedAt: null,
        winOdds: null,
        winOddsDecimal: null,
        winPoolAmount: null,
        earlier: [
          { minutesAgo: 5, fetchedAt: null, winOdds: null },
          { minutesAgo: 15, fetchedAt: null, winOdds: null },
        ],
      },
    ]);
    expect(await raceBoard(db, 999_999)).toBeNull();
  });

  it("refuses minutes that are negative, not finite, or more than ten", async () => {
    for (const minutesAgo of [
      [-1],
      [Number.NaN],
      [Number.POSITIVE_INFINITY],
      Array.from({ length: 11 }, () => 1),
    ]) {
      await expect(raceBoard(db, raceId, { minutesAgo })).rejects.toBeInstanceOf(InvalidInputError);
    }
  });

  // The plan check is SQLite's: PostgreSQL's planner chooses by table statistics, not by INDEXED BY.
  it.skipIf(testEngine() === "postgres")(
    "seeks idx_odds_race_time and idx_odds_entry and never scans odds_snapshot",
    async () => {
      const plan = async (sql: string, ...params: number[]) =>
        (await queryRows<{ detail: string }>(db, `EXPLAIN QUERY PLAN ${sql}`, ...params))
          .map((row) => row.detail)
          .join("\n");
      const newest = await plan(NEWEST_BOARD_SQL, raceId);
      expect(newest).toMatch(
        /SEARCH odds_snapshot USING (COVERING )?INDEX idx_odds_race_time \(race_id=\?\)/,
      );
      const runners = await plan(BOARD_AT_SQL, 0, raceId);
      expect(runners).toMatch(/SEARCH s USING (COVERING )?INDEX idx_odds_entry \(entry_id=\? AND fetched_at/);
      expect(runners).toMatch(/SEARCH e USING INDEX entry_race_id_program_number_key \(race_id=\?\)/);
      for (const text of [newest, runners]) expect(text).not.toMatch(/SCAN (odds_snapshot|[os]\b)/);
    },
  );
});
