// The listings (`alerts list`, the demo's summary) on a real migrated SQLite file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../client.js";
import { createTestDb, runSql } from "../../testing/index.js";
import type { AlertInput } from "./alerts.js";
import { recordDeliverySuccess } from "./deliveries.js";
import { dueDeliveries } from "./due-deliveries.js";
import { evaluationTransaction } from "./evaluation/view.js";
import { recordExactaSnapshot } from "./exacta.js";
import { alertCountsByType, listAlerts, oddsActivity } from "./listings.js";
import { recordWinSnapshot } from "./odds.js";
import { applyRaceCard, entriesForRace, findRace, type RaceKey } from "./races.js";

let db: Db;
const RACE: RaceKey = { track: "Saratoga", raceDate: "2025-08-02", raceNumber: 5 };
const OTHER_DAY: RaceKey = { ...RACE, raceDate: "2025-08-03" };
const at = (minute: number) => new Date(Date.UTC(2025, 7, 2, 20, minute));
const ids: Record<string, number> = {};

async function store(input: AlertInput, channels: readonly string[] = []): Promise<number> {
  const { alertId } = await evaluationTransaction(db, (tx) => tx.storeAlert(input, channels, at(59)));
  ids[input.dedupeKey] = alertId;
  return alertId;
}

beforeAll(async () => {
  db = createTestDb("listings");
  for (const key of [RACE, OTHER_DAY]) {
    await applyRaceCard(db, {
      ...key,
      timezone: "America/New_York",
      postTime: at(30),
      entries: [
        { programNumber: "1", horse: "Alpha" },
        { programNumber: "3", horse: "Charlie" },
      ],
    });
  }
  const race = (await findRace(db, RACE))!;
  const other = (await findRace(db, OTHER_DAY))!;
  const charlie = (await entriesForRace(db, race.raceId)).find((entry) => entry.programNumber === "3")!;
  const base = { message: "m", raceId: race.raceId };
  // Stored out of time order on purpose.
  await store(
    {
      ...base,
      triggeredAt: at(12),
      alertType: "steam",
      dedupeKey: "s12",
      entryId: charlie.entryId,
      subject: "3",
      details: { strength: 0.4, before: 5 },
    },
    ["console"],
  );
  await store({
    ...base,
    triggeredAt: at(10),
    alertType: "exacta_low",
    dedupeKey: "x10",
    subject: "1-3",
    details: { strength: 0.9 },
  });
  await store({ ...base, triggeredAt: at(11), alertType: "steam", dedupeKey: "s11", subject: "1" });
  await store({ triggeredAt: at(13), alertType: "feed_down", message: "no odds", dedupeKey: "f13" });
  await store({
    ...base,
    raceId: other.raceId,
    triggeredAt: at(14),
    alertType: "steam",
    dedupeKey: "o14",
    subject: "1",
  });
  // A row written by hand with details that are not JSON.
  expect(await runSql(db, `UPDATE alert SET details = '{oops' WHERE dedupe_key = 's11'`)).toBe(1);

  await recordWinSnapshot(db, {
    ...RACE,
    fetchedAt: at(1),
    runners: [
      { programNumber: "1", winOdds: 2 },
      { programNumber: "3", winOdds: 5 },
    ],
  });
  await recordWinSnapshot(db, { ...RACE, fetchedAt: at(2), runners: [{ programNumber: "1", winOdds: 2 }] });
  await recordExactaSnapshot(db, {
    ...RACE,
    fetchedAt: at(2),
    probables: [
      { first: "1", second: "3", payout: 12 },
      { first: "3", second: "1", payout: 20 },
    ],
  });
  await recordWinSnapshot(db, {
    ...OTHER_DAY,
    fetchedAt: at(3),
    runners: [{ programNumber: "1", winOdds: 2 }],
  });
});
afterAll(async () => {
  await db.close();
});

const keys = (alerts: ReadonlyArray<{ dedupeKey: string }>) => alerts.map((alert) => alert.dedupeKey);

describe("listAlerts", () => {
  it("lists newest first, with a limit, each alert with its race, runner and parsed details", async () => {
    expect(keys(await listAlerts(db))).toEqual(["o14", "f13", "s12", "s11", "x10"]);
    expect(keys(await listAlerts(db, { limit: 2 }))).toEqual(["o14", "f13"]);
    const byKey = new Map((await listAlerts(db)).map((alert) => [alert.dedupeKey, alert]));
    const steam = byKey.get("s12");
    expect(steam).toMatchObject({
      alertId: ids.s12,
      alertType: "steam",
      subject: "3",
      sent: false,
      sentAt: null,
      details: { strength: 0.4, before: 5 },
      race: { track: "Saratoga", timezone: "America/New_York", raceDate: "2025-08-02", raceNumber: 5 },
      runner: { programNumber: "3", horse: "Charlie" },
    });
    expect(steam!.race!.postTime!.toISOString()).toBe(at(30).toISOString());
    expect(byKey.get("f13")).toMatchObject({ race: null, runner: null, details: null, subject: null });
    expect(byKey.get("s11")!.details).toEqual({ unparsed: "{oops" });
  });

  it("only the races of one date; strongest first (by details.strength, unranked last)", async () => {
    expect(keys(await listAlerts(db, { raceDate: RACE.raceDate }))).toEqual(["s12", "s11", "x10"]);
    expect(keys(await listAlerts(db, { raceDate: RACE.raceDate, order: "strongest" }))).toEqual([
      "x10",
      "s12",
      "s11",
    ]);
  });

  it("only the unsent: an alert leaves the list when its last channel delivered", async () => {
    expect(keys(await listAlerts(db, { unsentOnly: true }))).toEqual(["o14", "f13", "s12", "s11", "x10"]);
    const [row] = await dueDeliveries(db, { channels: ["console"], now: at(59), maxAttempts: 3 });
    await recordDeliverySuccess(db, row!.deliveryId, at(40));
    expect(keys(await listAlerts(db, { unsentOnly: true }))).toEqual(["o14", "f13", "s11", "x10"]);
    const [sent] = (await listAlerts(db)).filter((alert) => alert.dedupeKey === "s12");
    expect(sent).toMatchObject({ sent: true });
    expect(sent!.sentAt!.toISOString()).toBe(at(40).toISOString());
  });

  it("refuses a limit that is not a whole number >= 1", async () => {
    await expect(listAlerts(db, { limit: 0 })).rejects.toThrow(/listAlerts: limit/);
  });
});

describe("alertCountsByType and oddsActivity", () => {
  it("counts alerts per rule, most first, optionally for one race date", async () => {
    expect(await alertCountsByType(db)).toEqual([
      { alertType: "steam", count: 3 },
      { alertType: "exacta_low", count: 1 },
      { alertType: "feed_down", count: 1 },
    ]);
    expect(await alertCountsByType(db, { raceDate: OTHER_DAY.raceDate })).toEqual([
      { alertType: "steam", count: 1 },
    ]);
  });

  it("counts races, win snapshots (and their rows) and exacta grids (and probables)", async () => {
    expect(await oddsActivity(db)).toEqual({
      races: 2,
      winSnapshots: 3,
      winRows: 4,
      exactaGrids: 1,
      exactaRows: 2,
    });
    expect(await oddsActivity(db, { raceDate: OTHER_DAY.raceDate })).toEqual({
      races: 1,
      winSnapshots: 1,
      winRows: 1,
      exactaGrids: 0,
      exactaRows: 0,
    });
  });
});
