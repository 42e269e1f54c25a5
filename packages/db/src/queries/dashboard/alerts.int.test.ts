// The dashboard's alert log (dashboard/alerts.ts) on a real migrated SQLite file: alerts stored the
// one way they are stored (the evaluation writer's storeAlert, with their delivery rows) and
// delivered or failed through deliveries.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../client.js";
import { InvalidInputError } from "../../errors.js";
import { createTestDb } from "../../../testing/index.js";
import { recordDeliveryFailure, recordDeliverySuccess } from "../deliveries.js";
import { deliveryStatus } from "../due-deliveries.js";
import { evaluationTransaction } from "../evaluation/view.js";
import { applyRaceCard, findRace, type RaceKey } from "../races.js";
import { alertFacets, dashboardAlerts, type DashboardAlertsOptions } from "./alerts.js";

let db: Db;

const BEL1: RaceKey = { track: "Belmont Park", raceDate: "2025-09-13", raceNumber: 1 };
const BEL2: RaceKey = { ...BEL1, raceNumber: 2 };
const AQU1: RaceKey = { track: "Aqueduct", raceDate: "2025-09-13", raceNumber: 1 };
const BEL_12TH: RaceKey = { ...BEL1, raceDate: "2025-09-12" };
/** 2025-09-13 16:mm:ss UTC. */
const at = (minute: number, second = 0) => new Date(Date.UTC(2025, 8, 13, 16, minute, second));

/** The alerts' ids by name (A1 ... A8, in the order they were stored: alert ids follow it). */
const ids: Record<string, number> = {};
let bel1Id = 0;

async function store(
  name: string,
  key: RaceKey | null,
  alertType: string,
  triggeredAt: Date,
  channels: string[],
) {
  const raceId = key ? (await findRace(db, key))!.raceId : null;
  const { alertId } = await evaluationTransaction(db, (tx) =>
    tx.storeAlert({ triggeredAt, raceId, alertType, message: name, dedupeKey: name }, channels, triggeredAt),
  );
  ids[name] = alertId;
}

/** The delivery id of an alert's channel. */
async function deliveryOf(name: string, channel: string): Promise<number> {
  const status = await deliveryStatus(db, ids[name]!);
  return status!.deliveries.find((d) => d.channel === channel)!.deliveryId;
}

const fail = async (name: string, channel: string, error: string, minute: number) =>
  recordDeliveryFailure(db, await deliveryOf(name, channel), {
    at: at(minute),
    error,
    nextAttemptAt: at(minute + 5),
  });
const deliver = async (name: string, channel: string, minute: number) =>
  recordDeliverySuccess(db, await deliveryOf(name, channel), at(minute));

const listed = async (options: DashboardAlertsOptions = {}) =>
  (await dashboardAlerts(db, options)).map((alert) => alert.message);

beforeAll(async () => {
  db = createTestDb("dashboard-alerts");
  for (const key of [BEL1, BEL2, AQU1, BEL_12TH]) {
    await applyRaceCard(db, {
      ...key,
      entries: [{ programNumber: "1", horse: `${key.track} ${key.raceDate}` }],
    });
  }
  bel1Id = (await findRace(db, BEL1))!.raceId;
  // Stored in name order (A1 first); A7 is stored late but triggered earliest, A8 ties A4's time.
  await store("A1", BEL1, "steam", at(1), []); // no channel: none
  await store("A2", BEL1, "odds_drop", at(2), ["webhook"]); // never tried: pending
  await store("A3", BEL2, "steam", at(3), ["email", "webhook"]); // email delivered, webhook failed: failing
  await store("A4", AQU1, "scratch", at(4), ["webhook"]); // delivered: sent
  await store("A5", BEL_12TH, "steam", at(5), ["webhook"]); // failed, then delivered: sent
  await store("A6", null, "feed_down", at(6), ["email", "webhook"]); // webhook failed then delivered, email untried: pending
  await store("A7", BEL1, "steam", at(0, 30), []); // none
  await store("A8", AQU1, "odds_drop", at(4), ["webhook"]); // pending
  await deliver("A3", "email", 10);
  await fail("A3", "webhook", "HTTP 500 from receiver", 11);
  await deliver("A4", "webhook", 12);
  await fail("A5", "webhook", "timeout", 13);
  await deliver("A5", "webhook", 14);
  await fail("A6", "webhook", "connection refused", 15);
  await deliver("A6", "webhook", 16);
});
afterAll(async () => {
  await db.close();
});

describe("dashboardAlerts", () => {
  it("lists newest first by trigger time, then by id (A8 and A4 share 16:04)", async () => {
    expect(await listed()).toEqual(["A6", "A5", "A8", "A4", "A3", "A2", "A1", "A7"]);
  });

  it("gives each alert its race, delivery rows by channel and delivery state", async () => {
    const alerts = new Map((await dashboardAlerts(db)).map((alert) => [alert.message, alert]));
    expect(Object.fromEntries([...alerts].map(([name, alert]) => [name, alert.delivery]))).toEqual({
      A1: "none",
      A2: "pending",
      A3: "failing",
      A4: "delivered",
      A5: "delivered",
      A6: "pending",
      A7: "none",
      A8: "pending",
    });
    const a3 = alerts.get("A3")!;
    expect(a3).toMatchObject({ alertId: ids.A3, alertType: "steam", sent: false });
    expect(a3.race).toMatchObject({ track: "Belmont Park", raceDate: "2025-09-13", raceNumber: 2 });
    expect(a3.deliveries).toEqual([
      {
        channel: "email",
        attempts: 1,
        lastError: null,
        lastAttemptAt: at(10),
        nextAttemptAt: null,
        deliveredAt: at(10),
      },
      {
        channel: "webhook",
        attempts: 1,
        lastError: "HTTP 500 from receiver",
        lastAttemptAt: at(11),
        nextAttemptAt: at(16),
        deliveredAt: null,
      },
    ]);
    // Delivered after a failure: the error stays on the row, the alert is sent.
    expect(alerts.get("A5")).toMatchObject({ sent: true, delivery: "delivered" });
    expect(alerts.get("A5")?.deliveries).toMatchObject([
      { attempts: 2, lastError: "timeout", deliveredAt: at(14) },
    ]);
    expect(alerts.get("A6")?.race).toBeNull();
    expect(alerts.get("A1")?.deliveries).toEqual([]);
  });

  it("filters by delivery state with the same definition it shows", async () => {
    expect(await listed({ delivery: "failing" })).toEqual(["A3"]);
    expect(await listed({ delivery: "delivered" })).toEqual(["A5", "A4"]);
    expect(await listed({ delivery: "pending" })).toEqual(["A6", "A8", "A2"]);
    expect(await listed({ delivery: "none" })).toEqual(["A1", "A7"]);
  });

  it("filters by race date, track, type and race, alone and together", async () => {
    // A6 has no race, so it has no date; A5 is of the 12th.
    expect(await listed({ raceDate: "2025-09-13" })).toEqual(["A8", "A4", "A3", "A2", "A1", "A7"]);
    expect(await listed({ raceDate: "2025-09-12" })).toEqual(["A5"]);
    expect(await listed({ track: "Aqueduct" })).toEqual(["A8", "A4"]);
    expect(await listed({ alertType: "steam" })).toEqual(["A5", "A3", "A1", "A7"]);
    expect(await listed({ raceId: bel1Id })).toEqual(["A2", "A1", "A7"]);
    expect(await listed({ raceDate: "2025-09-13", delivery: "pending" })).toEqual(["A8", "A2"]);
    expect(await listed({ track: "Belmont Park", alertType: "steam", raceDate: "2025-09-13" })).toEqual([
      "A3",
      "A1",
      "A7",
    ]);
    expect(await listed({ track: "Nowhere Downs" })).toEqual([]);
  });

  it("pages with beforeId = the last alert of a page, without repeating or skipping any", async () => {
    // Order: A6 A5 A8 A4 A3 A2 A1 A7. A plain alert_id < beforeId would give A6 and A5 again after
    // A8 (id 8) and lose A7 (id 7) after A1 (id 1): paging follows the listing's order instead.
    const page1 = await dashboardAlerts(db, { limit: 3 });
    expect(page1.map((a) => a.message)).toEqual(["A6", "A5", "A8"]);
    const page2 = await dashboardAlerts(db, { limit: 3, beforeId: page1.at(-1)!.alertId });
    expect(page2.map((a) => a.message)).toEqual(["A4", "A3", "A2"]);
    const page3 = await dashboardAlerts(db, { limit: 3, beforeId: page2.at(-1)!.alertId });
    expect(page3.map((a) => a.message)).toEqual(["A1", "A7"]);
    // Pages of a filtered listing the same way.
    expect(await listed({ limit: 2, raceId: bel1Id, beforeId: ids.A2 })).toEqual(["A1", "A7"]);
    // An alert no longer stored: alert_id < beforeId (ids 1..8 are all below 100).
    expect(await listed({ beforeId: 100 })).toHaveLength(8);
  });

  it("refuses a limit outside 1..1000, a bad beforeId or raceId, and an unknown delivery state", async () => {
    for (const options of [
      { limit: 0 },
      { limit: 1001 },
      { limit: 2.5 },
      { beforeId: 0 },
      { beforeId: 1.5 },
      { raceId: -1 },
      { delivery: "lost" as never },
    ]) {
      await expect(dashboardAlerts(db, options)).rejects.toBeInstanceOf(InvalidInputError);
    }
    expect(await listed({ limit: 1000 })).toHaveLength(8);
    expect(await listed({ limit: 1 })).toEqual(["A6"]);
  });
});

describe("alertFacets", () => {
  it("lists the alert types and tracks that have alerts, sorted, for a date or all", async () => {
    expect(await alertFacets(db)).toEqual({
      types: ["feed_down", "odds_drop", "scratch", "steam"],
      tracks: ["Aqueduct", "Belmont Park"],
    });
    expect(await alertFacets(db, { raceDate: "2025-09-12" })).toEqual({
      types: ["steam"],
      tracks: ["Belmont Park"],
    });
    expect(await alertFacets(db, { raceDate: "2025-09-14" })).toEqual({ types: [], tracks: [] });
  });
});
