// Win odds (odds.ts) and exacta probables (exacta.ts): the two snapshot kinds share their race fixtures.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../client.js";
import { InvalidInputError, UnknownRaceError, UnknownRunnerError } from "../errors.js";
import {
  createTestDb,
  failInserts,
  openTransactions,
  queryRows,
  rowCount,
  storedRows,
} from "../../testing/index.js";
import { latestExactaGrid, recordExactaSnapshot, type ExactaProbableInput } from "./exacta.js";
import {
  latestOddsForRace,
  oddsHistoryForEntry,
  oddsHistoryForRace,
  recordWinSnapshot,
  type WinRunnerInput,
} from "./odds.js";
import { applyRaceCard, entriesForRace, findRace, type RaceKey } from "./races.js";

let db: Db;

const BIG: RaceKey = { track: "Belmont Park", raceDate: "2025-09-13", raceNumber: 1 };
const BOARD: RaceKey = { track: "Belmont Park", raceDate: "2025-09-13", raceNumber: 2 };
const PROGRAMS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"];
const at = (minute: number) => new Date(Date.UTC(2025, 8, 13, 16, minute));

const count = (table: string) => rowCount(db, table);
const dump = () => storedRows(db, ["odds_snapshot", "exacta_probable", "entry", "race", "track", "horse"]);

const winRunners = (odds: (program: string, i: number) => number, programs = PROGRAMS): WinRunnerInput[] =>
  programs.map((programNumber, i) => ({
    programNumber,
    winOdds: odds(programNumber, i),
    winPoolAmount: 1_000 * (i + 1),
  }));

const exactaGrid = (programs: string[], payout: (i: number) => number): ExactaProbableInput[] =>
  programs
    .flatMap((first) => programs.filter((second) => second !== first).map((second) => ({ first, second })))
    .map((p, i) => ({ ...p, payout: payout(i) }));

beforeAll(async () => {
  db = createTestDb("odds");
  await applyRaceCard(db, {
    ...BIG,
    entries: PROGRAMS.map((programNumber) => ({ programNumber, horse: `Runner ${programNumber}` })),
  });
  await applyRaceCard(db, {
    ...BOARD,
    entries: [
      { programNumber: "10", horse: "Ten Strikes", morningLineOdds: 8 },
      { programNumber: "2", horse: "Two Step", morningLineOdds: 3 },
      { programNumber: "1A", horse: "Entry Mate", morningLineOdds: 4.5 },
      { programNumber: "1", horse: "Number One", morningLineOdds: 1.5 },
      { programNumber: "3", horse: "No Show", morningLineOdds: 20, scratched: true },
      { programNumber: "4", horse: "Quiet One", morningLineOdds: 6 },
    ],
  });
});
afterAll(async () => {
  await db.close();
});

describe("recordWinSnapshot", () => {
  it("writes one row per runner in one go, and a repeat writes nothing", async () => {
    const snap = { ...BIG, fetchedAt: at(0), totalWinPool: 78_000, runners: winRunners((_, i) => i + 1.5) };
    expect(await recordWinSnapshot(db, snap)).toEqual({ changed: true, rows: 12 });
    const before = await dump();
    expect(await recordWinSnapshot(db, snap)).toEqual({ changed: false, rows: 0 });
    expect(await dump()).toEqual(before);
    const [row] = await queryRows(
      db,
      `SELECT o.* FROM odds_snapshot o JOIN entry e USING (entry_id) WHERE e.program_number = '3' AND o.fetched_at = ?`,
      at(0).getTime(),
    );
    expect(row).toMatchObject({
      fetched_at: Date.parse("2025-09-13T16:00:00.000Z"),
      win_odds: 3.5,
      win_odds_decimal: 4.5,
      win_pool_amount: 3_000,
      total_win_pool: 78_000,
    });
  });

  it("throws UnknownRaceError for a race without a card and writes nothing", async () => {
    const before = await count("odds_snapshot");
    const key = { ...BIG, raceNumber: 7 };
    const error = await recordWinSnapshot(db, {
      ...key,
      fetchedAt: at(1),
      runners: winRunners(() => 2),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownRaceError);
    expect((error as UnknownRaceError).race).toMatchObject(key);
    expect(await count("odds_snapshot")).toBe(before);
  });

  it("with 11 known runners and one unknown, throws UnknownRunnerError and writes zero rows", async () => {
    const before = await dump();
    const runners = winRunners(() => 4, [...PROGRAMS.slice(0, 6), "13", ...PROGRAMS.slice(6, 11)]);
    expect(runners).toHaveLength(12);
    const error = await recordWinSnapshot(db, { ...BIG, fetchedAt: at(2), runners }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownRunnerError);
    expect((error as UnknownRunnerError).programNumber).toBe("13");
    expect((error as Error).message).toBe(
      `program number "13" is not on the card of Belmont Park 2025-09-13 race 1`,
    );
    expect(await dump()).toEqual(before);
    expect(
      await queryRows(db, `SELECT count(*) AS n FROM odds_snapshot WHERE fetched_at = ?`, at(2).getTime()),
    ).toEqual([{ n: 0 }]);
  });

  it("refuses non-positive or non-finite odds before writing, naming the runner", async () => {
    const before = await count("odds_snapshot");
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(
        recordWinSnapshot(db, {
          ...BIG,
          fetchedAt: at(3),
          runners: winRunners((p) => (p === "5" ? bad : 3)),
        }),
      ).rejects.toThrow(InvalidInputError);
    }
    await expect(
      recordWinSnapshot(db, { ...BIG, fetchedAt: at(3), runners: winRunners((p) => (p === "5" ? 0 : 3)) }),
    ).rejects.toThrow(/runner 5 has odds 0/);
    expect(await count("odds_snapshot")).toBe(before);
  });

  it("a snapshot that fails half-way through its inserts leaves nothing behind", async () => {
    // The 7th runner's insert fails inside the helper's transaction, after six rows went in.
    const removeTrigger = await failInserts(db, "odds_snapshot", "NEW.win_odds = 77");
    try {
      const before = await dump();
      await expect(
        recordWinSnapshot(db, {
          ...BIG,
          fetchedAt: at(4),
          runners: winRunners((_, i) => (i === 6 ? 77 : 5)),
        }),
      ).rejects.toThrow(/injected failure/);
      expect(await dump()).toEqual(before);
    } finally {
      await removeTrigger();
    }
    // and the connection is usable afterwards (no transaction left open)
    expect(await openTransactions(db)).toBe(0);
    expect(await recordWinSnapshot(db, { ...BIG, fetchedAt: at(4), runners: winRunners(() => 5) })).toEqual({
      changed: true,
      rows: 12,
    });
  });

  it("sees a runner added to the card by another connection (another process) after it cached the card", async () => {
    const other = createDb({ url: db.path });
    try {
      await applyRaceCard(other, {
        ...BIG,
        entries: [...PROGRAMS, "13"].map((programNumber) => ({
          programNumber,
          horse: `Runner ${programNumber}`,
        })),
      });
    } finally {
      await other.close();
    }
    expect(
      await recordWinSnapshot(db, {
        ...BIG,
        fetchedAt: at(5),
        runners: winRunners(() => 6, [...PROGRAMS, "13"]),
      }),
    ).toEqual({ changed: true, rows: 13 });
  });
});

describe("recordExactaSnapshot", () => {
  const programs = PROGRAMS.slice(0, 12);

  it("writes a 132-combination grid at once; a repeat writes nothing", async () => {
    const grid = exactaGrid(programs, (i) => 10 + i);
    expect(grid).toHaveLength(132);
    const snap = { ...BIG, fetchedAt: at(0), totalExactaPool: 50_000, probables: grid };
    expect(await recordExactaSnapshot(db, snap)).toEqual({ changed: true, rows: 132 });
    const before = await dump();
    expect(await recordExactaSnapshot(db, snap)).toEqual({ changed: false, rows: 0 });
    expect(await dump()).toEqual(before);
  });

  it("with an unknown runner in the grid, throws UnknownRunnerError and writes nothing", async () => {
    const before = await dump();
    const grid = exactaGrid(programs, () => 20);
    grid[100] = { first: "99", second: "1", payout: 20 };
    const error = await recordExactaSnapshot(db, { ...BIG, fetchedAt: at(1), probables: grid }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnknownRunnerError);
    expect((error as UnknownRunnerError).programNumber).toBe("99");
    expect(await dump()).toEqual(before);
    await expect(
      recordExactaSnapshot(db, { ...BIG, raceNumber: 8, fetchedAt: at(1), probables: grid.slice(0, 3) }),
    ).rejects.toThrow(UnknownRaceError);
    expect(await dump()).toEqual(before);
  });

  it("refuses a combination naming one runner twice or a negative payout", async () => {
    await expect(
      recordExactaSnapshot(db, {
        ...BIG,
        fetchedAt: at(1),
        probables: [{ first: "2", second: "2", payout: 5 }],
      }),
    ).rejects.toThrow(/combination 2-2 names one runner twice/);
    await expect(
      recordExactaSnapshot(db, {
        ...BIG,
        fetchedAt: at(1),
        probables: [{ first: "2", second: "3", payout: -5 }],
      }),
    ).rejects.toThrow(/combination 2-3 has payout -5/);
  });

  it("an exacta snapshot that fails half-way leaves nothing behind", async () => {
    const removeTrigger = await failInserts(db, "exacta_probable", "NEW.payout = 777");
    try {
      const before = await dump();
      await expect(
        recordExactaSnapshot(db, {
          ...BIG,
          fetchedAt: at(2),
          probables: exactaGrid(programs, (i) => (i === 80 ? 777 : 30)),
        }),
      ).rejects.toThrow(/injected failure/);
      expect(await dump()).toEqual(before);
    } finally {
      await removeTrigger();
    }
    expect(await openTransactions(db)).toBe(0);
  });
});

describe("latestOddsForRace", () => {
  let raceId = 0;
  const ids = new Map<string, number>();

  beforeAll(async () => {
    raceId = (await findRace(db, BOARD))!.raceId;
    for (const e of await entriesForRace(db, raceId)) ids.set(e.programNumber, e.entryId);
    // Three snapshots; the newest one misses runner 2 (its newest row is then the second one).
    await recordWinSnapshot(db, {
      ...BOARD,
      fetchedAt: at(0),
      totalWinPool: 10_000,
      runners: [
        { programNumber: "1", winOdds: 2 },
        { programNumber: "1A", winOdds: 4 },
        { programNumber: "2", winOdds: 3 },
        { programNumber: "10", winOdds: 9 },
      ],
    });
    await recordWinSnapshot(db, {
      ...BOARD,
      fetchedAt: at(5),
      totalWinPool: 20_000,
      runners: [
        { programNumber: "1", winOdds: 1.8 },
        { programNumber: "1A", winOdds: 4.5 },
        { programNumber: "2", winOdds: 2.5, winPoolAmount: 5_000 },
        { programNumber: "10", winOdds: 11 },
      ],
    });
    // Written out of time order: an older observation arriving late must not win.
    await recordWinSnapshot(db, {
      ...BOARD,
      fetchedAt: at(10),
      totalWinPool: 30_000,
      runners: [
        { programNumber: "1", winOdds: 1.5, winPoolAmount: 12_000 },
        { programNumber: "1A", winOdds: 5 },
        { programNumber: "10", winOdds: 12 },
      ],
    });
    await recordWinSnapshot(db, {
      ...BOARD,
      fetchedAt: at(3),
      runners: [
        { programNumber: "1", winOdds: 99 },
        { programNumber: "2", winOdds: 99 },
      ],
    });
  });

  it("returns each entry's newest row, entries without odds included, in program order 1, 1A, 2, 3, 4, 10", async () => {
    const board = await latestOddsForRace(db, raceId);
    expect(board.map((r) => r.programNumber)).toEqual(["1", "1A", "2", "3", "4", "10"]);
    expect(board.map((r) => [r.programNumber, r.winOdds, r.fetchedAt?.toISOString() ?? null])).toEqual([
      ["1", 1.5, at(10).toISOString()],
      ["1A", 5, at(10).toISOString()],
      ["2", 2.5, at(5).toISOString()],
      ["3", null, null],
      ["4", null, null],
      ["10", 12, at(10).toISOString()],
    ]);
    expect(board[0]).toEqual({
      entryId: ids.get("1"),
      programNumber: "1",
      horse: "Number One",
      morningLineOdds: 1.5,
      scratched: false,
      fetchedAt: at(10),
      winOdds: 1.5,
      winOddsDecimal: 2.5,
      winPoolAmount: 12_000,
      totalWinPool: 30_000,
    });
    expect(board[2]).toMatchObject({ winPoolAmount: 5_000, totalWinPool: 20_000 });
  });

  it("marks the scratched entry and keeps it on the board", async () => {
    const board = await latestOddsForRace(db, raceId);
    expect(board.filter((r) => r.scratched).map((r) => [r.programNumber, r.horse])).toEqual([
      ["3", "No Show"],
    ]);
  });

  it("is empty for a race id that does not exist", async () => {
    expect(await latestOddsForRace(db, 987_654)).toEqual([]);
  });

  it("oddsHistoryForEntry returns the entry's rows oldest first, range bounds inclusive", async () => {
    const entryId = ids.get("1")!;
    const all = await oddsHistoryForEntry(db, entryId);
    expect(all.map((p) => [p.fetchedAt.toISOString(), p.winOdds])).toEqual([
      [at(0).toISOString(), 2],
      [at(3).toISOString(), 99],
      [at(5).toISOString(), 1.8],
      [at(10).toISOString(), 1.5],
    ]);
    expect(all.every((p) => p.entryId === entryId && p.raceId === raceId && p.programNumber === "1")).toBe(
      true,
    );
    expect(
      (await oddsHistoryForEntry(db, entryId, { from: at(3), to: at(5) })).map((p) => p.winOdds),
    ).toEqual([99, 1.8]);
    expect((await oddsHistoryForEntry(db, entryId, { from: at(5) })).map((p) => p.winOdds)).toEqual([
      1.8, 1.5,
    ]);
    expect((await oddsHistoryForEntry(db, entryId, { to: at(0) })).map((p) => p.winOdds)).toEqual([2]);
    expect(await oddsHistoryForEntry(db, entryId, { from: at(6), to: at(9) })).toEqual([]);
    expect(await oddsHistoryForEntry(db, ids.get("4")!)).toEqual([]);
  });

  it("oddsHistoryForRace returns every runner's rows by time then entry, range bounds inclusive", async () => {
    const all = await oddsHistoryForRace(db, raceId);
    expect(all).toHaveLength(4 + 4 + 3 + 2);
    const inRange = await oddsHistoryForRace(db, raceId, { from: at(3), to: at(5) });
    // Within one instant by entry id: the card listed 10, 2, 1A, 1, 3, 4 in that order.
    expect(inRange.map((p) => `${p.fetchedAt.getUTCMinutes()}:${p.programNumber}`)).toEqual([
      "3:2",
      "3:1",
      "5:10",
      "5:2",
      "5:1A",
      "5:1",
    ]);
    expect(
      (await oddsHistoryForRace(db, raceId, { from: at(10), to: at(10) })).map((p) => p.programNumber).sort(),
    ).toEqual(["1", "10", "1A"]);
  });
});

describe("latestExactaGrid", () => {
  let raceId = 0;
  const programs = ["1", "1A", "2", "10"];

  beforeAll(async () => {
    raceId = (await findRace(db, BOARD))!.raceId;
  });

  it("is null for a race without exacta rows", async () => {
    expect(await latestExactaGrid(db, raceId)).toBeNull();
  });

  it("returns the newest grid only, whole", async () => {
    await recordExactaSnapshot(db, {
      ...BOARD,
      fetchedAt: at(0),
      totalExactaPool: 1_000,
      probables: exactaGrid(programs, () => 50),
    });
    await recordExactaSnapshot(db, {
      ...BOARD,
      fetchedAt: at(10),
      totalExactaPool: 3_000,
      probables: exactaGrid(programs, (i) => 20 + i),
    });
    // Late, older grid: must not replace the newest.
    await recordExactaSnapshot(db, {
      ...BOARD,
      fetchedAt: at(5),
      totalExactaPool: 2_000,
      probables: exactaGrid(programs, () => 70),
    });
    const grid = await latestExactaGrid(db, raceId);
    expect(grid?.fetchedAt.toISOString()).toBe(at(10).toISOString());
    expect(grid?.totalExactaPool).toBe(3_000);
    expect(grid?.raceId).toBe(raceId);
    expect(grid?.probables).toHaveLength(12);
    expect(grid?.probables.map((p) => p.payout)).toEqual(Array.from({ length: 12 }, (_, i) => 20 + i));
    expect(grid?.probables[0]).toMatchObject({ first: "1", second: "1A" });
  });
});
