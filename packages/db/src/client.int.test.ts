import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "./client.js";
import { Prisma } from "./generated/prisma/client.js";
import { createAlert } from "./queries/alerts.js";
import { recordWinSnapshot } from "./queries/odds.js";
import { applyRaceCard } from "./queries/races.js";
import { createTestDb } from "../testing/index.js";
import { toDbTime } from "./time.js";

let db: Db;

beforeAll(() => {
  db = createTestDb("client");
});
afterAll(async () => {
  await db.close();
});

const T0 = new Date("2025-09-13T16:00:00Z");

async function knownError(work: () => Promise<unknown>): Promise<Prisma.PrismaClientKnownRequestError> {
  const error = await db.exclusive(work).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
  return error as Prisma.PrismaClientKnownRequestError;
}

const count = (table: string) =>
  (db.sql.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe("CRUD for every model", () => {
  it("Track: create, read, update, delete", async () => {
    const created = await db.exclusive(() =>
      db.prisma.track.create({ data: { name: "Saratoga", code: "SAR", url: "https://example.test/sar" } }),
    );
    expect(created).toMatchObject({ name: "Saratoga", code: "SAR", timezone: "America/New_York" });
    expect(created.createdAt).toBeInstanceOf(Date);
    const updated = await db.exclusive(() =>
      db.prisma.track.update({
        where: { id: created.id },
        data: { timezone: "America/Chicago", code: "SA" },
      }),
    );
    expect(updated).toMatchObject({ timezone: "America/Chicago", code: "SA" });
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
    expect(await db.exclusive(() => db.prisma.track.findUnique({ where: { name: "Saratoga" } }))).toEqual(
      updated,
    );
    await db.exclusive(() => db.prisma.track.delete({ where: { id: created.id } }));
    expect(await db.exclusive(() => db.prisma.track.findUnique({ where: { id: created.id } }))).toBeNull();
  });

  it("Race, Horse, Entry: nested create, read with relations, update, delete children first", async () => {
    const race = await db.exclusive(() =>
      db.prisma.race.create({
        data: {
          raceDate: "2025-09-13",
          raceNumber: 3,
          postTime: new Date("2025-09-13T18:05:00Z"),
          track: { create: { name: "Keeneland", code: "KEE" } },
          entries: {
            create: [
              {
                programNumber: "1",
                horse: { create: { name: "First Light" } },
                morningLineOdds: 2.5,
                jockey: "J One",
              },
              { programNumber: "2", horse: { create: { name: "Second Wind" } }, trainer: "T Two" },
            ],
          },
        },
        include: { track: true, entries: { include: { horse: true }, orderBy: { programNumber: "asc" } } },
      }),
    );
    expect(race.status).toBe("scheduled");
    expect(race.track.name).toBe("Keeneland");
    expect(race.postTime?.toISOString()).toBe("2025-09-13T18:05:00.000Z");
    expect(race.entries.map((e) => [e.programNumber, e.horse.name, e.morningLineOdds, e.scratched])).toEqual([
      ["1", "First Light", 2.5, false],
      ["2", "Second Wind", null, false],
    ]);

    const [first, second] = race.entries;
    await db.exclusive(() =>
      db.prisma.entry.update({ where: { id: second!.id }, data: { scratched: true, jockey: "J Two" } }),
    );
    await db.exclusive(() => db.prisma.race.update({ where: { id: race.id }, data: { status: "open" } }));
    await db.exclusive(() =>
      db.prisma.horse.update({ where: { id: first!.horseId }, data: { name: "First Light (IRE)" } }),
    );
    const reread = await db.exclusive(() =>
      db.prisma.race.findUniqueOrThrow({
        where: {
          trackId_raceDate_raceNumber: { trackId: race.trackId, raceDate: "2025-09-13", raceNumber: 3 },
        },
        include: { entries: { include: { horse: true }, orderBy: { programNumber: "asc" } } },
      }),
    );
    expect(reread.status).toBe("open");
    expect(reread.entries.map((e) => [e.horse.name, e.scratched, e.jockey])).toEqual([
      ["First Light (IRE)", false, "J One"],
      ["Second Wind", true, "J Two"],
    ]);

    await db.exclusive(async () => {
      await db.prisma.entry.deleteMany({ where: { raceId: race.id } });
      await db.prisma.horse.deleteMany({ where: { id: { in: [first!.horseId, second!.horseId] } } });
      await db.prisma.race.delete({ where: { id: race.id } });
      await db.prisma.track.delete({ where: { id: race.trackId } });
    });
    expect(await db.exclusive(() => db.prisma.race.findUnique({ where: { id: race.id } }))).toBeNull();
    expect(
      await db.exclusive(() => db.prisma.horse.count({ where: { name: { startsWith: "First Light" } } })),
    ).toBe(0);
  });

  it("OddsSnapshot and ExactaProbable: create, read, update, delete", async () => {
    const race = await db.exclusive(() =>
      db.prisma.race.create({
        data: {
          raceDate: "2025-09-14",
          raceNumber: 1,
          track: { create: { name: "Gulfstream Park" } },
          entries: { create: [{ programNumber: "4", horse: { create: { name: "Pool Shark" } } }] },
        },
        include: { entries: true },
      }),
    );
    const entryId = race.entries[0]!.id;
    const odds = await db.exclusive(() =>
      db.prisma.oddsSnapshot.create({
        data: {
          raceId: race.id,
          entryId,
          fetchedAt: T0,
          winOdds: 4,
          winOddsDecimal: 5,
          winPoolAmount: 1_000,
          totalWinPool: 9_000,
        },
      }),
    );
    expect(odds).toMatchObject({ winOdds: 4, winOddsDecimal: 5, winPoolAmount: 1_000, totalWinPool: 9_000 });
    expect(odds.fetchedAt.toISOString()).toBe(T0.toISOString());
    const exacta = await db.exclusive(() =>
      db.prisma.exactaProbable.create({
        data: {
          raceId: race.id,
          fetchedAt: T0,
          firstHorse: "4",
          secondHorse: "1",
          payout: 41.2,
          totalExactaPool: 5_000,
        },
      }),
    );
    await db.exclusive(async () => {
      await db.prisma.oddsSnapshot.update({
        where: { id: odds.id },
        data: { winOdds: 3.5, winOddsDecimal: 4.5 },
      });
      await db.prisma.exactaProbable.update({ where: { id: exacta.id }, data: { payout: 39.8 } });
    });
    expect(
      await db.exclusive(() => db.prisma.oddsSnapshot.findUniqueOrThrow({ where: { id: odds.id } })),
    ).toMatchObject({
      winOdds: 3.5,
      winOddsDecimal: 4.5,
    });
    expect(
      await db.exclusive(() => db.prisma.exactaProbable.findUniqueOrThrow({ where: { id: exacta.id } })),
    ).toMatchObject({ payout: 39.8, firstHorse: "4", secondHorse: "1" });
    await db.exclusive(async () => {
      await db.prisma.oddsSnapshot.delete({ where: { id: odds.id } });
      await db.prisma.exactaProbable.delete({ where: { id: exacta.id } });
    });
    expect(await db.exclusive(() => db.prisma.oddsSnapshot.count({ where: { raceId: race.id } }))).toBe(0);
    expect(await db.exclusive(() => db.prisma.exactaProbable.count({ where: { raceId: race.id } }))).toBe(0);
  });

  it("Alert, AlertDelivery, Cursor: create, read, update, delete (deliveries go with their alert)", async () => {
    const alert = await db.exclusive(() =>
      db.prisma.alert.create({
        data: {
          triggeredAt: T0,
          alertType: "odds_drop",
          message: "4 shortened",
          dedupeKey: "crud:1",
          deliveries: { create: [{ channel: "email" }, { channel: "log" }] },
        },
        include: { deliveries: true },
      }),
    );
    expect(alert.sent).toBe(false);
    expect(alert.deliveries.map((d) => [d.channel, d.attempts])).toEqual([
      ["email", 0],
      ["log", 0],
    ]);
    await db.exclusive(() =>
      db.prisma.alertDelivery.update({
        where: { alertId_channel: { alertId: alert.id, channel: "email" } },
        data: { attempts: { increment: 1 }, lastError: "SMTP 451" },
      }),
    );
    await db.exclusive(() =>
      db.prisma.alert.update({
        where: { id: alert.id },
        data: { sent: true, sentAt: new Date("2025-09-13T16:01:00Z") },
      }),
    );
    const reread = await db.exclusive(() =>
      db.prisma.alert.findUniqueOrThrow({
        where: { dedupeKey: "crud:1" },
        include: { deliveries: { orderBy: { channel: "asc" } } },
      }),
    );
    expect(reread.sent).toBe(true);
    expect(reread.sentAt?.toISOString()).toBe("2025-09-13T16:01:00.000Z");
    expect(reread.deliveries[0]).toMatchObject({ channel: "email", attempts: 1, lastError: "SMTP 451" });

    await db.exclusive(() => db.prisma.alert.delete({ where: { id: alert.id } }));
    expect(await db.exclusive(() => db.prisma.alertDelivery.count({ where: { alertId: alert.id } }))).toBe(0);

    await db.exclusive(() => db.prisma.cursor.create({ data: { name: "crud", position: 5 } }));
    await db.exclusive(() => db.prisma.cursor.update({ where: { name: "crud" }, data: { position: 7 } }));
    expect(
      (await db.exclusive(() => db.prisma.cursor.findUniqueOrThrow({ where: { name: "crud" } }))).position,
    ).toBe(7);
    await db.exclusive(() => db.prisma.cursor.delete({ where: { name: "crud" } }));
    expect(await db.exclusive(() => db.prisma.cursor.findUnique({ where: { name: "crud" } }))).toBeNull();
  });
});

describe("unique keys reject duplicates (P2002)", () => {
  let raceId = 0;
  let trackId = 0;
  let entryId = 0;
  let horseId = 0;

  beforeAll(async () => {
    await applyRaceCard(db, {
      track: "Dup Downs",
      raceDate: "2025-09-13",
      raceNumber: 1,
      entries: [
        { programNumber: "1", horse: "Dup One" },
        { programNumber: "2", horse: "Dup Two" },
      ],
    });
    const entry = await db.exclusive(() =>
      db.prisma.entry.findFirstOrThrow({
        where: { programNumber: "1", race: { track: { name: "Dup Downs" } } },
        include: { race: true },
      }),
    );
    raceId = entry.raceId;
    trackId = entry.race.trackId;
    entryId = entry.id;
    horseId = entry.horseId;
  });

  const duplicates: Array<[string, () => Promise<unknown>, string]> = [
    ["track name", () => db.prisma.track.create({ data: { name: "Dup Downs" } }), "track"],
    [
      "race (track, date, number)",
      () => db.prisma.race.create({ data: { trackId, raceDate: "2025-09-13", raceNumber: 1 } }),
      "race",
    ],
    ["horse name", () => db.prisma.horse.create({ data: { name: "Dup Two" } }), "horse"],
    [
      "entry (race, program number)",
      () => db.prisma.entry.create({ data: { raceId, horseId, programNumber: "2" } }),
      "entry",
    ],
  ];

  it.each(duplicates)("rejects a duplicate %s", async (_label, create, table) => {
    const before = count(table);
    const error = await knownError(create);
    expect(error.code).toBe("P2002");
    expect(count(table)).toBe(before);
  });

  it("rejects a duplicate odds observation (entry, fetched_at), also across the raw and Prisma paths", async () => {
    await recordWinSnapshot(db, {
      track: "Dup Downs",
      raceDate: "2025-09-13",
      raceNumber: 1,
      fetchedAt: T0,
      runners: [{ programNumber: "1", winOdds: 2 }],
    });
    // Same instant written by Prisma: the stored text must match the raw path's, so the UNIQUE catches it.
    const error = await knownError(() =>
      db.prisma.oddsSnapshot.create({ data: { raceId, entryId, fetchedAt: T0, winOdds: 9 } }),
    );
    expect(error.code).toBe("P2002");
    expect(() =>
      db.sql
        .prepare(`INSERT INTO odds_snapshot (race_id, entry_id, fetched_at, win_odds) VALUES (?, ?, ?, 9)`)
        .run(raceId, entryId, toDbTime(T0)),
    ).toThrow(/UNIQUE constraint failed: odds_snapshot.entry_id, odds_snapshot.fetched_at/);
    expect(db.sql.prepare(`SELECT win_odds FROM odds_snapshot WHERE entry_id = ?`).all(entryId)).toEqual([
      { win_odds: 2 },
    ]);
  });

  it("rejects a duplicate exacta probable (race, fetched_at, first, second)", async () => {
    const data = { raceId, fetchedAt: T0, firstHorse: "1", secondHorse: "2", payout: 12 };
    await db.exclusive(() => db.prisma.exactaProbable.create({ data }));
    expect(
      (await knownError(() => db.prisma.exactaProbable.create({ data: { ...data, payout: 14 } }))).code,
    ).toBe("P2002");
    // the reverse order is a different combination
    await db.exclusive(() =>
      db.prisma.exactaProbable.create({ data: { ...data, firstHorse: "2", secondHorse: "1" } }),
    );
    expect(await db.exclusive(() => db.prisma.exactaProbable.count({ where: { raceId } }))).toBe(2);
  });

  it("rejects a duplicate alert dedupe key and an alert's second delivery row per channel", async () => {
    const data = { triggeredAt: T0, alertType: "t", message: "m", dedupeKey: "dup:1" };
    const alert = await db.exclusive(() => db.prisma.alert.create({ data }));
    expect(
      (await knownError(() => db.prisma.alert.create({ data: { ...data, message: "other" } }))).code,
    ).toBe("P2002");
    await db.exclusive(() =>
      db.prisma.alertDelivery.create({ data: { alertId: alert.id, channel: "email" } }),
    );
    expect(
      (
        await knownError(() =>
          db.prisma.alertDelivery.create({ data: { alertId: alert.id, channel: "email" } }),
        )
      ).code,
    ).toBe("P2002");
  });
});

describe("transactions", () => {
  it("a transaction that throws half-way leaves nothing behind", async () => {
    const before = { track: count("track"), race: count("race"), alert: count("alert") };
    const failure = new Error("feed went away mid-card");
    await expect(
      db.transaction(async (tx) => {
        const track = await tx.track.create({ data: { name: "Half Way Park" } });
        await tx.race.create({ data: { trackId: track.id, raceDate: "2025-09-13", raceNumber: 1 } });
        await tx.alert.create({
          data: { triggeredAt: T0, alertType: "t", message: "m", dedupeKey: "half:1" },
        });
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect({ track: count("track"), race: count("race"), alert: count("alert") }).toEqual(before);
    expect(
      await db.exclusive(() => db.prisma.track.findUnique({ where: { name: "Half Way Park" } })),
    ).toBeNull();
  });

  it("a transaction that hits a constraint half-way leaves nothing behind", async () => {
    const before = count("track");
    const error = await db
      .transaction(async (tx) => {
        await tx.track.create({ data: { name: "Constraint Park" } });
        await tx.track.create({ data: { name: "Constraint Park" } });
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    expect((error as Prisma.PrismaClientKnownRequestError).code).toBe("P2002");
    expect(count("track")).toBe(before);
  });

  it("a transaction that resolves commits all of its writes and returns its value", async () => {
    const id = await db.transaction(async (tx) => {
      const track = await tx.track.create({ data: { name: "Commit Park" } });
      await tx.race.create({ data: { trackId: track.id, raceDate: "2025-09-13", raceNumber: 1 } });
      return track.id;
    });
    expect(await db.exclusive(() => db.prisma.race.count({ where: { trackId: id } }))).toBe(1);
  });

  it("isolation: an outside createAlert during an open transaction survives that transaction's rollback", async () => {
    let markWritten!: () => void;
    const written = new Promise<void>((resolve) => (markWritten = resolve));
    const rollback = new Error("rolled back on purpose");
    const inside = db.transaction(async (tx) => {
      await tx.alert.create({
        data: { triggeredAt: T0, alertType: "t", message: "inside", dedupeKey: "iso:inside" },
      });
      markWritten();
      await sleep(150);
      throw rollback;
    });
    await written;
    // Sent while the transaction is open; without the client's mutex the adapter
    // would run it inside that transaction and lose it in the rollback (PRISMA.md).
    const outside = createAlert(db, {
      triggeredAt: T0,
      alertType: "t",
      message: "outside",
      dedupeKey: "iso:outside",
    });
    await expect(inside).rejects.toBe(rollback);
    const { created } = await outside;
    expect(created).toBe(true);
    const keys = (
      await db.exclusive(() => db.prisma.alert.findMany({ where: { dedupeKey: { startsWith: "iso:" } } }))
    ).map((a) => a.dedupeKey);
    expect(keys).toEqual(["iso:outside"]);
  });

  it("isolation: outside raw SQL, raw-path helpers and reads neither join nor see an open transaction", async () => {
    // Seen without the mutex: Prisma's model queries wait for the adapter's
    // transaction lock, but $executeRawUnsafe/$queryRawUnsafe run inside the open
    // transaction (lost in its rollback / see its uncommitted rows), and the raw
    // connection would block the event loop on the write lock. The client's
    // mutex is what keeps all of these apart.
    await applyRaceCard(db, {
      track: "Iso Park",
      raceDate: "2025-09-13",
      raceNumber: 1,
      entries: [{ programNumber: "1", horse: "Iso One" }],
    });
    let markWritten!: () => void;
    const written = new Promise<void>((resolve) => (markWritten = resolve));
    const inside = db.transaction(async (tx) => {
      await tx.cursor.create({ data: { name: "iso-inside", position: 1 } });
      markWritten();
      await sleep(150);
      throw new Error("rolled back on purpose");
    });
    await written;
    const rawWrite = db.exclusive(() =>
      db.prisma.$executeRawUnsafe(`INSERT INTO cursor (name, position) VALUES ('iso-outside', 2)`),
    );
    const rawRead = db.exclusive(() =>
      db.prisma.$queryRawUnsafe<Array<{ name: string }>>(
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
    expect(db.sql.prepare(`SELECT name FROM cursor WHERE name LIKE 'iso-%'`).all()).toEqual([
      { name: "iso-outside" },
    ]);
  });

  it("isolation: many concurrent callers interleaved with a failing transaction all keep their work", async () => {
    const failing = db.transaction(async (tx) => {
      await tx.track.create({ data: { name: "Never Park" } });
      await sleep(50);
      throw new Error("no");
    });
    const others = Array.from({ length: 10 }, (_, i) =>
      createAlert(db, { triggeredAt: T0, alertType: "t", message: `m${i}`, dedupeKey: `many:${i}` }),
    );
    await expect(failing).rejects.toThrow("no");
    await Promise.all(others);
    expect(
      await db.exclusive(() => db.prisma.alert.count({ where: { dedupeKey: { startsWith: "many:" } } })),
    ).toBe(10);
    expect(await db.exclusive(() => db.prisma.track.count({ where: { name: "Never Park" } }))).toBe(0);
  });

  it("exclusive is re-entrant: helpers can be called from inside it", async () => {
    const result = await db.exclusive(async () => {
      await createAlert(db, { triggeredAt: T0, alertType: "t", message: "nested", dedupeKey: "nested:1" });
      return db.exclusive(() => db.prisma.alert.count({ where: { dedupeKey: "nested:1" } }));
    });
    expect(result).toBe(1);
  });

  it("refuses work after close", async () => {
    const other = createTestDb("closed");
    await other.close();
    await expect(other.exclusive(() => 1)).rejects.toThrow(/closed/);
    await other.close(); // closing twice is harmless
  });
});
