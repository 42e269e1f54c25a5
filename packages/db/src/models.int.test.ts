// Prisma's typed reads and writes on every model of the real schema (through the client's
// `exclusive`): what packages/db uses Prisma for where a path is not hot.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "./client.js";
import { createTestDb } from "../testing/index.js";
import { prismaOf } from "./connection.js";

let db: Db;

beforeAll(() => {
  db = createTestDb("models");
});
afterAll(async () => {
  await db.close();
});

const T0 = new Date("2025-09-13T16:00:00Z");

describe("CRUD for every model", () => {
  it("Track: create, read, update, delete", async () => {
    const created = await db.exclusive(() =>
      prismaOf(db).track.create({ data: { name: "Saratoga", code: "SAR", url: "https://example.test/sar" } }),
    );
    expect(created).toMatchObject({ name: "Saratoga", code: "SAR", timezone: "America/New_York" });
    expect(created.createdAt).toBeInstanceOf(Date);
    const updated = await db.exclusive(() =>
      prismaOf(db).track.update({
        where: { id: created.id },
        data: { timezone: "America/Chicago", code: "SA" },
      }),
    );
    expect(updated).toMatchObject({ timezone: "America/Chicago", code: "SA" });
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
    expect(await db.exclusive(() => prismaOf(db).track.findUnique({ where: { name: "Saratoga" } }))).toEqual(
      updated,
    );
    await db.exclusive(() => prismaOf(db).track.delete({ where: { id: created.id } }));
    expect(await db.exclusive(() => prismaOf(db).track.findUnique({ where: { id: created.id } }))).toBeNull();
  });

  it("Race, Horse, Entry: nested create, read with relations, update, delete children first", async () => {
    const race = await db.exclusive(() =>
      prismaOf(db).race.create({
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
      prismaOf(db).entry.update({ where: { id: second!.id }, data: { scratched: true, jockey: "J Two" } }),
    );
    await db.exclusive(() => prismaOf(db).race.update({ where: { id: race.id }, data: { status: "open" } }));
    await db.exclusive(() =>
      prismaOf(db).horse.update({ where: { id: first!.horseId }, data: { name: "First Light (IRE)" } }),
    );
    const reread = await db.exclusive(() =>
      prismaOf(db).race.findUniqueOrThrow({
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
      await prismaOf(db).entry.deleteMany({ where: { raceId: race.id } });
      await prismaOf(db).horse.deleteMany({ where: { id: { in: [first!.horseId, second!.horseId] } } });
      await prismaOf(db).race.delete({ where: { id: race.id } });
      await prismaOf(db).track.delete({ where: { id: race.trackId } });
    });
    expect(await db.exclusive(() => prismaOf(db).race.findUnique({ where: { id: race.id } }))).toBeNull();
    expect(
      await db.exclusive(() => prismaOf(db).horse.count({ where: { name: { startsWith: "First Light" } } })),
    ).toBe(0);
  });

  it("OddsSnapshot and ExactaProbable: create, read, update, delete", async () => {
    const race = await db.exclusive(() =>
      prismaOf(db).race.create({
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
      prismaOf(db).oddsSnapshot.create({
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
      prismaOf(db).exactaProbable.create({
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
      await prismaOf(db).oddsSnapshot.update({
        where: { id: odds.id },
        data: { winOdds: 3.5, winOddsDecimal: 4.5 },
      });
      await prismaOf(db).exactaProbable.update({ where: { id: exacta.id }, data: { payout: 39.8 } });
    });
    expect(
      await db.exclusive(() => prismaOf(db).oddsSnapshot.findUniqueOrThrow({ where: { id: odds.id } })),
    ).toMatchObject({
      winOdds: 3.5,
      winOddsDecimal: 4.5,
    });
    expect(
      await db.exclusive(() => prismaOf(db).exactaProbable.findUniqueOrThrow({ where: { id: exacta.id } })),
    ).toMatchObject({ payout: 39.8, firstHorse: "4", secondHorse: "1" });
    await db.exclusive(async () => {
      await prismaOf(db).oddsSnapshot.delete({ where: { id: odds.id } });
      await prismaOf(db).exactaProbable.delete({ where: { id: exacta.id } });
    });
    expect(await db.exclusive(() => prismaOf(db).oddsSnapshot.count({ where: { raceId: race.id } }))).toBe(0);
    expect(await db.exclusive(() => prismaOf(db).exactaProbable.count({ where: { raceId: race.id } }))).toBe(
      0,
    );
  });

  it("Alert, AlertDelivery, Cursor: create, read, update, delete (deliveries go with their alert)", async () => {
    const alert = await db.exclusive(() =>
      prismaOf(db).alert.create({
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
      prismaOf(db).alertDelivery.update({
        where: { alertId_channel: { alertId: alert.id, channel: "email" } },
        data: { attempts: { increment: 1 }, lastError: "SMTP 451" },
      }),
    );
    await db.exclusive(() =>
      prismaOf(db).alert.update({
        where: { id: alert.id },
        data: { sent: true, sentAt: new Date("2025-09-13T16:01:00Z") },
      }),
    );
    const reread = await db.exclusive(() =>
      prismaOf(db).alert.findUniqueOrThrow({
        where: { dedupeKey: "crud:1" },
        include: { deliveries: { orderBy: { channel: "asc" } } },
      }),
    );
    expect(reread.sent).toBe(true);
    expect(reread.sentAt?.toISOString()).toBe("2025-09-13T16:01:00.000Z");
    expect(reread.deliveries[0]).toMatchObject({ channel: "email", attempts: 1, lastError: "SMTP 451" });

    await db.exclusive(() => prismaOf(db).alert.delete({ where: { id: alert.id } }));
    expect(await db.exclusive(() => prismaOf(db).alertDelivery.count({ where: { alertId: alert.id } }))).toBe(
      0,
    );

    await db.exclusive(() => prismaOf(db).cursor.create({ data: { name: "crud", position: 5 } }));
    await db.exclusive(() => prismaOf(db).cursor.update({ where: { name: "crud" }, data: { position: 7 } }));
    expect(
      (await db.exclusive(() => prismaOf(db).cursor.findUniqueOrThrow({ where: { name: "crud" } }))).position,
    ).toBe(7);
    await db.exclusive(() => prismaOf(db).cursor.delete({ where: { name: "crud" } }));
    expect(await db.exclusive(() => prismaOf(db).cursor.findUnique({ where: { name: "crud" } }))).toBeNull();
  });
});
