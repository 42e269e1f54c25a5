import {
  alertRows,
  closedAfterEach,
  freshTestDatabaseUrl,
  lastOddsSnapshotId,
  quietLogger,
} from "@totewatch/test-utils";
import { describe, expect, it } from "vitest";
import { alertStrength, deliveryStatus, evaluationTransaction, listAlerts } from "@totewatch/db";
import { runBacktest } from "../backtest/backtest.js";
import { EXACTA_CURSOR, WIN_CURSOR } from "./pass.js";
import { processPending } from "./process.js";
import {
  at,
  evaluationMarks,
  storedAlerts,
  PHASE_ONE_ALERTS,
  testConfig,
  writeCard,
  writePhaseOne,
  writePhaseTwo,
  writeWin,
} from "../../test/engine.js";

const logger = quietLogger();
const config = testConfig();
const client = closedAfterEach();

describe("processPending on a real database (SQLite file or PostgreSQL)", () => {
  it("stores exactly the alerts a scripted race calls for, with subjects, details and delivery rows", async () => {
    const db = client(await freshTestDatabaseUrl("engine"));
    await writePhaseOne(db);

    const result = await processPending(db, config, { logger, channels: ["console", "webhook"] });

    expect(await storedAlerts(db)).toEqual(PHASE_ONE_ALERTS);
    expect(result).toMatchObject({
      winSnapshots: 5,
      exactaGrids: 1,
      raised: 4,
      caughtUp: true,
      suppressed: { duplicate: 3, race_limit: 0 },
    });
    const [steam] = (await listAlerts(db, { limit: 10 })).filter((alert) => alert.alertType === "steam");
    expect(steam).toMatchObject({
      subject: "3",
      runner: { horse: "Charlie" },
      race: { track: "Testville", raceNumber: 1 },
      sent: false,
    });
    expect(steam!.details).toMatchObject({ before: 5, after: 2.5, minutesToPost: 5 });
    expect(alertStrength(steam!)).toBeGreaterThan(0);
    const status = await deliveryStatus(db, steam!.alertId);
    expect(status?.deliveries.map((row) => [row.channel, row.attempts, row.deliveredAt])).toEqual([
      ["console", 0, null],
      ["webhook", 0, null],
    ]);
  });

  it("keeps suppression across a restart: duplicates and the per-race limit come from the database", async () => {
    const url = await freshTestDatabaseUrl("engine-restart");
    const first = client(url);
    await writePhaseOne(first);
    await processPending(first, config, { logger });
    await first.close();

    const second = client(url);
    await writePhaseTwo(second);
    const result = await processPending(second, config, { logger });

    expect(result).toMatchObject({ winSnapshots: 2, exactaGrids: 0, raised: 1 });
    // 11:59:30: #1 repeats its 11:45 crossing (duplicate), #3 is new but the race has its 5.
    expect(result.suppressed.race_limit).toBe(1);
    expect(await storedAlerts(second)).toEqual([...PHASE_ONE_ALERTS, "odds_above #2 11:59"]);
  });

  it("moves the high-water marks so a restart mid-way neither misses nor re-evaluates a snapshot", async () => {
    const url = await freshTestDatabaseUrl("engine-hwm");
    const writer = client(url);
    await writePhaseOne(writer);
    await writePhaseTwo(writer);

    // One whole snapshot per pass (4 runner rows, limit 5 cuts the second one), one pass per "process".
    let winSnapshots = 0;
    let exactaGrids = 0;
    let restarts = 0;
    for (;;) {
      const db = client(url);
      const pass = await processPending(db, config, {
        logger,
        maxWinRows: 5,
        maxExactaGrids: 1,
        maxPasses: 1,
      });
      winSnapshots += pass.winSnapshots;
      exactaGrids += pass.exactaGrids;
      await db.close();
      restarts++;
      if (pass.caughtUp) break;
      expect(restarts).toBeLessThan(50);
    }
    expect(restarts).toBeGreaterThan(3);
    // Every snapshot exactly once: 7 win boards and 1 exacta grid.
    expect({ winSnapshots, exactaGrids }).toEqual({ winSnapshots: 7, exactaGrids: 1 });

    const check = client(url);
    expect(await storedAlerts(check)).toEqual([...PHASE_ONE_ALERTS, "odds_above #2 11:59"]);
    const again = await processPending(check, config, { logger });
    expect(again).toMatchObject({ winSnapshots: 0, exactaGrids: 0, raised: 0, caughtUp: true });
    const lastSnapshotId = await lastOddsSnapshotId(check);
    const marks = await evaluationMarks(check);
    expect(marks[0]).toBe(lastSnapshotId);
    expect(marks[1]).toBeGreaterThan(0);
  });

  it("never evaluates half a snapshot: a read cut mid-board stops before that board", async () => {
    const db = client(await freshTestDatabaseUrl("engine-cut"));
    await writeCard(db);
    // 11 minutes apart: outside steam's 10-minute window, so the crossing is the only alert.
    await writeWin(db, "11:34", { 1: 2.5, 2: 3, 3: 5, 4: 10 });
    await writeWin(db, "11:45", { 1: 1.8, 2: 3, 3: 5, 4: 10 });

    // 6 rows: the first board (4 rows) and half of the second.
    const first = await processPending(db, config, { logger, maxWinRows: 6, maxPasses: 1 });
    expect(first).toMatchObject({ winSnapshots: 1, raised: 0, caughtUp: false });
    expect(await storedAlerts(db)).toEqual([]);

    const rest = await processPending(db, config, { logger, maxWinRows: 6 });
    expect(rest).toMatchObject({ winSnapshots: 1, raised: 1, caughtUp: true });
    expect(await storedAlerts(db)).toEqual(["odds_below #1 11:45"]);
  });

  it("re-evaluating after the cursor is lost (a crash, a reset by hand) stores nothing twice", async () => {
    const db = client(await freshTestDatabaseUrl("engine-reset"));
    await writePhaseOne(db);
    await processPending(db, config, { logger });
    await evaluationTransaction(db, async (tx) => {
      await tx.setCursor(WIN_CURSOR, 0, new Date());
      await tx.setCursor(EXACTA_CURSOR, 0, new Date());
    });

    const again = await processPending(db, config, { logger });
    expect(again.winSnapshots).toBe(5);
    expect(again.raised).toBe(0);
    expect(await storedAlerts(db)).toEqual(PHASE_ONE_ALERTS);
  });

  it("boards of a win pool below the minimum never alert", async () => {
    const db = client(await freshTestDatabaseUrl("engine-pool"));
    await writeCard(db);
    await writeWin(db, "11:44", { 1: 2.5, 2: 3, 3: 5, 4: 10 }, { pool: 1000 });
    await writeWin(db, "11:45", { 1: 1.8, 2: 3, 3: 5, 4: 10 }, { pool: 1000 });
    const result = await processPending(db, config, { logger });
    expect(result).toMatchObject({ winSnapshots: 2, raised: 0 });
  });

  it("backtest raises exactly the alerts the engine stored, without storing anything", async () => {
    const db = client(await freshTestDatabaseUrl("engine-backtest"));
    await writePhaseOne(db);
    await writePhaseTwo(db);
    await processPending(db, config, { logger });
    const storedKeys = (await alertRows(db)).map((row) => row.dedupeKey).sort();
    expect(storedKeys).toHaveLength(5);

    const backtest = await runBacktest(db, config, { from: at("00:00"), to: at("23:59") });
    expect(backtest.alerts.map((alert) => alert.dedupeKey).sort()).toEqual(storedKeys);
    expect(await listAlerts(db, { limit: 100 })).toHaveLength(5);

    // A window that starts mid-race still sees the board before it (crossings) and steam's window.
    const late = await runBacktest(db, config, { from: at("11:55"), to: at("11:56") });
    // Suppression starts empty at the window's start: the overlay first raised at 11:50 is new here.
    expect(late.alerts.map((alert) => `${alert.alertType} ${alert.subject}`)).toEqual([
      "steam 3",
      "overlay 4",
      "exacta_low 1-2",
    ]);
  });
});
