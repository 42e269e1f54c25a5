// The client's transactions and its isolation of concurrent callers (`exclusive`), on the real
// write paths: group commits (writeBatch) and evaluation transactions.
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "./client.js";
import { evaluationTransaction } from "./queries/evaluation/view.js";
import { recordWinSnapshot } from "./queries/odds.js";
import { applyRaceCard } from "./queries/races.js";
import { createTestDb } from "../testing/index.js";
import { writeBatch } from "./write-batch.js";
import { connectionOf, prismaOf } from "./connection.js";

let db: Db;

beforeAll(() => {
  db = createTestDb("client");
});
afterAll(async () => {
  await db.close();
});

const T0 = new Date("2025-09-13T16:00:00Z");

const count = (table: string) =>
  (connectionOf(db).prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe("transactions", () => {
  /** Stores an alert the one way alerts are stored (one evaluation transaction). */
  const storeAlert = (dedupeKey: string, raceId: number | null = null) =>
    evaluationTransaction(db, (tx) =>
      tx.storeAlert({ triggeredAt: T0, alertType: "t", message: dedupeKey, dedupeKey, raceId }, [], T0),
    );
  const card = (track: string) =>
    applyRaceCard(db, {
      track,
      raceDate: "2025-09-13",
      raceNumber: 1,
      entries: [{ programNumber: "1", horse: `${track} One` }],
    });

  it("a transaction that throws half-way leaves nothing behind", async () => {
    const before = { track: count("track"), race: count("race"), alert: count("alert") };
    const failure = new Error("feed went away mid-card");
    await expect(
      writeBatch(db, async () => {
        await card("Half Way Park");
        await storeAlert("half:1");
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect({ track: count("track"), race: count("race"), alert: count("alert") }).toEqual(before);
    expect(
      await db.exclusive(() => prismaOf(db).track.findUnique({ where: { name: "Half Way Park" } })),
    ).toBeNull();
  });

  it("a transaction that hits a constraint half-way leaves nothing behind", async () => {
    const before = { track: count("track"), alert: count("alert") };
    const error = await writeBatch(db, async () => {
      await card("Constraint Park");
      await storeAlert("constraint:1", 999_999);
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "SQLITE_CONSTRAINT_FOREIGNKEY" });
    expect({ track: count("track"), alert: count("alert") }).toEqual(before);
  });

  it("a transaction that resolves commits all of its writes and returns its value", async () => {
    const alertId = await writeBatch(db, async () => {
      await card("Commit Park");
      return (await storeAlert("commit:1")).alertId;
    });
    expect(
      await db.exclusive(() => prismaOf(db).race.count({ where: { track: { name: "Commit Park" } } })),
    ).toBe(1);
    expect(
      (await db.exclusive(() => prismaOf(db).alert.findUniqueOrThrow({ where: { id: alertId } }))).dedupeKey,
    ).toBe("commit:1");
  });

  it("isolation: an outside storeAlert during an open transaction survives that transaction's rollback", async () => {
    let markWritten!: () => void;
    const written = new Promise<void>((resolve) => (markWritten = resolve));
    const rollback = new Error("rolled back on purpose");
    const inside = writeBatch(db, async () => {
      await storeAlert("iso:inside");
      markWritten();
      await sleep(150);
      throw rollback;
    });
    await written;
    // Sent while the transaction is open; without the client's mutex it would run on the
    // same raw connection inside that transaction and be lost in its rollback.
    const outside = storeAlert("iso:outside");
    await expect(inside).rejects.toBe(rollback);
    const { created } = await outside;
    expect(created).toBe(true);
    const keys = (
      await db.exclusive(() => prismaOf(db).alert.findMany({ where: { dedupeKey: { startsWith: "iso:" } } }))
    ).map((a) => a.dedupeKey);
    expect(keys).toEqual(["iso:outside"]);
  });

  it("isolation: outside raw SQL, raw-path helpers and reads neither join nor see an open transaction", async () => {
    // Seen without the mutex: a raw-path helper would run inside the open transaction on the
    // shared connection (lost in its rollback), and Prisma's connection would block the event
    // loop on the write lock that transaction holds. The client's mutex keeps all of these apart.
    await card("Iso Park");
    let markWritten!: () => void;
    const written = new Promise<void>((resolve) => (markWritten = resolve));
    const inside = writeBatch(db, async () => {
      await evaluationTransaction(db, (tx) => tx.setCursor("iso-inside", 1, T0));
      markWritten();
      await sleep(150);
      throw new Error("rolled back on purpose");
    });
    await written;
    const rawWrite = db.exclusive(() =>
      prismaOf(db).$executeRawUnsafe(`INSERT INTO cursor (name, position) VALUES ('iso-outside', 2)`),
    );
    const rawRead = db.exclusive(() =>
      prismaOf(db).$queryRawUnsafe<Array<{ name: string }>>(
        `SELECT name FROM cursor WHERE name LIKE 'iso-%' ORDER BY name`,
      ),
    );
    const snapshot = recordWinSnapshot(db, {
      track: "Iso Park",
      raceDate: "2025-09-13",
      raceNumber: 1,
      fetchedAt: T0,
      runners: [{ programNumber: "1", winOdds: 3 }],
    });
    await expect(inside).rejects.toThrow("rolled back on purpose");
    expect(await rawWrite).toBe(1);
    expect((await rawRead).map((r) => r.name)).toEqual(["iso-outside"]);
    expect(await snapshot).toEqual({ changed: true, rows: 1 });
    expect(connectionOf(db).prepare(`SELECT name FROM cursor WHERE name LIKE 'iso-%'`).all()).toEqual([
      { name: "iso-outside" },
    ]);
  });

  it("isolation: many concurrent callers interleaved with a failing transaction all keep their work", async () => {
    const failing = writeBatch(db, async () => {
      await card("Never Park");
      await sleep(50);
      throw new Error("no");
    });
    const others = Array.from({ length: 10 }, (_, i) => storeAlert(`many:${i}`));
    await expect(failing).rejects.toThrow("no");
    await Promise.all(others);
    expect(
      await db.exclusive(() => prismaOf(db).alert.count({ where: { dedupeKey: { startsWith: "many:" } } })),
    ).toBe(10);
    expect(await db.exclusive(() => prismaOf(db).track.count({ where: { name: "Never Park" } }))).toBe(0);
  });

  it("exclusive is re-entrant: helpers can be called from inside it", async () => {
    const result = await db.exclusive(async () => {
      await storeAlert("nested:1");
      return db.exclusive(() => prismaOf(db).alert.count({ where: { dedupeKey: "nested:1" } }));
    });
    expect(result).toBe(1);
  });

  it("names no engine: the handle is its file, exclusive and close; the connections stay inside the package", async () => {
    expect(Object.keys(db).sort()).toEqual(["close", "exclusive", "path"]);
    expect(connectionOf(db).open).toBe(true);
    expect(() => connectionOf({ ...db })).toThrow(/not a database client made by createDb/);
  });

  it("refuses work after close", async () => {
    const other = createTestDb("closed");
    await other.close();
    await expect(other.exclusive(() => 1)).rejects.toThrow(/closed/);
    await other.close(); // closing twice is harmless
  });
});
