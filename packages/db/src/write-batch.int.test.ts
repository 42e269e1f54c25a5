import { mkdtempSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "./client.js";
import { InvalidInputError, UnknownRaceError, UnknownRunnerError } from "./errors.js";
import { recordExactaSnapshot } from "./queries/exacta.js";
import { recordWinSnapshot } from "./queries/odds.js";
import { applyRaceCard, entriesForRace, findRace, type RaceKey } from "./queries/races.js";
import { readTransaction, writeTransaction } from "./sql.js";
import { writeBatch } from "./write-batch.js";
import {
  createTestDb,
  failInserts,
  openTransactions,
  queryRows,
  rowCount,
  testEngine,
} from "../testing/index.js";

let db: Db;
const RACE: RaceKey = { track: "Saratoga", raceDate: "2025-08-02", raceNumber: 3 };
const at = (minute: number) => new Date(Date.UTC(2025, 7, 2, 20, minute));
const count = (table: string) => rowCount(db, table);
const card = (scratched: boolean) => ({
  ...RACE,
  entries: [
    { programNumber: "1", horse: "Alpha", morningLineOdds: 2 },
    { programNumber: "2", horse: "Bravo", morningLineOdds: 3, scratched },
    { programNumber: "3", horse: "Charlie", morningLineOdds: 5 },
  ],
});

beforeAll(async () => {
  db = createTestDb("batch");
  await applyRaceCard(db, card(false));
});
afterAll(() => db.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("transactions nested in one another", () => {
  it("refuse a write inside a read transaction on both engines (it would not take the writers' lock)", async () => {
    const refused = await readTransaction(db, () =>
      writeTransaction(db, (sql) =>
        sql.run(`INSERT INTO cursor (name, position, updated_at) VALUES ('n', 1, 0)`),
      ),
    ).catch((error: Error) => error.message);
    expect(refused).toBe(
      "a write transaction cannot be nested in a read transaction (it would not take the writers' lock)",
    );
    expect(await rowCount(db, "cursor")).toBe(0);
  });
});

describe("writeBatch", () => {
  it("commits the good messages of a batch and rolls back only the one that failed half-way", async () => {
    // Fails the insert of the second row of a snapshot, after its first row went in.
    const removeTrigger = await failInserts(db, "odds_snapshot", "NEW.win_odds = 99");
    const outcomes = await writeBatch(db, async () => {
      const results: string[] = [];
      for (const [minute, program, odds] of [
        [1, "1", 1.5],
        [2, "1", 99],
        [3, "9", 1.5], // not on the card
        [4, "1", 1.5],
      ] as const) {
        try {
          await recordWinSnapshot(db, {
            ...RACE,
            fetchedAt: at(minute),
            runners: [
              { programNumber: "2", winOdds: 4 },
              { programNumber: program, winOdds: odds },
            ],
          });
          results.push("applied");
        } catch (error) {
          results.push(error instanceof UnknownRunnerError ? "unknown runner" : (error as Error).message);
        }
      }
      return results;
    });
    await removeTrigger();
    expect(outcomes).toEqual(["applied", "injected failure", "unknown runner", "applied"]);
    // Minutes 1 and 4, two runners each; minute 2's first row was rolled back with its savepoint.
    const stored = (
      await queryRows<{ fetched_at: number }>(
        db,
        "SELECT fetched_at FROM odds_snapshot ORDER BY fetched_at, entry_id",
      )
    ).map((r) => r.fetched_at);
    expect(stored).toEqual([at(1), at(1), at(4), at(4)].map((d) => d.getTime()));
    expect(await openTransactions(db)).toBe(0);
  });

  it("rolls back the whole batch when the batch itself fails", async () => {
    const before = await count("exacta_probable");
    await expect(
      writeBatch(db, async () => {
        await recordExactaSnapshot(db, {
          ...RACE,
          fetchedAt: at(10),
          probables: [{ first: "1", second: "2", payout: 12 }],
        });
        throw new Error("disk full");
      }),
    ).rejects.toThrow("disk full");
    expect(await count("exacta_probable")).toBe(before);
    expect(await openTransactions(db)).toBe(0);
  });

  // SQLite's one connection lets any other caller (even one running no SQL) in only between batches;
  // PostgreSQL gives each transaction its own pooled connection and serializes writers alone (next test).
  it.skipIf(testEngine() === "postgres")(
    "lets other callers of the client in only between batches",
    async () => {
      const order: string[] = [];
      const batch = writeBatch(db, async () => {
        order.push("batch start");
        await sleep(30);
        order.push("batch end");
      });
      const outside = db.exclusive(() => order.push("outside"));
      await Promise.all([batch, outside]);
      expect(order).toEqual(["batch start", "batch end", "outside"]);
    },
  );

  it("lets another caller's write in only after the batch, which it never sees half-done", async () => {
    // Holds on both engines: writers are serialized (SQLite's one connection; PostgreSQL's advisory lock).
    const order: string[] = [];
    let opened!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    let readDone!: () => void;
    const readFinished = new Promise<void>((resolve) => (readDone = resolve));
    const oddsAt = async (minute: number) =>
      (
        await queryRows<{ n: number }>(
          db,
          `SELECT count(*) AS n FROM odds_snapshot WHERE fetched_at = ?`,
          at(minute).getTime(),
        )
      )[0]!.n;
    const batch = writeBatch(db, async () => {
      order.push("batch start");
      await recordWinSnapshot(db, {
        ...RACE,
        fetchedAt: at(60),
        runners: [{ programNumber: "1", winOdds: 3 }],
      });
      opened();
      await sleep(30);
      // PostgreSQL's reads take no lock: the outside read runs inside this window (wait for it to be sure).
      if (testEngine() === "postgres") await readFinished;
      await recordWinSnapshot(db, {
        ...RACE,
        fetchedAt: at(61),
        runners: [{ programNumber: "1", winOdds: 3 }],
      });
      order.push("batch end");
    });
    await open;
    const write = recordWinSnapshot(db, {
      ...RACE,
      fetchedAt: at(62),
      runners: [{ programNumber: "1", winOdds: 2.5 }],
    }).then((result) => {
      order.push("outside write");
      return result;
    });
    // A read outside the batch never sees it half-done: PostgreSQL's sees none of its rows before the
    // commit, SQLite's waits for the commit (one connection) and sees them all.
    const seen = Promise.all([oddsAt(60), oddsAt(61)]).finally(readDone);
    const [, written, [first, second]] = await Promise.all([batch, write, seen]);
    expect(written).toEqual({ changed: true, rows: 1 });
    expect(order).toEqual(["batch start", "batch end", "outside write"]);
    expect([first, second]).toEqual(testEngine() === "sqlite" ? [1, 1] : [0, 0]);
    expect([await oddsAt(60), await oddsAt(61), await oddsAt(62)]).toEqual([1, 1, 1]);
  });

  it("forgets races created by a batch that rolled back", async () => {
    const ghost: RaceKey = { ...RACE, raceNumber: 9 };
    await expect(
      writeBatch(db, async () => {
        await applyRaceCard(db, { ...ghost, entries: [{ programNumber: "1", horse: "Alpha" }] });
        // Looked up (and cached) inside the batch, then the batch fails.
        await recordWinSnapshot(db, {
          ...ghost,
          fetchedAt: at(30),
          runners: [{ programNumber: "1", winOdds: 2 }],
        });
        throw new Error("power cut");
      }),
    ).rejects.toThrow("power cut");
    expect(await findRace(db, ghost)).toBeNull();
    await expect(
      recordWinSnapshot(db, { ...ghost, fetchedAt: at(31), runners: [{ programNumber: "1", winOdds: 2 }] }),
    ).rejects.toThrow(UnknownRaceError);
  });
});

describe("two clients on one file in one process", () => {
  it("take turns instead of deadlocking on SQLite's write lock", async () => {
    const other = createDb({ url: db.path });
    try {
      const order: string[] = [];
      // A batch that waits on a timer while it holds the write lock (a paced replay does).
      const batch = writeBatch(db, async () => {
        await recordWinSnapshot(db, {
          ...RACE,
          fetchedAt: at(40),
          runners: [{ programNumber: "1", winOdds: 3 }],
        });
        order.push("batch wrote");
        await new Promise((resolve) => setTimeout(resolve, 50));
        order.push("batch done");
      });
      // Meanwhile the other client (the alerts daemon, say) wants to write.
      await new Promise((resolve) => setTimeout(resolve, 10));
      const write = recordWinSnapshot(other, {
        ...RACE,
        fetchedAt: at(41),
        runners: [{ programNumber: "1", winOdds: 2.8 }],
      }).then((result) => {
        order.push("other wrote");
        return result;
      });
      const [, written] = await Promise.all([batch, write]);
      expect(written).toEqual({ changed: true, rows: 1 });
      expect(order).toEqual(["batch wrote", "batch done", "other wrote"]);
    } finally {
      await other.close();
    }
  });

  // A second path to one database file exists on SQLite alone (PostgreSQL has no file to link).
  it.skipIf(testEngine() === "postgres")(
    "share the lock when one reaches the file through a symlink",
    async () => {
      const link = path.join(mkdtempSync(path.join(os.tmpdir(), "totewatch-link-")), "via-link.db");
      symlinkSync(db.path, link);
      const other = createDb({ url: link });
      try {
        const batch = writeBatch(db, async () => {
          await recordWinSnapshot(db, {
            ...RACE,
            fetchedAt: at(50),
            runners: [{ programNumber: "1", winOdds: 3 }],
          });
          await new Promise((resolve) => setTimeout(resolve, 30));
        });
        await new Promise((resolve) => setTimeout(resolve, 5));
        const write = recordWinSnapshot(other, {
          ...RACE,
          fetchedAt: at(51),
          runners: [{ programNumber: "1", winOdds: 2.9 }],
        });
        await expect(Promise.all([batch, write])).resolves.toEqual([undefined, { changed: true, rows: 1 }]);
      } finally {
        await other.close();
      }
    },
  );
});

describe("snapshot input checks", () => {
  it("refuses a win snapshot that lists a runner twice, writing nothing", async () => {
    const before = await count("odds_snapshot");
    await expect(
      recordWinSnapshot(db, {
        ...RACE,
        fetchedAt: at(20),
        runners: [
          { programNumber: "1", winOdds: 2 },
          { programNumber: "1", winOdds: 3 },
        ],
      }),
    ).rejects.toThrow(new InvalidInputError("win snapshot: runner 1 is listed twice"));
    expect(await count("odds_snapshot")).toBe(before);
  });

  it("refuses an exacta snapshot that lists a combination twice", async () => {
    await expect(
      recordExactaSnapshot(db, {
        ...RACE,
        fetchedAt: at(21),
        probables: [
          { first: "1", second: "3", payout: 20 },
          { first: "1", second: "3", payout: 22 },
        ],
      }),
    ).rejects.toThrow("combination 1-3 is listed twice");
  });
});

describe("scratches", () => {
  it("are final: an older card replayed after the scratch does not reinstate the runner", async () => {
    expect((await applyRaceCard(db, card(true))).changed).toBe(true);
    expect((await applyRaceCard(db, card(false))).changed).toBe(false);
    const race = await findRace(db, RACE);
    const entries = await entriesForRace(db, race!.raceId);
    expect(entries.find((e) => e.programNumber === "2")?.scratched).toBe(true);
  });
});
