// The alerts engine's batching policy (whole snapshots after a mark, bounded) on a real database (either engine).
import { beforeEach, afterEach, describe, expect, it } from "vitest";
import type { Db } from "../../client.js";
import { createTestDb, queryRows } from "../../../testing/index.js";
import { recordExactaSnapshot } from "../exacta.js";
import { recordWinSnapshot } from "../odds.js";
import { applyRaceCard, findRace, type RaceKey } from "../races.js";
import type { PassLimits, SnapshotBatch } from "./batches.js";
import { evaluationReadTransaction } from "./view.js";

const t = (minute: number) => new Date(Date.UTC(2025, 5, 1, 12, minute));
const race = (raceNumber: number): RaceKey => ({ track: "Testville", raceDate: "2025-06-01", raceNumber });
const PROGRAMS = ["1", "2", "3"];

let db: Db;
const raceIds = new Map<number, number>();
beforeEach(async () => {
  db = createTestDb("batches");
  for (const n of [1, 2]) {
    await applyRaceCard(db, {
      ...race(n),
      entries: PROGRAMS.map((programNumber) => ({ programNumber, horse: `Horse ${n}-${programNumber}` })),
    });
    raceIds.set(n, (await findRace(db, race(n)))!.raceId);
  }
});
afterEach(async () => {
  await db.close();
});

/** Win boards in write order: [race number, minute, runners]. */
async function writeBoards(boards: Array<[number, number, number]>): Promise<void> {
  for (const [n, minute, runners] of boards) {
    await recordWinSnapshot(db, {
      ...race(n),
      fetchedAt: t(minute),
      runners: PROGRAMS.slice(0, runners).map((programNumber) => ({ programNumber, winOdds: 3 })),
    });
  }
}

async function writeGrids(grids: Array<[number, number]>): Promise<void> {
  for (const [n, minute] of grids) {
    await recordExactaSnapshot(db, {
      ...race(n),
      fetchedAt: t(minute),
      probables: [
        { first: "1", second: "2", payout: 12 },
        { first: "2", second: "1", payout: 14 },
      ],
    });
  }
}

const batch = (limits: Partial<PassLimits>, marks = { win: 0, exacta: 0 }) =>
  evaluationReadTransaction(db, (tx) => tx.nextBatch(marks, limits));

/** "race number@minute" of each head, and whether each head's lastId is its snapshot's last row. */
async function describeBatch(read: SnapshotBatch, table: "odds_snapshot" | "exacta_probable") {
  const id = table === "odds_snapshot" ? "snapshot_id" : "exacta_id";
  const numberOf = new Map([...raceIds].map(([n, raceId]) => [raceId, n]));
  const heads: string[] = [];
  for (const head of read.heads) {
    const [last] = await queryRows<{ id: number }>(
      db,
      `SELECT max(${id}) AS id FROM ${table} WHERE race_id = ? AND fetched_at = ?`,
      head.raceId,
      head.fetchedAt.getTime(),
    );
    expect(head.lastId).toBe(last!.id);
    heads.push(`${numberOf.get(head.raceId)}@${head.fetchedAt.getUTCMinutes()}`);
  }
  return {
    heads,
    truncated: read.truncated,
    // pending is a lookup by race, in the engine's GROUP BY order (SQLite sorts, PostgreSQL may hash): by race id.
    pending: [...read.pending]
      .sort(([a], [b]) => a - b)
      .map(([raceId, at]) => `${numberOf.get(raceId)}@${at.getUTCMinutes()}`),
  };
}

describe("nextBatch: win boards", () => {
  it("groups rows into whole snapshots by race and instant, in id order", async () => {
    await writeBoards([
      [1, 0, 3],
      [2, 0, 2],
      [1, 1, 3],
    ]);
    const { win } = await batch({ maxWinRows: 100 });
    expect(await describeBatch(win, "odds_snapshot")).toEqual({
      heads: ["1@0", "2@0", "1@1"],
      truncated: false,
      pending: [],
    });
  });

  it("leaves the snapshot the row bound cuts for the next read, and says what is pending per race", async () => {
    await writeBoards([
      [1, 0, 3],
      [2, 0, 2],
      [1, 1, 3],
    ]);
    // 7 rows: race 1's second board is cut after its first row.
    expect(await describeBatch((await batch({ maxWinRows: 7 })).win, "odds_snapshot")).toEqual({
      heads: ["1@0", "2@0"],
      truncated: true,
      pending: ["1@1"],
    });
    // Exactly at the bound with a whole snapshot last: still left (the next row might belong to it).
    expect(await describeBatch((await batch({ maxWinRows: 5 })).win, "odds_snapshot")).toEqual({
      heads: ["1@0"],
      truncated: true,
      pending: ["1@1", "2@0"],
    });
  });

  it("orders a snapshot completed later (a runner added after another race's board) by its last row", async () => {
    // Race 1's board at minute 0 comes with 2 runners (ids 1-2), race 2's (ids 3-5), then race 1's
    // third runner for that same instant (id 6). The board is one unit, ending at id 6: it goes
    // after race 2's, and a mark at race 2's last id (5) must still leave it pending, never skip it.
    await writeBoards([
      [1, 0, 2],
      [2, 0, 3],
      [1, 0, 3],
    ]);
    const all = (await batch({ maxWinRows: 100 })).win;
    expect(await describeBatch(all, "odds_snapshot")).toEqual({
      heads: ["2@0", "1@0"],
      truncated: false,
      pending: [],
    });
    const afterRace2 = await batch({}, { win: all.heads[0]!.lastId, exacta: 0 });
    expect((await describeBatch(afterRace2.win, "odds_snapshot")).heads).toEqual(["1@0"]);
  });

  it("grows the read until a snapshot bigger than the bound fits", async () => {
    await writeBoards([
      [1, 0, 3],
      [1, 1, 3],
    ]);
    expect(await describeBatch((await batch({ maxWinRows: 2 })).win, "odds_snapshot")).toEqual({
      heads: ["1@0"],
      truncated: true,
      pending: ["1@1"],
    });
  });

  it("reads after the mark only", async () => {
    await writeBoards([
      [1, 0, 3],
      [1, 1, 3],
    ]);
    const first = (await batch({ maxWinRows: 100 })).win.heads[0]!;
    expect(
      await describeBatch((await batch({}, { win: first.lastId, exacta: 0 })).win, "odds_snapshot"),
    ).toEqual({
      heads: ["1@1"],
      truncated: false,
      pending: [],
    });
  });
});

describe("nextBatch: exacta grids", () => {
  it("at most maxExactaGrids whole grids, from at most maxExactaRows rows", async () => {
    await writeGrids([
      [1, 0],
      [2, 0],
      [1, 1],
    ]);
    const read = async (limits: Partial<PassLimits>) =>
      await describeBatch((await batch(limits)).exacta, "exacta_probable");
    expect(await read({})).toEqual({ heads: ["1@0", "2@0", "1@1"], truncated: false, pending: [] });
    expect(await read({ maxExactaGrids: 2 })).toEqual({
      heads: ["1@0", "2@0"],
      truncated: true,
      pending: ["1@1"],
    });
    // 5 rows: the third grid is cut after its first row.
    expect(await read({ maxExactaRows: 5 })).toEqual({
      heads: ["1@0", "2@0"],
      truncated: true,
      pending: ["1@1"],
    });
    // One grid bigger than the row bound: the read grows.
    expect(await read({ maxExactaRows: 1, maxExactaGrids: 1 })).toEqual({
      heads: ["1@0"],
      truncated: true,
      pending: ["1@1", "2@0"],
    });
  });

  it("bounds the two streams separately", async () => {
    await writeBoards([[1, 0, 3]]);
    await writeGrids([[1, 0]]);
    const both = await batch({ maxWinRows: 100 });
    expect((await describeBatch(both.win, "odds_snapshot")).heads).toEqual(["1@0"]);
    expect((await describeBatch(both.exacta, "exacta_probable")).heads).toEqual(["1@0"]);
  });
});

describe("nextBatch: bounds", () => {
  it("refuses a bound that is not a whole number >= 1 (a zero bound would never make progress)", async () => {
    await expect(batch({ maxWinRows: 0 })).rejects.toThrow(/maxWinRows must be a whole number >= 1/);
    await expect(batch({ maxExactaGrids: 1.5 })).rejects.toThrow(/maxExactaGrids/);
  });
});
