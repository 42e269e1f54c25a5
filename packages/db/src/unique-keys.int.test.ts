// The schema's unique keys refuse duplicates, whichever path (Prisma or raw) writes them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "./client.js";
import { Prisma } from "./generated/prisma/client.js";
import { recordWinSnapshot } from "./queries/odds.js";
import { applyRaceCard } from "./queries/races.js";
import { createTestDb } from "../testing/index.js";
import { toDbTime } from "./time.js";
import { connectionOf, prismaOf } from "./connection.js";

let db: Db;

beforeAll(() => {
  db = createTestDb("unique");
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
  (connectionOf(db).prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

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
      prismaOf(db).entry.findFirstOrThrow({
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
    ["track name", () => prismaOf(db).track.create({ data: { name: "Dup Downs" } }), "track"],
    [
      "race (track, date, number)",
      () => prismaOf(db).race.create({ data: { trackId, raceDate: "2025-09-13", raceNumber: 1 } }),
      "race",
    ],
    ["horse name", () => prismaOf(db).horse.create({ data: { name: "Dup Two" } }), "horse"],
    [
      "entry (race, program number)",
      () => prismaOf(db).entry.create({ data: { raceId, horseId, programNumber: "2" } }),
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
      prismaOf(db).oddsSnapshot.create({ data: { raceId, entryId, fetchedAt: T0, winOdds: 9 } }),
    );
    expect(error.code).toBe("P2002");
    expect(() =>
      connectionOf(db)
        .prepare(`INSERT INTO odds_snapshot (race_id, entry_id, fetched_at, win_odds) VALUES (?, ?, ?, 9)`)
        .run(raceId, entryId, toDbTime(T0)),
    ).toThrow(/UNIQUE constraint failed: odds_snapshot.entry_id, odds_snapshot.fetched_at/);
    expect(
      connectionOf(db).prepare(`SELECT win_odds FROM odds_snapshot WHERE entry_id = ?`).all(entryId),
    ).toEqual([{ win_odds: 2 }]);
  });

  it("rejects a duplicate exacta probable (race, fetched_at, first, second)", async () => {
    const data = { raceId, fetchedAt: T0, firstHorse: "1", secondHorse: "2", payout: 12 };
    await db.exclusive(() => prismaOf(db).exactaProbable.create({ data }));
    expect(
      (await knownError(() => prismaOf(db).exactaProbable.create({ data: { ...data, payout: 14 } }))).code,
    ).toBe("P2002");
    // the reverse order is a different combination
    await db.exclusive(() =>
      prismaOf(db).exactaProbable.create({ data: { ...data, firstHorse: "2", secondHorse: "1" } }),
    );
    expect(await db.exclusive(() => prismaOf(db).exactaProbable.count({ where: { raceId } }))).toBe(2);
  });

  it("rejects a duplicate alert dedupe key and an alert's second delivery row per channel", async () => {
    const data = { triggeredAt: T0, alertType: "t", message: "m", dedupeKey: "dup:1" };
    const alert = await db.exclusive(() => prismaOf(db).alert.create({ data }));
    expect(
      (await knownError(() => prismaOf(db).alert.create({ data: { ...data, message: "other" } }))).code,
    ).toBe("P2002");
    await db.exclusive(() =>
      prismaOf(db).alertDelivery.create({ data: { alertId: alert.id, channel: "email" } }),
    );
    expect(
      (
        await knownError(() =>
          prismaOf(db).alertDelivery.create({ data: { alertId: alert.id, channel: "email" } }),
        )
      ).code,
    ).toBe("P2002");
  });
});
