/**
 * snapshotPipeline on a migrated database (both engines): what groups sent without waiting store
 * is what the one-at-a-time helpers store; a refused group sends nothing and the pipeline goes
 * on; a statement that fails fails the pipeline with its own error, nothing sent in it stored.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Db } from "../client.js";
import { UnknownRaceError, UnknownRunnerError, InvalidInputError } from "../errors.js";
import {
  createTestDb,
  dumpTables,
  failInserts,
  openTransactions,
  queryRows,
  rowCount,
} from "../../testing/index.js";
import { recordExactaSnapshot } from "./exacta.js";
import { recordWinSnapshot } from "./odds.js";
import { applyRaceCard, type RaceKey } from "./races.js";
import { snapshotPipeline, type SnapshotInput } from "./snapshots.js";

const opened: Db[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

const RACE: RaceKey = { track: "Keeneland", raceDate: "2025-10-04", raceNumber: 7 };
const at = (minute: number) => new Date(Date.UTC(2025, 9, 4, 21, minute));

async function withCard(label: string): Promise<Db> {
  const db = createTestDb(label);
  opened.push(db);
  await applyRaceCard(db, {
    ...RACE,
    entries: ["Ace", "Bolt", "Comet", "Dash"].map((horse, i) => ({
      programNumber: String(i + 1),
      horse,
      morningLineOdds: i + 2,
    })),
  });
  return db;
}

const winBoard = (minute: number, programs: readonly string[], scratched: readonly string[] = []) => ({
  ...RACE,
  fetchedAt: at(minute),
  totalWinPool: 50_000,
  runners: programs.map((programNumber, i) => ({ programNumber, winOdds: 2 + i + minute / 10 })),
  scratched,
});
const board = (
  minute: number,
  programs: readonly string[],
  scratched: readonly string[] = [],
): SnapshotInput => ({
  kind: "win",
  snapshot: winBoard(minute, programs, scratched),
});

const grid = (minute: number, programs: readonly string[], payout = 40): SnapshotInput => ({
  kind: "exacta",
  snapshot: {
    ...RACE,
    fetchedAt: at(minute),
    totalExactaPool: 20_000,
    probables: programs.flatMap((first) =>
      programs.filter((second) => second !== first).map((second) => ({ first, second, payout })),
    ),
  },
});

const one = (db: Db, item: SnapshotInput) =>
  item.kind === "win" ? recordWinSnapshot(db, item.snapshot) : recordExactaSnapshot(db, item.snapshot);

describe("snapshotPipeline", () => {
  it("stores what the one-at-a-time writes store, each with their WriteResult, in two groups in flight", async () => {
    const all = ["1", "2", "3", "4"];
    const three = ["1", "2", "3"];
    const groups: SnapshotInput[][] = [
      // A repeat of the first board inside the same group stores nothing.
      [board(0, all), grid(0, all), board(0, all)],
      // 4 scratched at minute 1 (a scratch write first), then boards that still list it.
      [board(1, three, ["4"]), grid(1, three), board(2, three, ["4"])],
    ];
    const piped = await withCard("snapshots-piped");
    const results = await snapshotPipeline(piped, async (pipeline) => {
      // Both groups sent before either is awaited.
      const sent = [];
      for (const group of groups) sent.push(await pipeline.send(group));
      return Promise.all(sent.map(({ written }) => written));
    });
    expect(results).toEqual([
      [
        { changed: true, rows: 4 }, // 4 runners' odds
        { changed: true, rows: 12 }, // 4 x 3 ordered pairs
        { changed: false, rows: 0 }, // the same board again
      ],
      [
        { changed: true, rows: 4 }, // 3 runners' odds + runner 4's scratch
        { changed: true, rows: 6 }, // 3 x 2 ordered pairs
        { changed: true, rows: 3 }, // 3 runners' odds; 4 already scratched since minute 1
      ],
    ]);

    const single = await withCard("snapshots-single");
    const singleResults = [];
    for (const item of groups.flat()) singleResults.push(await one(single, item));
    expect(singleResults).toEqual(results.flat());
    // The same rows, ids and the scratch's time included.
    expect(await dumpTables(piped)).toEqual(await dumpTables(single));
    expect(await rowCount(piped, "odds_snapshot")).toBe(4 + 3 + 3);
    expect(await rowCount(piped, "exacta_probable")).toBe(12 + 6);
  });

  it("refuses a group with nothing of it sent, and goes on with the next", async () => {
    const db = await withCard("snapshots-refused");
    const refusals = await snapshotPipeline(db, async (pipeline) => {
      const errors: unknown[] = [];
      const refused: SnapshotInput[][] = [
        // A good board first: nothing of the group is sent, so it is not stored either.
        [board(0, ["1", "2"]), board(1, ["1", "9"])],
        [grid(0, ["1", "2"]), { kind: "win", snapshot: { ...winBoard(1, ["1"]), raceNumber: 8 } }],
        [board(0, ["1", "2"]), grid(1, ["1", "2"], -5)],
      ];
      for (const group of refused) errors.push(await pipeline.send(group).catch((error: unknown) => error));
      const { written } = await pipeline.send([board(2, ["1", "2"]), grid(2, ["1", "2"])]);
      expect(await written).toEqual([
        { changed: true, rows: 2 },
        { changed: true, rows: 2 }, // 1-2 and 2-1
      ]);
      return errors;
    });
    expect(refusals[0]).toBeInstanceOf(UnknownRunnerError);
    expect(refusals[1]).toBeInstanceOf(UnknownRaceError);
    expect(refusals[2]).toBeInstanceOf(InvalidInputError);
    expect(await rowCount(db, "odds_snapshot")).toBe(2);
    expect(await rowCount(db, "exacta_probable")).toBe(2);
  });

  it("fails with the statement's own error when one fails, storing nothing sent in it", async () => {
    const db = await withCard("snapshots-failed");
    const removeTrigger = await failInserts(db, "exacta_probable", "NEW.payout = 999");
    try {
      const failed = snapshotPipeline(db, async (pipeline) => {
        await pipeline.send([board(0, ["1", "2", "3"]), grid(0, ["1", "2"], 999)]);
        // Sent behind the failed one (on PostgreSQL it fails too: "current transaction is aborted").
        await pipeline.send([board(1, ["1", "2", "3"])]);
        // A write after it (on PostgreSQL it fails for the same reason, and that is not what is thrown).
        await recordWinSnapshot(db, winBoard(2, ["1"]));
      });
      await expect(failed).rejects.toThrow("injected failure");
    } finally {
      await removeTrigger();
    }
    expect(await rowCount(db, "odds_snapshot")).toBe(0);
    expect(await rowCount(db, "exacta_probable")).toBe(0);
    expect(await openTransactions(db)).toBe(0);
    // A scratch board waits for the inserts sent before it; when one of them failed, send still
    // resolves (a failure of the database is never taken for a refusal) and its group fails.
    const removeAgain = await failInserts(db, "exacta_probable", "NEW.payout = 999");
    try {
      let sendResolved = false;
      const failed = snapshotPipeline(db, async (pipeline) => {
        const { written } = await pipeline.send([grid(0, ["1", "2"], 999), board(1, ["1", "2"], ["3"])]);
        sendResolved = true;
        await expect(written).rejects.toThrow("injected failure");
      });
      await expect(failed).rejects.toThrow("injected failure");
      expect(sendResolved).toBe(true);
    } finally {
      await removeAgain();
    }
    expect(await rowCount(db, "odds_snapshot")).toBe(0);
    expect(await queryRows(db, `SELECT scratched FROM entry WHERE program_number = '3'`)).toEqual([
      { scratched: 0 },
    ]);
    // The client goes on: the same snapshots store now.
    await snapshotPipeline(
      db,
      async (pipeline) => (await pipeline.send([board(0, ["1"]), grid(0, ["1", "2"])])).written,
    );
    expect(await rowCount(db, "odds_snapshot")).toBe(1);
  });
});
