// The reads of many races or grids at once (many.ts): each request gets what the one-request read
// gives it, in the order asked, across more requests than one statement takes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../client.js";
import { createTestDb, testEngine } from "../../../testing/index.js";
import { readTransaction } from "../../sql.js";
import { recordExactaSnapshot } from "../exacta.js";
import { recordWinSnapshot } from "../odds.js";
import { applyRaceCard, findRace, type RaceKey } from "../races.js";
import { manyReadStatements, REQUESTS_PER_STATEMENT } from "./many.js";
import { evaluationReadTransaction } from "./view.js";

const POST = new Date("2025-06-01T17:00:00Z");
const race = (raceNumber: number): RaceKey => ({ track: "Testville", raceDate: "2025-06-01", raceNumber });
const t = (minute: number) => new Date(Date.UTC(2025, 5, 1, 16, minute));

let db: Db;
/** Race number -> race id. */
const raceIds: Record<number, number> = {};
beforeAll(async () => {
  db = createTestDb("many");
  for (const n of [1, 2, 5, 6, 7]) {
    await applyRaceCard(db, {
      ...race(n),
      postTime: POST,
      entries: ["1", "2", "3"].map((p) => ({ programNumber: p, horse: `Horse ${n}-${p}` })),
    });
    raceIds[n] = (await findRace(db, race(n)))!.raceId;
  }
});
afterAll(async () => {
  await db.close();
});

type Reader = Parameters<Parameters<typeof evaluationReadTransaction>[1]>[0];

/** The read of many over `requests`, and the one-request read of each, in one read transaction. */
const bothWays = <Request, Result>(
  requests: Request[],
  many: (tx: Reader, requests: Request[]) => Promise<Result[]>,
  one: (tx: Reader, request: Request) => Promise<Result>,
) =>
  evaluationReadTransaction(db, async (tx) => ({
    each: await many(tx, requests),
    alone: await Promise.all(requests.map((request) => one(tx, request))),
  }));

describe("EvaluationReader.winRowsBetweenEach and winSnapshotsBefore", () => {
  beforeAll(async () => {
    // Race 1: boards at 16:10, 16:20 and 16:30 (#3 scratched from 16:30); race 2 at 16:15 and 16:25.
    // Odds: program number + minute / 100 (#2 at 16:20 is 2.2).
    const board = (n: number, minute: number, programs: string[], scratched: string[] = []) =>
      recordWinSnapshot(db, {
        ...race(n),
        fetchedAt: t(minute),
        runners: programs.map((p) => ({ programNumber: p, winOdds: Number(p) + minute / 100 })),
        scratched,
      });
    await board(1, 10, ["1", "2", "3"]);
    await board(1, 20, ["1", "2", "3"]);
    await board(1, 30, ["1", "2"], ["3"]);
    await board(2, 15, ["1", "2", "3"]);
    await board(2, 25, ["1", "2", "3"]);
  });

  /** [minute, odds] of each row. */
  const shape = (rows: Array<{ fetchedAt: Date; entryId: number; winOdds: number }>) =>
    rows.map((r) => [r.fetchedAt.getUTCMinutes(), r.winOdds]);

  it("reads each span's rows as winRowsBetween does, in the order asked", async () => {
    const one = raceIds[1]!;
    const two = raceIds[2]!;
    const spans = [
      { raceId: two, from: t(0), to: t(59) },
      { raceId: one, from: t(10), to: t(20) },
      { raceId: one, from: t(21), to: t(29) },
      { raceId: one, from: t(30), to: t(30) },
      { raceId: one, from: t(10), to: t(20) },
    ];
    const { each, alone } = await bothWays(
      spans,
      (tx, all) => tx.winRowsBetweenEach(all),
      (tx, s) => tx.winRowsBetween(s.raceId, s.from, s.to),
    );
    expect(each).toEqual(alone);
    expect(each.map(shape)).toEqual([
      // Race 2, both boards: 1 + 0.15, 2 + 0.15, 3 + 0.15, then 1.25, 2.25, 3.25.
      [
        [15, 1.15],
        [15, 2.15],
        [15, 3.15],
        [25, 1.25],
        [25, 2.25],
        [25, 3.25],
      ],
      [
        [10, 1.1],
        [10, 2.1],
        [10, 3.1],
        [20, 1.2],
        [20, 2.2],
        [20, 3.2],
      ],
      // Between two boards: nothing.
      [],
      // 16:30 lists #1 and #2 only (#3 scratched has no odds): 1.3, 2.3.
      [
        [30, 1.3],
        [30, 2.3],
      ],
      [
        [10, 1.1],
        [10, 2.1],
        [10, 3.1],
        [20, 1.2],
        [20, 2.2],
        [20, 3.2],
      ],
    ]);
    expect(await evaluationReadTransaction(db, (tx) => tx.winRowsBetweenEach([]))).toEqual([]);
  });

  it("reads each race's latest board strictly before each instant as winSnapshotBefore does", async () => {
    const one = raceIds[1]!;
    const two = raceIds[2]!;
    const requests = [
      { raceId: one, before: t(20) },
      { raceId: two, before: t(15) },
      { raceId: two, before: t(26) },
      { raceId: one, before: t(59) },
    ];
    const { each, alone } = await bothWays(
      requests,
      (tx, all) => tx.winSnapshotsBefore(all),
      (tx, r) => tx.winSnapshotBefore(r.raceId, r.before),
    );
    expect(each).toEqual(alone);
    expect(each.map(shape)).toEqual([
      // Before 16:20: the 16:10 board (1.1, 2.1, 3.1).
      [
        [10, 1.1],
        [10, 2.1],
        [10, 3.1],
      ],
      // Race 2's first board is at 16:15 itself: none strictly before.
      [],
      // Before 16:26: 16:25 (1.25, 2.25, 3.25).
      [
        [25, 1.25],
        [25, 2.25],
        [25, 3.25],
      ],
      // Before 16:59: 16:30, #1 and #2 only.
      [
        [30, 1.3],
        [30, 2.3],
      ],
    ]);
  });

  it(`takes more requests than one statement (${REQUESTS_PER_STATEMENT}): 60, each race 1's 16:20 board`, async () => {
    const requests = Array.from({ length: 60 }, (_, i) => ({
      raceId: raceIds[1]!,
      before: new Date(t(20).getTime() + 1 + i),
    }));
    const each = await evaluationReadTransaction(db, (tx) => tx.winSnapshotsBefore(requests));
    expect(each).toHaveLength(60);
    expect(new Set(each.map((rows) => JSON.stringify(shape(rows))))).toEqual(
      new Set([
        JSON.stringify([
          [20, 1.2],
          [20, 2.2],
          [20, 3.2],
        ]),
      ]),
    );
  });
});

describe("EvaluationReader.exactaGrids", () => {
  beforeAll(async () => {
    // Race 5 at 16:10 and 16:20, race 6 at 16:10 (the same instant as race 5's first grid).
    // Payouts: race number x 100 + minute + the combination's place in the list (0..2) / 4, so
    // fractions cross PostgreSQL's JSON form of a grid unchanged.
    const grid = (n: number, minute: number, pool: number) =>
      recordExactaSnapshot(db, {
        ...race(n),
        fetchedAt: t(minute),
        totalExactaPool: pool,
        probables: [
          ["2", "1"],
          ["1", "2"],
          ["3", "1"],
        ].map(([first, second], i) => ({ first: first!, second: second!, payout: n * 100 + minute + i / 4 })),
      });
    await grid(5, 10, 5000);
    await grid(5, 20, 6000);
    await grid(6, 10, 7000);
  });

  it("reads every grid asked for, in the order asked, each as exactaGrid reads it", async () => {
    const five = raceIds[5]!;
    const six = raceIds[6]!;
    // Race 6 first, a grid never stored (race 6 at 16:20), and race 5's 16:10 grid asked twice.
    const keys = [
      { raceId: six, fetchedAt: t(10) },
      { raceId: five, fetchedAt: t(20) },
      { raceId: six, fetchedAt: t(20) },
      { raceId: five, fetchedAt: t(10) },
      { raceId: five, fetchedAt: t(10) },
    ];
    const { each: grids, alone } = await bothWays(
      keys,
      (tx, all) => tx.exactaGrids(all),
      (tx, key) => tx.exactaGrid(key.raceId, key.fetchedAt),
    );
    expect(grids).toEqual(alone);
    expect(
      grids.map((g) => [g.raceId, g.fetchedAt, g.totalExactaPool, g.probables.map((p) => p.payout)]),
    ).toEqual([
      // Race 6 at 16:10: 600 + 10 + 0, 1/4, 2/4.
      [six, t(10), 7000, [610, 610.25, 610.5]],
      // Race 5 at 16:20: 500 + 20 + 0, 1/4, 2/4.
      [five, t(20), 6000, [520, 520.25, 520.5]],
      [six, t(20), null, []],
      // Race 5 at 16:10: 500 + 10 + 0, 1/4, 2/4, twice.
      [five, t(10), 5000, [510, 510.25, 510.5]],
      [five, t(10), 5000, [510, 510.25, 510.5]],
    ]);
    // Each grid's combinations in the order they were recorded (exacta id order).
    expect(grids[0]!.probables.map((p) => `${p.first}-${p.second}`)).toEqual(["2-1", "1-2", "3-1"]);
    expect(await evaluationReadTransaction(db, (tx) => tx.exactaGrids([]))).toEqual([]);
  });

  it(`reads more grids than one statement takes (${REQUESTS_PER_STATEMENT}): 60 grids of race 7, one a second`, async () => {
    const raceId = raceIds[7]!;
    const second = (i: number) => new Date(t(30).getTime() + i * 1000);
    // Grid i: 1-2 pays 100 + i.
    for (let i = 0; i < 60; i++)
      await recordExactaSnapshot(db, {
        ...race(7),
        fetchedAt: second(i),
        probables: [{ first: "1", second: "2", payout: 100 + i }],
      });
    const keys = Array.from({ length: 60 }, (_, i) => ({ raceId, fetchedAt: second(59 - i) }));
    const grids = await evaluationReadTransaction(db, (tx) => tx.exactaGrids(keys));
    // Newest first, as asked: 159, 158, ..., 100.
    expect(grids.map((g) => g.probables.map((p) => p.payout))).toEqual(keys.map((_, i) => [159 - i]));
    expect(grids.map((g) => g.fetchedAt)).toEqual(keys.map((key) => key.fetchedAt));
  });
});

describe.runIf(testEngine() === "postgres")("the reads of many on PostgreSQL", () => {
  it("look each request up on the index, even where the planner would rather hash the requests", async () => {
    // With nested loops priced out, a plan that may join the requests to the table as a whole
    // (an IN, or a LATERAL the planner pulls up) hashes them and scans the table; only a
    // request-by-request subquery (OFFSET 0) still looks each one up.
    const plans = await readTransaction(db, async (sql) => {
      await sql.run("SET LOCAL enable_nestloop = off");
      const shown: Record<string, string> = {};
      for (const [name, text] of Object.entries(manyReadStatements(sql))) {
        const rows = await sql.all<{ "QUERY PLAN": string }>(`EXPLAIN ${text}`, "[[1, 0, 0]]");
        shown[name] = rows.map((row) => row["QUERY PLAN"]).join("\n");
      }
      return shown;
    });
    expect(Object.keys(plans)).toEqual([
      "raceAlerts",
      "exactaGrids",
      "winRowsBetweenEach",
      "winSnapshotsBefore",
    ]);
    for (const [name, plan] of Object.entries(plans)) {
      // An index scan, or a bitmap one (the few alerts of a race).
      expect(plan, name).toMatch(/Index Scan (using|on) idx_(exacta_race_time|odds_race_time|alert_race)/);
      expect(plan, name).not.toMatch(/Seq Scan|Hash/);
    }
  });
});
