import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../client.js";
import { createTestDb } from "../../testing/index.js";
import { createAlert, markAlertSent, recentAlerts, unsentAlerts, type AlertInput } from "./alerts.js";
import { readCursor, writeCursor } from "./cursors.js";
import { applyRaceCard, entriesForRace, findRace } from "./races.js";

let db: Db;
let raceId = 0;
let entryId = 0;

const at = (minute: number) => new Date(Date.UTC(2025, 8, 13, 16, minute));

beforeAll(async () => {
  db = createTestDb("alerts");
  const key = { track: "Belmont Park", raceDate: "2025-09-13", raceNumber: 4 };
  await applyRaceCard(db, { ...key, entries: [{ programNumber: "7", horse: "Late Money" }] });
  raceId = (await findRace(db, key))!.raceId;
  entryId = (await entriesForRace(db, raceId))[0]!.entryId;
});
afterAll(async () => {
  await db.close();
});

const alertInput = (n: number, overrides: Partial<AlertInput> = {}): AlertInput => ({
  triggeredAt: at(n),
  raceId,
  entryId,
  alertType: "odds_drop",
  thresholdValue: 0.3,
  actualValue: 0.45,
  message: `#7 Late Money 8-1 -> 4-1 (${n})`,
  dedupeKey: `odds_drop:${raceId}:7:${n}`,
  subject: "7",
  details: { before: 8, after: 4 },
  ...overrides,
});

describe("createAlert", () => {
  it("stores an alert with all its fields", async () => {
    const { alert, created } = await createAlert(db, alertInput(1));
    expect(created).toBe(true);
    expect(alert).toMatchObject({
      raceId,
      entryId,
      alertType: "odds_drop",
      thresholdValue: 0.3,
      actualValue: 0.45,
      sent: false,
      sentAt: null,
      subject: "7",
      dedupeKey: `odds_drop:${raceId}:7:1`,
    });
    expect(alert.triggeredAt.toISOString()).toBe(at(1).toISOString());
    expect(JSON.parse(alert.details!)).toEqual({ before: 8, after: 4 });
  });

  it("is a no-op on a known dedupe key and returns the stored alert", async () => {
    const again = await createAlert(
      db,
      alertInput(1, { message: "a different wording", triggeredAt: at(30) }),
    );
    expect(again.created).toBe(false);
    expect(again.alert.message).toBe("#7 Late Money 8-1 -> 4-1 (1)");
    expect(again.alert.triggeredAt.toISOString()).toBe(at(1).toISOString());
    expect(
      await db.exclusive(() => db.prisma.alert.count({ where: { dedupeKey: `odds_drop:${raceId}:7:1` } })),
    ).toBe(1);
  });

  it("concurrent creates with one dedupe key store exactly one alert", async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () => createAlert(db, alertInput(2, { dedupeKey: "burst:1" }))),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.alert.id)).size).toBe(1);
  });

  it("stores an alert about no race or runner", async () => {
    const { alert } = await createAlert(db, {
      triggeredAt: at(3),
      alertType: "feed_down",
      message: "no odds for 5 minutes",
      dedupeKey: "feed_down:1",
    });
    expect(alert).toMatchObject({
      raceId: null,
      entryId: null,
      subject: null,
      details: null,
      thresholdValue: null,
    });
  });

  it("rejects an alert for an unknown race (FK) and stores nothing", async () => {
    await expect(createAlert(db, alertInput(4, { raceId: 999_999 }))).rejects.toMatchObject({
      code: "P2003",
    });
    expect(
      await db.exclusive(() => db.prisma.alert.count({ where: { dedupeKey: `odds_drop:${raceId}:7:4` } })),
    ).toBe(0);
  });
});

describe("unsentAlerts, markAlertSent, recentAlerts", () => {
  beforeAll(async () => {
    await db.exclusive(() => db.prisma.alert.deleteMany({}));
    // created out of time order on purpose
    for (const n of [12, 10, 11, 13]) await createAlert(db, alertInput(n));
  });

  it("unsentAlerts lists undelivered alerts oldest first, with a limit", async () => {
    expect((await unsentAlerts(db)).map((a) => a.triggeredAt.getUTCMinutes())).toEqual([10, 11, 12, 13]);
    expect((await unsentAlerts(db, { limit: 2 })).map((a) => a.triggeredAt.getUTCMinutes())).toEqual([
      10, 11,
    ]);
  });

  it("markAlertSent records delivery; the alert leaves the unsent list", async () => {
    const [oldest] = await unsentAlerts(db, { limit: 1 });
    await markAlertSent(db, oldest!.id, at(20));
    const stored = await db.exclusive(() => db.prisma.alert.findUniqueOrThrow({ where: { id: oldest!.id } }));
    expect(stored.sent).toBe(true);
    expect(stored.sentAt?.toISOString()).toBe(at(20).toISOString());
    expect((await unsentAlerts(db)).map((a) => a.triggeredAt.getUTCMinutes())).toEqual([11, 12, 13]);
  });

  it("markAlertSent on an unknown alert id throws (nothing silently lost)", async () => {
    await expect(markAlertSent(db, 999_999)).rejects.toMatchObject({ code: "P2025" });
  });

  it("recentAlerts lists newest first, optionally only the unsent, with a limit", async () => {
    expect((await recentAlerts(db)).map((a) => a.triggeredAt.getUTCMinutes())).toEqual([13, 12, 11, 10]);
    expect((await recentAlerts(db, { limit: 2 })).map((a) => a.triggeredAt.getUTCMinutes())).toEqual([
      13, 12,
    ]);
    expect((await recentAlerts(db, { unsentOnly: true })).map((a) => a.triggeredAt.getUTCMinutes())).toEqual([
      13, 12, 11,
    ]);
  });
});

describe("readCursor / writeCursor", () => {
  it("reads 0 for a cursor never written", async () => {
    expect(await readCursor(db, "alerts.odds")).toBe(0);
  });

  it("writes, moves and reads back named positions independently", async () => {
    await writeCursor(db, "alerts.odds", 120);
    await writeCursor(db, "alerts.exacta", 7);
    expect(await readCursor(db, "alerts.odds")).toBe(120);
    await writeCursor(db, "alerts.odds", 450);
    expect(await readCursor(db, "alerts.odds")).toBe(450);
    expect(await readCursor(db, "alerts.exacta")).toBe(7);
    expect(db.sql.prepare(`SELECT count(*) AS n FROM cursor`).get()).toEqual({ n: 2 });
  });
});
