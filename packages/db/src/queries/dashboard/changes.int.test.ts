// Live changes (dashboard/changes.ts) on a real migrated database (either engine), each change written through
// the package's own helpers: a win board, an exacta grid, an alert, a status change, a scratch, a
// delivery attempt.
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Db } from "../../client.js";
import { InvalidInputError } from "../../errors.js";
import { writeBatch } from "../../write-batch.js";
import { createTestDb, queryRows, testEngine } from "../../../testing/index.js";
import { recordDeliveryFailure } from "../deliveries.js";
import { deliveryStatus } from "../due-deliveries.js";
import { evaluationTransaction } from "../evaluation/view.js";
import { recordExactaSnapshot } from "../exacta.js";
import { recordWinSnapshot } from "../odds.js";
import { applyRaceCard, findRace, setRaceStatus, type RaceKey } from "../races.js";
import {
  CHANGED_RACES_SQL,
  FAR_BEHIND,
  changeMarks,
  changesSince,
  formatChangeMarks,
  parseChangeMarks,
  type ChangeMarks,
} from "./changes.js";

let db: Db;
const R1: RaceKey = { track: "Belmont Park", raceDate: "2025-09-13", raceNumber: 1 };
const R2: RaceKey = { ...R1, raceNumber: 2 };
const R3: RaceKey = { ...R1, raceNumber: 3 };
const raceIds: Record<number, number> = {};
const at = (minute: number) => new Date(Date.UTC(2025, 8, 13, 16, minute));
const PROGRAMS = ["1", "2", "3"];

const board = (key: RaceKey, minute: number, scratched: string[] = []) =>
  recordWinSnapshot(db, {
    ...key,
    fetchedAt: at(minute),
    runners: PROGRAMS.filter((p) => !scratched.includes(p)).map((programNumber) => ({
      programNumber,
      winOdds: 4,
    })),
    scratched,
  });
let alerts = 0;
const storeAlert = (key: RaceKey | null, channels: string[] = []) =>
  evaluationTransaction(db, (tx) =>
    tx.storeAlert(
      {
        triggeredAt: at(30),
        raceId: key ? raceIds[key.raceNumber]! : null,
        alertType: "steam",
        message: "m",
        dedupeKey: `changes:${++alerts}`,
      },
      channels,
      at(30),
    ),
  );

let since: ChangeMarks;
/** What changed since the previous call (or the test's start); moves `since` on. */
async function next() {
  const changes = await changesSince(db, since);
  since = changes.marks;
  return changes;
}

beforeAll(async () => {
  db = createTestDb("dashboard-changes");
  for (const key of [R1, R2, R3]) {
    await applyRaceCard(db, {
      ...key,
      entries: PROGRAMS.map((programNumber) => ({
        programNumber,
        horse: `H${key.raceNumber}-${programNumber}`,
      })),
    });
    raceIds[key.raceNumber] = (await findRace(db, key))!.raceId;
  }
});
beforeEach(async () => {
  since = await changeMarks(db);
  // The card mark is the writers' clock in milliseconds: let it tick past the marks just read.
  await sleep(3);
});
afterAll(async () => {
  await db.close();
});

describe("changesSince", () => {
  it("reports nothing when nothing was written, and the same marks", async () => {
    expect(await next()).toEqual({ marks: since, raceIds: [], alerts: false, stale: false });
    expect(await changeMarks(db)).toEqual(since);
  });

  it("reports exactly the race that got a new win board; the odds mark moves by its rows", async () => {
    const before = since;
    await board(R2, 1);
    const changes = await next();
    expect(changes).toMatchObject({ raceIds: [raceIds[2]], alerts: false, stale: false });
    // Three runners on the board: three rows, ids before.odds + 1 .. + 3.
    expect(changes.marks).toEqual({ ...before, odds: before.odds + 3 });
    expect(await next()).toMatchObject({ raceIds: [], alerts: false });
  });

  it("reports exactly the race that got a new exacta grid", async () => {
    const before = since;
    await recordExactaSnapshot(db, {
      ...R1,
      fetchedAt: at(2),
      probables: [
        { first: "1", second: "2", payout: 20 },
        { first: "2", second: "1", payout: 30 },
      ],
    });
    const changes = await next();
    expect(changes).toMatchObject({ raceIds: [raceIds[1]], alerts: false });
    expect(changes.marks).toEqual({ ...before, exacta: before.exacta + 2 });
  });

  it("reports exactly the race that got an alert, and alerts; an alert without a race only alerts", async () => {
    await storeAlert(R3);
    expect(await next()).toMatchObject({ raceIds: [raceIds[3]], alerts: true });
    await storeAlert(null);
    expect(await next()).toMatchObject({ raceIds: [], alerts: true });
  });

  it("reports a change committed in the same millisecond as one already seen", async () => {
    // The writers stamp updated_at with the clock; hold it still so both changes share one ms.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    try {
      await setRaceStatus(db, R2, "open");
      expect(await next()).toMatchObject({ raceIds: [raceIds[2]] });
      await setRaceStatus(db, R3, "open");
      // The clock has not moved, but the change is stamped one past the newest (change-stamp.ts):
      // exactly race 3 is reported.
      const same = await next();
      expect(same).toMatchObject({ raceIds: [raceIds[3]] });
      expect(same.marks.card).toBe(Date.now() + 1);
      expect(await next()).toMatchObject({ raceIds: [] });
    } finally {
      vi.useRealTimers();
    }
  });

  it("reports exactly the race whose status changed, and the one a board scratched a runner of", async () => {
    await setRaceStatus(db, R1, "off", at(5));
    const status = await next();
    expect(status).toMatchObject({ raceIds: [raceIds[1]], alerts: false });
    expect(status.marks.card).toBeGreaterThan(0);
    await sleep(3);
    // A card change of one runner (its jockey) moves entry.updated_at only.
    await applyRaceCard(db, {
      ...R3,
      entries: [{ programNumber: "2", horse: "H3-2", jockey: "J. Rosario" }],
    });
    expect(await next()).toMatchObject({ raceIds: [raceIds[3]] });
    await sleep(3);
    // "SCR" on R2's board: new odds rows and a scratch, both of R2.
    await board(R2, 3, ["3"]);
    expect(await next()).toMatchObject({ raceIds: [raceIds[2]], alerts: false });
  });

  it("a delivery attempt turns alerts on without naming a race", async () => {
    const { alertId } = await storeAlert(R1, ["webhook"]);
    // A new alert with its delivery row: R1, alerts.
    expect(await next()).toMatchObject({ raceIds: [raceIds[1]], alerts: true });
    const [row] = (await deliveryStatus(db, alertId))!.deliveries;
    await recordDeliveryFailure(db, row!.deliveryId, {
      at: at(31),
      error: "HTTP 502",
      nextAttemptAt: at(32),
    });
    const changes = await next();
    expect(changes).toMatchObject({ raceIds: [], alerts: true });
    expect(await next()).toMatchObject({ raceIds: [], alerts: false });
  });

  it("reports every race of several changes once, in ascending order", async () => {
    await storeAlert(R3);
    await board(R1, 6);
    await board(R3, 6);
    // R1's card was stored first, so its id is the lower: ascending, whatever the order of writes.
    expect(await next()).toMatchObject({ raceIds: [raceIds[1], raceIds[3]], alerts: true });
    expect(raceIds[1]).toBeLessThan(raceIds[3]!);
  });

  it("marks ahead of the file (another file, or before a reset) are stale: reload everything", async () => {
    const changes = await changesSince(db, { ...since, odds: since.odds + 1000 });
    expect(changes).toEqual({ marks: since, raceIds: [], alerts: true, stale: true });
    // The delivery mark moving back is only retention at work on old alerts.
    expect(await changesSince(db, { ...since, delivery: since.delivery + 5 })).toMatchObject({
      raceIds: [],
      alerts: true,
      stale: false,
    });
  });

  // The plan check is SQLite's: PostgreSQL's planner chooses by table statistics (and has no rowid).
  it.skipIf(testEngine() === "postgres")(
    "reads new rows by rowid range from the mark, never by scanning an index of the whole table",
    async () => {
      for (const name of ["odds", "exacta", "alert"] as const) {
        const plan = await queryRows<{ detail: string }>(
          db,
          `EXPLAIN QUERY PLAN ${CHANGED_RACES_SQL[name]}`,
          0,
        );
        expect(plan.map((row) => row.detail).join("\n")).toMatch(
          /^SEARCH \w+ USING INTEGER PRIMARY KEY \(rowid>\?\)/,
        );
      }
    },
  );

  it("a caller far behind (over 50,000 new rows, e.g. a forged 'o0...') is told to reload, not given the history", async () => {
    const wide: RaceKey = { ...R1, raceNumber: 9 };
    const programs = Array.from({ length: 50 }, (_, i) => String(i + 1));
    await applyRaceCard(db, {
      ...wide,
      entries: programs.map((p) => ({ programNumber: p, horse: `W${p}` })),
    });
    since = await changeMarks(db);
    // 1,001 boards of 50 runners: 50,050 rows, one over FAR_BEHIND.rows (50,000) plus 49.
    await writeBatch(db, async () => {
      for (let s = 0; s < 1_001; s++) {
        await recordWinSnapshot(db, {
          ...wide,
          fetchedAt: new Date(at(40).getTime() + s * 1_000),
          runners: programs.map((programNumber) => ({ programNumber, winOdds: 5 })),
        });
      }
    });
    const changes = await changesSince(db, since);
    expect(changes).toEqual({ marks: await changeMarks(db), raceIds: [], alerts: true, stale: true });
    expect(changes.marks.odds - since.odds).toBe(FAR_BEHIND.rows + 50);
    // Caught up, it is told what changed again.
    since = changes.marks;
    await board(R2, 50);
    expect(await next()).toMatchObject({ raceIds: [raceIds[2]], stale: false });
  });

  it("refuses marks that are not whole numbers >= 0", async () => {
    for (const bad of [{ odds: -1 }, { card: Number.NaN }, { alert: 1.5 }, { exacta: undefined as never }]) {
      await expect(changesSince(db, { ...since, ...bad })).rejects.toBeInstanceOf(InvalidInputError);
    }
  });
});

describe("formatChangeMarks / parseChangeMarks", () => {
  const marks = { odds: 123, exacta: 456, alert: 7, delivery: 9, card: 1_700_000_000_000 };

  it("writes a compact text and reads it back", async () => {
    expect(formatChangeMarks(marks)).toBe("o123.x456.a7.d9.c1700000000000");
    expect(parseChangeMarks("o123.x456.a7.d9.c1700000000000")).toEqual(marks);
    const now = await changeMarks(db);
    expect(parseChangeMarks(formatChangeMarks(now))).toEqual(now);
    expect(parseChangeMarks("o0.x0.a0.d0.c0")).toEqual({
      odds: 0,
      exacta: 0,
      alert: 0,
      delivery: 0,
      card: 0,
    });
  });

  it("returns null for anything else (a Last-Event-ID header may hold anything)", () => {
    for (const text of [
      undefined,
      null,
      "",
      "garbage",
      "o123.x456.a7.d9",
      "o123.x456.a7.d9.c1.e2",
      "x456.o123.a7.d9.c1",
      "O123.x456.a7.d9.c1",
      " o123.x456.a7.d9.c1",
      "o123.x456.a7.d9.c1\n",
      "o-1.x456.a7.d9.c1",
      "o01.x456.a7.d9.c1",
      "o1.5.x456.a7.d9.c1",
      "o1e3.x456.a7.d9.c1",
      "o123.x456.a7.d9.c99999999999999999",
      "o123.x456.a7.d9.c9999999999999999",
      "o123.x456.a7.d9.c" + "1".repeat(10_000),
      12 as never,
    ]) {
      expect(parseChangeMarks(text)).toBeNull();
    }
  });
});
