import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../client.js";
import { createTestDb, queryRows, rowCount, runSql } from "../../testing/index.js";
import { toDbTime } from "../time.js";
import type { AlertInput } from "./alerts.js";
import { evaluationTransaction } from "./evaluation/view.js";
import { recordExactaSnapshot } from "./exacta.js";
import { recordWinSnapshot } from "./odds.js";
import { applyRaceCard, type RaceKey } from "./races.js";
import { pruneOldData } from "./retention.js";

let db: Db;

const NOW = new Date("2025-09-13T12:00:00Z");
const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);
const KEY: RaceKey = { track: "Belmont Park", raceDate: "2025-08-01", raceNumber: 1 };
const PROGRAMS = ["1", "2", "3"];

const count = (table: string) => rowCount(db, table);
const timesOf = async (table: string, column: string) =>
  (await queryRows<{ t: number }>(db, `SELECT DISTINCT ${column} AS t FROM ${table} ORDER BY ${column}`)).map(
    (r) => r.t,
  );

/** Stores an alert (with a delivery row per channel) the one way alerts are stored. */
const storeAlert = (input: AlertInput, channels: readonly string[] = []) =>
  evaluationTransaction(db, (tx) => tx.storeAlert(input, channels, NOW));

// Odds and exacta grids at these ages (days); alerts (each with two delivery rows) too.
const ODDS_AGES = [100, 45, 31, 30.001, 29.999, 10, 0];
const ALERT_AGES = [200, 91, 90.001, 89.999, 5];

beforeAll(async () => {
  db = createTestDb("retention");
  await applyRaceCard(db, {
    ...KEY,
    entries: PROGRAMS.map((programNumber) => ({ programNumber, horse: `Keeper ${programNumber}` })),
  });
});
afterAll(async () => {
  await db.close();
});

beforeEach(async () => {
  for (const table of ["odds_snapshot", "exacta_probable", "alert"]) await runSql(db, `DELETE FROM ${table}`);
  for (const age of ODDS_AGES) {
    await recordWinSnapshot(db, {
      ...KEY,
      fetchedAt: daysAgo(age),
      runners: PROGRAMS.map((programNumber) => ({ programNumber, winOdds: 3 })),
    });
    await recordExactaSnapshot(db, {
      ...KEY,
      fetchedAt: daysAgo(age),
      probables: [
        { first: "1", second: "2", payout: 12 },
        { first: "2", second: "1", payout: 14 },
      ],
    });
  }
  for (const [i, age] of ALERT_AGES.entries()) {
    await storeAlert(
      {
        triggeredAt: daysAgo(age),
        alertType: "odds_drop",
        message: `alert ${i}`,
        dedupeKey: `retention:${i}`,
      },
      ["email", "log"],
    );
  }
});

describe("pruneOldData", () => {
  it("removes exactly the rows older than the cutoffs, keeps the rest, and reports counts", async () => {
    const result = await pruneOldData(db, { oddsDays: 30, alertsDays: 90, now: NOW });
    // older than 30 days: ages 100, 45, 31, 30.001 -> 4 snapshots
    expect(result).toEqual({ oddsSnapshots: 4 * 3, exactaProbables: 4 * 2, alerts: 3 });
    const oddsCutoff = toDbTime(daysAgo(30));
    const kept = ODDS_AGES.filter((a) => a < 30).map((a) => toDbTime(daysAgo(a)));
    expect(await timesOf("odds_snapshot", "fetched_at")).toEqual(kept);
    expect(await timesOf("exacta_probable", "fetched_at")).toEqual(kept);
    expect(kept.every((t) => t >= oddsCutoff)).toBe(true);
    expect(await count("odds_snapshot")).toBe(3 * 3);
    expect(await count("exacta_probable")).toBe(3 * 2);
    expect(await timesOf("alert", "triggered_at")).toEqual([toDbTime(daysAgo(89.999)), toDbTime(daysAgo(5))]);
    // the removed alerts' delivery rows went with them (ON DELETE CASCADE), the kept ones stay
    expect(await count("alert_delivery")).toBe(2 * 2);
    expect(
      await queryRows(
        db,
        `SELECT count(*) AS n FROM alert_delivery WHERE alert_id NOT IN (SELECT alert_id FROM alert)`,
      ),
    ).toEqual([{ n: 0 }]);
    // the card itself is never pruned
    expect(await count("race")).toBe(1);
    expect(await count("entry")).toBe(3);
  });

  it("a second run removes nothing", async () => {
    await pruneOldData(db, { oddsDays: 30, alertsDays: 90, now: NOW });
    expect(await pruneOldData(db, { oddsDays: 30, alertsDays: 90, now: NOW })).toEqual({
      oddsSnapshots: 0,
      exactaProbables: 0,
      alerts: 0,
    });
  });

  it("works in batches smaller than the rows, reporting progress per batch", async () => {
    const progress: Array<{ table: string; removed: number }> = [];
    const result = await pruneOldData(db, {
      oddsDays: 30,
      alertsDays: 90,
      now: NOW,
      batchSize: 5,
      onProgress: (p) => progress.push(p),
    });
    expect(result).toEqual({ oddsSnapshots: 12, exactaProbables: 8, alerts: 3 });
    expect(progress).toEqual([
      { table: "odds_snapshot", removed: 5 },
      { table: "odds_snapshot", removed: 10 },
      { table: "odds_snapshot", removed: 12 },
      { table: "exacta_probable", removed: 5 },
      { table: "exacta_probable", removed: 8 },
      { table: "alert", removed: 3 },
    ]);
    expect(await count("odds_snapshot")).toBe(9);
    expect(await count("alert_delivery")).toBe(4);
  });

  it("uses separate cutoffs for odds and alerts", async () => {
    const result = await pruneOldData(db, { oddsDays: 50, alertsDays: 10, now: NOW });
    expect(result).toEqual({ oddsSnapshots: 1 * 3, exactaProbables: 1 * 2, alerts: 4 });
    expect(await timesOf("alert", "triggered_at")).toEqual([toDbTime(daysAgo(5))]);
  });

  it("refuses a retention that is not a positive number of days, removing nothing", async () => {
    await expect(pruneOldData(db, { oddsDays: 0, alertsDays: 90, now: NOW })).rejects.toThrow(/oddsDays/);
    await expect(pruneOldData(db, { oddsDays: 30, alertsDays: -1, now: NOW })).rejects.toThrow(/alertsDays/);
    expect(await count("odds_snapshot")).toBe(ODDS_AGES.length * 3);
    expect(await count("alert")).toBe(ALERT_AGES.length);
  });

  it("lets other work on the client run between batches", async () => {
    const order: string[] = [];
    const prune = pruneOldData(db, {
      oddsDays: 30,
      alertsDays: 90,
      now: NOW,
      batchSize: 1,
      onProgress: (p) => order.push(`prune ${p.table} ${p.removed}`),
    });
    const other = storeAlert({
      triggeredAt: NOW,
      alertType: "t",
      message: "during prune",
      dedupeKey: "during-prune",
    }).then(() => order.push("other"));
    await Promise.all([prune, other]);
    const otherAt = order.indexOf("other");
    expect(otherAt).toBeGreaterThan(-1);
    expect(otherAt).toBeLessThan(order.length - 1);
  });
});
