// Storing alerts (the evaluation writer's storeAlert, the only alert inserter) and the
// high-water marks beside them, on a real migrated database (either engine).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../client.js";
import { alertRows, createTestDb, deliveryRows, queryRows, testEngine } from "../../testing/index.js";
import type { AlertInput } from "./alerts.js";
import { evaluationReadTransaction, evaluationTransaction } from "./evaluation/view.js";
import { applyRaceCard, entriesForRace, findRace } from "./races.js";

let db: Db;
let raceId = 0;
let entryId = 0;

const at = (minute: number) => new Date(Date.UTC(2025, 8, 13, 16, minute));
const NOW = at(59);

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

const store = (input: AlertInput, channels: readonly string[] = []) =>
  evaluationTransaction(db, (tx) => tx.storeAlert(input, channels, NOW));
/** The stored alert `alertId` with its delivery rows (throws when there is none). */
const stored = async (alertId: number) => {
  const alert = (await alertRows(db)).find((row) => row.id === alertId);
  if (!alert) throw new Error(`no alert ${alertId}`);
  return { ...alert, deliveries: (await deliveryRows(db)).filter((row) => row.alertId === alertId) };
};
/** Stored alerts with one of these dedupe keys. */
const alertsWithKeys = async (...keys: string[]) =>
  (
    await queryRows<{ n: number }>(
      db,
      `SELECT count(*) AS n FROM alert WHERE dedupe_key IN (${keys.map(() => "?").join(", ")})`,
      ...keys,
    )
  )[0]!.n;

describe("storeAlert", () => {
  it("stores an alert with all its fields, and a delivery row per channel", async () => {
    const { alertId, created } = await store(alertInput(1), ["webhook", "email", "webhook"]);
    expect(created).toBe(true);
    const alert = await stored(alertId);
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
    expect(alert.createdAt.toISOString()).toBe(NOW.toISOString());
    expect(JSON.parse(alert.details!)).toEqual({ before: 8, after: 4 });
    expect(alert.deliveries.map((row) => [row.channel, row.attempts]).sort()).toEqual([
      ["email", 0],
      ["webhook", 0],
    ]);
  });

  it("is a no-op on a known dedupe key and returns the stored alert's id", async () => {
    const first = await store(alertInput(1));
    const again = await store(alertInput(1, { message: "a different wording", triggeredAt: at(30) }), [
      "log",
    ]);
    expect(again).toEqual({ alertId: first.alertId, created: false });
    const alert = await stored(again.alertId);
    expect(alert.message).toBe("#7 Late Money 8-1 -> 4-1 (1)");
    expect(alert.triggeredAt.toISOString()).toBe(at(1).toISOString());
    // No new delivery rows for a known alert either.
    expect(alert.deliveries.map((row) => row.channel).sort()).toEqual(["email", "webhook"]);
    expect(await alertsWithKeys(`odds_drop:${raceId}:7:1`)).toBe(1);
  });

  it("concurrent stores with one dedupe key store exactly one alert", async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () => store(alertInput(2, { dedupeKey: "burst:1" }))),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.alertId)).size).toBe(1);
  });

  it("stores an alert about no race or runner", async () => {
    const { alertId } = await store({
      triggeredAt: at(3),
      alertType: "feed_down",
      message: "no odds for 5 minutes",
      dedupeKey: "feed_down:1",
    });
    expect(await stored(alertId)).toMatchObject({
      raceId: null,
      entryId: null,
      subject: null,
      details: null,
      thresholdValue: null,
    });
  });

  it("rejects an alert for an unknown race (FK) or an empty channel name, and stores nothing", async () => {
    // Each engine reports the foreign-key violation with its own code.
    await expect(store(alertInput(4, { raceId: 999_999 }))).rejects.toMatchObject({
      code: testEngine() === "postgres" ? "23503" : "SQLITE_CONSTRAINT_FOREIGNKEY",
    });
    await expect(store(alertInput(5), [""])).rejects.toThrow(/storeAlert: channel names must be non-empty/);
    expect(await alertsWithKeys(...[4, 5].map((n) => `odds_drop:${raceId}:7:${n}`))).toBe(0);
  });

  it("rolls back the whole pass: an alert stored before a failing write in the same transaction is gone", async () => {
    const failure = new Error("evaluation failed half-way");
    await expect(
      evaluationTransaction(db, async (tx) => {
        await tx.storeAlert(alertInput(6), ["webhook"], NOW);
        await tx.setCursor("alerts.rollback", 6, NOW);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await alertsWithKeys(`odds_drop:${raceId}:7:6`)).toBe(0);
    expect(await evaluationReadTransaction(db, (tx) => tx.cursor("alerts.rollback"))).toBe(0);
    expect(await queryRows(db, `SELECT count(*) AS n FROM alert_delivery`)).toEqual([{ n: 2 }]);
  });
});

describe("high-water marks (cursor / setCursor)", () => {
  const read = (name: string) => evaluationReadTransaction(db, (tx) => tx.cursor(name));
  const write = (name: string, position: number) =>
    evaluationTransaction(db, (tx) => tx.setCursor(name, position, NOW));

  it("reads 0 for a cursor never written", async () => {
    expect(await read("alerts.odds")).toBe(0);
  });

  it("writes, moves and reads back named positions independently", async () => {
    await write("alerts.odds", 120);
    await write("alerts.exacta", 7);
    expect(await read("alerts.odds")).toBe(120);
    await write("alerts.odds", 450);
    expect(await read("alerts.odds")).toBe(450);
    expect(await read("alerts.exacta")).toBe(7);
    expect(
      await queryRows(db, `SELECT count(*) AS n FROM cursor WHERE name IN ('alerts.odds', 'alerts.exacta')`),
    ).toEqual([{ n: 2 }]);
  });

  it("refuses a position that is not a whole number >= 0, moving nothing", async () => {
    await expect(write("alerts.odds", -1)).rejects.toThrow(
      /cursor alerts.odds: position must be a whole number/,
    );
    await expect(write("alerts.odds", 1.5)).rejects.toThrow(/whole number/);
    expect(await read("alerts.odds")).toBe(450);
  });
});
