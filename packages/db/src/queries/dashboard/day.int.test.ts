// The dashboard's day page (day.ts) on a real migrated database (either engine), written through the package's
// own helpers: cards, win boards (with a "SCR"), exacta grids and alerts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../client.js";
import { InvalidInputError } from "../../errors.js";
import { createTestDb, queryRows, testEngine } from "../../../testing/index.js";
import { evaluationTransaction } from "../evaluation/view.js";
import { recordExactaSnapshot } from "../exacta.js";
import { recordWinSnapshot } from "../odds.js";
import { applyRaceCard, findRace, type RaceKey } from "../races.js";
import { DAY_PRICES_SQL, DAY_RACES_SQL, raceDates, raceDayOverview, raceOverview } from "./day.js";

let db: Db;

const DATE = "2025-09-13";
const BEL1: RaceKey = { track: "Belmont Park", raceDate: DATE, raceNumber: 1 };
const BEL2: RaceKey = { track: "Belmont Park", raceDate: DATE, raceNumber: 2 };
const AQU1: RaceKey = { track: "Aqueduct", raceDate: DATE, raceNumber: 1 };
const BEL_EARLIER: RaceKey = { track: "Belmont Park", raceDate: "2025-09-12", raceNumber: 1 };
const at = (minute: number) => new Date(Date.UTC(2025, 8, 13, 16, minute));

const raceIdOf = async (key: RaceKey) => (await findRace(db, key))!.raceId;
const storeAlert = async (key: RaceKey, n: number) => {
  const raceId = await raceIdOf(key);
  await evaluationTransaction(db, (tx) =>
    tx.storeAlert(
      { triggeredAt: at(n), raceId, alertType: "steam", message: `alert ${n}`, dedupeKey: `day:${n}` },
      [],
      at(n),
    ),
  );
};

beforeAll(async () => {
  db = createTestDb("dashboard-day");
  await applyRaceCard(db, {
    ...BEL1,
    postTime: new Date("2025-09-13T17:05:00Z"),
    entries: [
      { programNumber: "2", horse: "Two Step" },
      { programNumber: "1A", horse: "Entry Mate" },
      { programNumber: "1", horse: "Number One" },
      { programNumber: "3", horse: "No Show" },
      { programNumber: "4", horse: "Quiet One" },
    ],
  });
  await applyRaceCard(db, {
    ...BEL2,
    entries: ["5", "6", "7"].map((programNumber) => ({ programNumber, horse: `Runner ${programNumber}` })),
  });
  await applyRaceCard(db, { ...AQU1, entries: [{ programNumber: "1", horse: "Card Only" }] });
  await applyRaceCard(db, { ...BEL_EARLIER, entries: [{ programNumber: "1", horse: "Yesterday" }] });
  await applyRaceCard(db, {
    ...BEL_EARLIER,
    raceDate: "2025-09-10",
    entries: [{ programNumber: "1", horse: "Last Week" }],
  });

  // Belmont R1. At 16:00, #3 is the shortest (1.5) and #2 at 1.8; by 16:02 #3 is scratched (the
  // board lists it "SCR"), #2 drifted to 3, and #1 and coupled #1A share 2.5. #4 never has odds.
  await recordWinSnapshot(db, {
    ...BEL1,
    fetchedAt: at(0),
    totalWinPool: 50_000,
    runners: [
      { programNumber: "1", winOdds: 3 },
      { programNumber: "1A", winOdds: 3 },
      { programNumber: "2", winOdds: 1.8 },
      { programNumber: "3", winOdds: 1.5 },
    ],
  });
  await recordWinSnapshot(db, {
    ...BEL1,
    fetchedAt: at(2),
    totalWinPool: 60_000,
    runners: [
      { programNumber: "1", winOdds: 2.5 },
      { programNumber: "1A", winOdds: 2.5 },
      { programNumber: "2", winOdds: 3 },
    ],
    scratched: ["3"],
  });
  const grid = (payout: number) => [
    { first: "1", second: "2", payout },
    { first: "2", second: "1", payout: payout * 2 },
  ];
  await recordExactaSnapshot(db, { ...BEL1, fetchedAt: at(1), totalExactaPool: 10_000, probables: grid(20) });
  await recordExactaSnapshot(db, { ...BEL1, fetchedAt: at(2), totalExactaPool: 12_000, probables: grid(18) });

  // Belmont R2: #6 is the shortest (2) but is missing from the newest board (16:03), whose pool is 40,000.
  await recordWinSnapshot(db, {
    ...BEL2,
    fetchedAt: at(1),
    totalWinPool: 30_000,
    runners: [
      { programNumber: "5", winOdds: 4 },
      { programNumber: "6", winOdds: 2 },
      { programNumber: "7", winOdds: 9 },
    ],
  });
  await recordWinSnapshot(db, {
    ...BEL2,
    fetchedAt: at(3),
    totalWinPool: 40_000,
    runners: [
      { programNumber: "5", winOdds: 3.5 },
      { programNumber: "7", winOdds: 8 },
    ],
  });

  await storeAlert(BEL1, 10);
  await storeAlert(BEL1, 11);
  await storeAlert(BEL_EARLIER, 12);
});
afterAll(async () => {
  await db.close();
});

describe("raceDates", () => {
  it("lists the dates that have races, newest first, each once", async () => {
    expect(await raceDates(db)).toEqual(["2025-09-13", "2025-09-12", "2025-09-10"]);
    expect(await raceDates(db, { limit: 2 })).toEqual(["2025-09-13", "2025-09-12"]);
  });

  it("refuses a limit that is not a whole number >= 1", async () => {
    for (const limit of [0, -1, 1.5, Number.NaN]) {
      await expect(raceDates(db, { limit })).rejects.toBeInstanceOf(InvalidInputError);
    }
  });
});

describe("raceDayOverview", () => {
  it("lists the date's races by track then race number, each with its newest figures", async () => {
    const overview = await raceDayOverview(db, DATE);
    expect(overview.map((r) => [r.track, r.raceNumber])).toEqual([
      ["Aqueduct", 1],
      ["Belmont Park", 1],
      ["Belmont Park", 2],
    ]);
    const [aqu1, bel1, bel2] = overview;
    // A card without boards: nothing to show but the card.
    expect(aqu1).toMatchObject({
      runners: 1,
      scratched: 0,
      lastBoardAt: null,
      totalWinPool: null,
      totalExactaPool: null,
      favourite: null,
      alerts: 0,
    });
    // Newest board 16:02 (pool 60,000, not 16:00's 50,000); newest grid 16:02 (12,000, not 10,000);
    // two alerts (the third is of the 12th's race). #3 was scratched by the 16:02 board: 5 runners, 1 scratched.
    expect(bel1).toMatchObject({
      raceId: await raceIdOf(BEL1),
      runners: 5,
      scratched: 1,
      totalWinPool: 60_000,
      totalExactaPool: 12_000,
      alerts: 2,
    });
    expect(bel1?.lastBoardAt?.toISOString()).toBe("2025-09-13T16:02:00.000Z");
    expect(bel1?.postTime?.toISOString()).toBe("2025-09-13T17:05:00.000Z");
    expect(bel2?.lastBoardAt?.toISOString()).toBe("2025-09-13T16:03:00.000Z");
    expect(bel2).toMatchObject({ totalWinPool: 40_000, totalExactaPool: null, alerts: 0 });
  });

  it("favourite: the lowest odds on each runner's own newest snapshot, scratched runners left out, ties in program order", async () => {
    const [, bel1, bel2] = await raceDayOverview(db, DATE);
    // Belmont R1 newest prices: #1 2.5, #1A 2.5, #2 3 (its 1.8 was at 16:00), #3 1.5 but
    // scratched, #4 none. Lowest 2.5, shared by #1 and #1A: #1 comes first in program order.
    expect(bel1?.favourite).toMatchObject({ programNumber: "1", horse: "Number One", winOdds: 2.5 });
    // Belmont R2 newest prices: #5 3.5, #6 2 (from 16:01: it is not on the 16:03 board), #7 8.
    // Lowest is #6 at 2, though #5 comes first in program order.
    expect(bel2?.favourite).toMatchObject({ programNumber: "6", horse: "Runner 6", winOdds: 2 });
    const [entry] = await queryRows<{ id: number }>(
      db,
      `SELECT entry_id AS id FROM entry WHERE race_id = ? AND program_number = '6'`,
      bel2!.raceId,
    );
    expect(bel2?.favourite?.entryId).toBe(entry!.id);
  });

  it("reads one race's row exactly as the day lists it, and null for an unknown race", async () => {
    for (const race of await raceDayOverview(db, DATE))
      expect(await raceOverview(db, race.raceId)).toEqual(race);
    expect(await raceOverview(db, 999_999)).toBeNull();
  });

  it("is empty for a date without races", async () => {
    expect(await raceDayOverview(db, "2025-09-14")).toEqual([]);
  });

  // The plan check is SQLite's: PostgreSQL's planner chooses by table statistics, not by INDEXED BY.
  it.skipIf(testEngine() === "postgres")(
    "seeks the odds and exacta indexes and never scans odds_snapshot or exacta_probable",
    async () => {
      const plan = async (sql: string) =>
        (await queryRows<{ detail: string }>(db, `EXPLAIN QUERY PLAN ${sql}`, DATE))
          .map((row) => row.detail)
          .join("\n");
      const races = await plan(DAY_RACES_SQL);
      expect(races).toMatch(/SEARCH o USING (COVERING )?INDEX idx_odds_race_time \(race_id=\?\)/);
      expect(races).toMatch(/SEARCH x USING (COVERING )?INDEX idx_exacta_race_time \(race_id=\?\)/);
      expect(races).toMatch(/SEARCH b USING INTEGER PRIMARY KEY/);
      const prices = await plan(DAY_PRICES_SQL);
      expect(prices).toMatch(/SEARCH s USING (COVERING )?INDEX idx_odds_entry \(entry_id=\?\)/);
      expect(prices).toMatch(/SEARCH r USING (COVERING )?INDEX idx_race_date/);
      for (const text of [races, prices])
        expect(text).not.toMatch(/SCAN (odds_snapshot|exacta_probable|[obsx]\b)/);
    },
  );
});
