// The evaluation reader: races() (the race as the rules see it, its off time and scratch times
// included), lastBoardListing (the last board that still showed a runner), raceAlerts (every
// alert of several races at once), alertExists. The reads
// of many races or grids at once: many.int.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../client.js";
import { createTestDb, storeSteamAlert } from "../../../testing/index.js";
import { recordWinSnapshot } from "../odds.js";
import { applyRaceCard, entriesForRace, findRace, setRaceStatus, type RaceKey } from "../races.js";
import { evaluationReadTransaction, evaluationTransaction } from "./view.js";

const POST = new Date("2025-06-01T17:00:00Z");
const OFF = new Date("2025-06-01T17:02:40Z");
const race = (raceNumber: number): RaceKey => ({ track: "Testville", raceDate: "2025-06-01", raceNumber });

let db: Db;
const ids: number[] = [];
beforeAll(async () => {
  db = createTestDb("reader");
  for (const n of [1, 2]) {
    await applyRaceCard(db, {
      ...race(n),
      postTime: POST,
      entries: [
        { programNumber: "1", horse: `Horse ${n}-1`, morningLineOdds: 3 },
        { programNumber: "2", horse: `Horse ${n}-2`, scratched: true },
      ],
    });
    ids.push((await findRace(db, race(n)))!.raceId);
  }
  await setRaceStatus(db, race(1), "off", OFF);
});
afterAll(async () => {
  await db.close();
});

describe("EvaluationReader.races", () => {
  it("carries each race's status and off time (null when not known), with its card", async () => {
    const races = await evaluationReadTransaction(db, (tx) => tx.races([...ids, 9999]));
    expect([...races.keys()]).toEqual(ids);
    const [off, open] = ids.map((id) => races.get(id)!);
    expect(off).toMatchObject({ raceNumber: 1, status: "off", postTime: POST, offAt: OFF });
    expect(off!.offAt).toBeInstanceOf(Date);
    expect(open).toMatchObject({ raceNumber: 2, status: "scheduled", offAt: null });
    expect([...off!.entries.values()].map((e) => [e.programNumber, e.morningLineOdds, e.scratched])).toEqual([
      ["1", 3, false],
      ["2", null, true],
    ]);
    // Scratched by an undated card: scratched, but since when is not known.
    expect([...off!.entries.values()].map((e) => e.scratchedAt)).toEqual([null, null]);
  });

  it("carries when each scratch became known, as a Date", async () => {
    const key = race(3);
    await applyRaceCard(db, {
      ...key,
      postTime: POST,
      asOf: new Date("2025-06-01T16:00:00Z"),
      entries: [
        { programNumber: "1", horse: "Horse 3-1" },
        { programNumber: "2", horse: "Horse 3-2", scratched: true },
      ],
    });
    const id = (await findRace(db, key))!.raceId;
    const entries = [
      ...(await evaluationReadTransaction(db, (tx) => tx.races([id]))).get(id)!.entries.values(),
    ];
    expect(entries.map((e) => [e.programNumber, e.scratched, e.scratchedAt])).toEqual([
      ["1", false, null],
      ["2", true, new Date("2025-06-01T16:00:00Z")],
    ]);
  });
});

describe("EvaluationReader.lastBoardListing", () => {
  const key = race(4);
  const t = (minute: number) => new Date(Date.UTC(2025, 5, 1, 16, minute));
  let raceId: number;
  const entry: Record<string, number> = {};

  beforeAll(async () => {
    await applyRaceCard(db, {
      ...key,
      postTime: POST,
      entries: ["1", "2", "3", "4"].map((p) => ({ programNumber: p, horse: `Horse 4-${p}` })),
    });
    raceId = (await findRace(db, key))!.raceId;
    for (const e of await entriesForRace(db, raceId)) entry[e.programNumber] = e.entryId;
    const board = (minute: number, programs: string[], scratched: string[] = []) =>
      recordWinSnapshot(db, {
        ...key,
        fetchedAt: t(minute),
        runners: programs.map((p) => ({ programNumber: p, winOdds: Number(p) + minute / 10 })),
        scratched,
      });
    // 16:10 and 16:20 list #1..#3; at 16:30 #2 is "SCR" (gone); 16:40 lists #1, #3 and #4.
    await board(10, ["1", "2", "3"]);
    await board(20, ["1", "2", "3"]);
    await board(30, ["1", "3"], ["2"]);
    await board(40, ["1", "3", "4"]);
  });

  const listing = (program: string, atOrBefore: Date) =>
    evaluationReadTransaction(db, (tx) => tx.lastBoardListing(raceId, entry[program]!, atOrBefore));
  /** [fetched at, program numbers] of a board's rows. */
  const shape = (rows: Awaited<ReturnType<typeof listing>>) => [
    [...new Set(rows.map((r) => r.fetchedAt.toISOString()))],
    rows.map((r) => Object.keys(entry).find((p) => entry[p] === r.entryId)),
  ];

  it("is the whole latest board at or before the instant that still listed the runner", async () => {
    // #2 scratched at 16:30: asked at 16:45, its last listing is the 16:20 board, all its rows.
    expect(shape(await listing("2", t(45)))).toEqual([[t(20).toISOString()], ["1", "2", "3"]]);
    const rows = await listing("2", t(45));
    // #2's row on it: odds 2 + 20/10 = 4.
    expect(rows.find((r) => r.entryId === entry["2"])).toMatchObject({
      raceId,
      winOdds: 4,
      fetchedAt: t(20),
    });
    // At or before: asked at 16:20 exactly, the 16:20 board; at 16:19, the 16:10 one.
    expect(shape(await listing("2", t(20)))[0]).toEqual([t(20).toISOString()]);
    expect(shape(await listing("2", t(19)))[0]).toEqual([t(10).toISOString()]);
    // A runner still listed: the latest board itself.
    expect(shape(await listing("1", t(45)))).toEqual([[t(40).toISOString()], ["1", "3", "4"]]);
  });

  it("is [] for a runner never listed by then (or never at all)", async () => {
    expect(await listing("4", t(39))).toEqual([]);
    expect(await listing("1", t(9))).toEqual([]);
    expect(await evaluationReadTransaction(db, (tx) => tx.lastBoardListing(raceId, 999_999, t(45)))).toEqual(
      [],
    );
  });
});

describe("EvaluationReader.raceAlerts", () => {
  it("reads every alert of each race asked for, as raceAlertsBetween over all time does", async () => {
    const [one, two] = ids as [number, number];
    const at = (minute: number) => new Date(Date.UTC(2025, 5, 1, 16, minute));
    // Race 1: a steam alert at 16:05 and a drift at 16:50; race 2: none; no race: one more.
    const store = (raceId: number | null, alertType: string, minute: number) =>
      evaluationTransaction(db, (tx) =>
        tx.storeAlert(
          {
            triggeredAt: at(minute),
            alertType,
            message: alertType,
            dedupeKey: `ledger:${raceId}:${minute}`,
            raceId,
          },
          [],
          at(minute),
        ),
      );
    await store(one, "steam", 5);
    await store(one, "drift", 50);
    await store(null, "system", 7);
    const { alerts, between } = await evaluationReadTransaction(db, async (tx) => ({
      alerts: await tx.raceAlerts([two, one, 999_999]),
      between: await tx.raceAlertsBetween(one, new Date(0), new Date("9999-12-31T00:00:00Z")),
    }));
    expect([...alerts.keys()]).toEqual([two, one, 999_999]);
    const byTime = (refs: typeof between) =>
      [...refs].sort((a, b) => a.triggeredAt.getTime() - b.triggeredAt.getTime());
    expect(byTime(alerts.get(one)!)).toEqual(byTime(between));
    expect(byTime(alerts.get(one)!)).toEqual([
      { alertType: "steam", subject: null, triggeredAt: at(5) },
      { alertType: "drift", subject: null, triggeredAt: at(50) },
    ]);
    expect(alerts.get(two)).toEqual([]);
    expect(alerts.get(999_999)).toEqual([]);
    expect(await evaluationReadTransaction(db, (tx) => tx.raceAlerts([]))).toEqual(new Map());
  });
});

describe("EvaluationReader.alertExists", () => {
  it("says whether an alert with the dedupe key is stored", async () => {
    const { dedupeKey } = await storeSteamAlert(db, { dedupeKey: "steam:reader-test" });
    expect(await evaluationReadTransaction(db, (tx) => tx.alertExists(dedupeKey))).toBe(true);
    expect(await evaluationReadTransaction(db, (tx) => tx.alertExists("steam:reader-test:other"))).toBe(
      false,
    );
  });
});
