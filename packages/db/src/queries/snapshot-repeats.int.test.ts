// A snapshot recorded again stores only what it adds, in its own order, on both engines. On
// PostgreSQL a write transaction's many-row insert checks its conflict target with NOT EXISTS
// and keeps ON CONFLICT only where that could not do (engine/pg-unnest.ts); both must store
// exactly what SQLite's per-row ON CONFLICT DO NOTHING stores.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../client.js";
import { createTestDb, queryRows } from "../../testing/index.js";
import { rowLockedTransaction, writeTransaction } from "../sql.js";
import { recordExactaSnapshot } from "./exacta.js";
import { recordWinSnapshot } from "./odds.js";
import { applyRaceCard, findRace, type RaceKey } from "./races.js";

let db: Db;
const RACE: RaceKey = { track: "Keeneland", raceDate: "2025-10-04", raceNumber: 5 };
const AT = new Date(Date.UTC(2025, 9, 4, 19, 30));

beforeAll(async () => {
  db = createTestDb("repeats");
  await applyRaceCard(db, {
    ...RACE,
    entries: ["1", "2", "3", "4"].map((programNumber) => ({
      programNumber,
      horse: `Repeat ${programNumber}`,
    })),
  });
});
afterAll(() => db.close());

describe("a snapshot recorded again", () => {
  it("exacta: stores only the combinations it adds, after the stored ones, in the grid's order", async () => {
    const first = [
      { first: "3", second: "1", payout: 40 },
      { first: "1", second: "2", payout: 12.4 },
    ];
    expect(await recordExactaSnapshot(db, { ...RACE, fetchedAt: AT, probables: first })).toEqual({
      changed: true,
      rows: 2,
    });
    // Again, with two new combinations around the two stored (their payouts differ: the stored
    // row is kept, as ON CONFLICT DO NOTHING keeps it).
    const again = [
      { first: "4", second: "2", payout: 88 },
      { first: "1", second: "2", payout: 99 },
      { first: "3", second: "1", payout: 99 },
      { first: "2", second: "1", payout: 15.2 },
    ];
    expect(await recordExactaSnapshot(db, { ...RACE, fetchedAt: AT, probables: again })).toEqual({
      changed: true,
      rows: 2,
    });
    const rows = await queryRows<{ combination: string; payout: number }>(
      db,
      `SELECT first_horse || '-' || second_horse AS combination, payout FROM exacta_probable ORDER BY exacta_id`,
    );
    expect(rows).toEqual([
      { combination: "3-1", payout: 40 },
      { combination: "1-2", payout: 12.4 },
      { combination: "4-2", payout: 88 },
      { combination: "2-1", payout: 15.2 },
    ]);
  });

  it("win: stores only the runners it adds", async () => {
    const runners = (programs: string[], odds: number) =>
      programs.map((programNumber) => ({ programNumber, winOdds: odds }));
    expect(await recordWinSnapshot(db, { ...RACE, fetchedAt: AT, runners: runners(["2", "4"], 3) })).toEqual({
      changed: true,
      rows: 2,
    });
    expect(
      await recordWinSnapshot(db, { ...RACE, fetchedAt: AT, runners: runners(["1", "2", "3", "4"], 5) }),
    ).toEqual({ changed: true, rows: 2 });
    const rows = await queryRows<{ program: string; odds: number }>(
      db,
      `SELECT e.program_number AS program, o.win_odds AS odds
       FROM odds_snapshot o JOIN entry e USING (entry_id) ORDER BY o.snapshot_id`,
    );
    expect(rows).toEqual([
      { program: "2", odds: 3 },
      { program: "4", odds: 3 },
      { program: "1", odds: 5 },
      { program: "3", odds: 5 },
    ]);
  });
});

describe("runEach with ON CONFLICT DO NOTHING", () => {
  const insert = `INSERT INTO horse (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`;
  const names = async (prefix: string) =>
    (
      await queryRows<{ name: string }>(
        db,
        `SELECT name FROM horse WHERE name LIKE ? ORDER BY horse_id`,
        `${prefix}%`,
      )
    ).map((row) => row.name);

  it("skips a row repeating an earlier one of the same call, in a write transaction", async () => {
    const rows = [
      ["Dup B", 1],
      ["Dup A", 2],
      ["Dup B", 3],
    ];
    expect(await writeTransaction(db, (sql) => sql.runEach(insert, rows))).toBe(2);
    expect(await names("Dup ")).toEqual(["Dup B", "Dup A"]);
    // Rows sharing the key's leading columns (a grid's race and instant), one combination twice.
    const raceId = (await findRace(db, RACE))!.raceId;
    const at = AT.getTime() + 60_000;
    const combinations = [
      [raceId, at, "1", "2", 10, 0],
      [raceId, at, "2", "1", 11, 0],
      [raceId, at, "1", "2", 12, 0],
    ];
    const grid = `INSERT INTO exacta_probable (race_id, fetched_at, first_horse, second_horse, payout, created_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (race_id, fetched_at, first_horse, second_horse) DO NOTHING`;
    expect(await writeTransaction(db, (sql) => sql.runEach(grid, combinations))).toBe(2);
    expect(
      await queryRows(
        db,
        `SELECT first_horse || '-' || second_horse AS combination, payout FROM exacta_probable
         WHERE fetched_at = ? ORDER BY exacta_id`,
        at,
      ),
    ).toEqual([
      { combination: "1-2", payout: 10 },
      { combination: "2-1", payout: 11 },
    ]);
  });

  it("stores text as given, whatever it holds (quotes, backslashes, commas, braces, the word NULL)", async () => {
    const tricky = ['Text "Quoted"', "Text back\\slash", "Text, {braced}", "Text NULL", "Text é ü 字"];
    const rows = tricky.map((name, i) => [name, i]);
    expect(await writeTransaction(db, (sql) => sql.runEach(insert, rows))).toBe(5);
    expect(await names("Text")).toEqual(tricky);
  });

  it("skips stored rows without the writers' lock too (a row-locked transaction)", async () => {
    const rows = [
      ["Locked A", 1],
      ["Dup A", 2],
      ["Locked B", 3],
    ];
    expect(await rowLockedTransaction(db, (sql) => sql.runEach(insert, rows))).toBe(2);
    expect(await names("Locked ")).toEqual(["Locked A", "Locked B"]);
  });
});
