/**
 * How a daemon's pass commits (process.ts): it decides in a read transaction, so ingest's
 * writes never wait for it, then stores its decision in one short write transaction that is
 * refused when another daemon's pass moved the marks meanwhile; then it decides again. On the
 * engine the tests run on (SQLite file or PostgreSQL).
 */
import {
  alertRows,
  closedAfterEach,
  freshTestDatabaseUrl,
  lastOddsSnapshotId,
  quietLogger,
} from "@totewatch/test-utils";
import { describe, expect, it } from "vitest";
import { DECISIONS_BEFORE_LOCKED, processPending } from "./process.js";
import {
  evaluationMarks as marks,
  PHASE_ONE_ALERTS,
  storedAlerts,
  testConfig,
  writePhaseOne,
  writeWin,
} from "../../test/engine.js";

const logger = quietLogger();
const config = testConfig();
const client = closedAfterEach();

describe("a daemon's pass", () => {
  it("lets ingest commit while it decides; what ingest wrote is the next pass's", async () => {
    const url = await freshTestDatabaseUrl("pass-commit-ingest");
    const [daemon, ingest] = [client(url), client(url)];
    await writePhaseOne(daemon);
    let decisions = 0;
    const first = await processPending(daemon, config, {
      logger,
      whileDeciding: async () => {
        // Ingest writes a board while the pass holds its read transaction: a pass that held the
        // writers' lock would make this wait for ever (it is awaited inside the pass).
        if (++decisions === 1) await writeWin(ingest, "11:59", { 1: 2.2, 2: 6.5, 3: 2.4, 4: 21 });
      },
    });
    // The pass decided on phase one's six snapshots (5 boards, 1 grid), all there was when it read.
    expect(decisions).toBe(1);
    expect(first).toMatchObject({ passes: 1, winSnapshots: 5, exactaGrids: 1, raised: 4, caughtUp: true });
    expect(first.alertIds).toHaveLength(4);
    expect(await storedAlerts(daemon)).toEqual(PHASE_ONE_ALERTS);
    // The next pass: the 11:59 board's odds_above #2 (3 -> 6.5 crosses 6), the race's fifth alert.
    const next = await processPending(daemon, config, { logger });
    expect(next).toMatchObject({ passes: 1, winSnapshots: 1, raised: 1 });
    expect(await storedAlerts(daemon)).toEqual([...PHASE_ONE_ALERTS, "odds_above #2 11:59"]);
  });

  it("overtaken by another daemon's pass, stores nothing of its decision and decides again", async () => {
    const url = await freshTestDatabaseUrl("pass-commit-overtaken");
    const [first, second] = [client(url), client(url)];
    await writePhaseOne(first);
    let decisions = 0;
    let secondIds: number[] = [];
    const result = await processPending(first, config, {
      logger,
      whileDeciding: async () => {
        // Another daemon evaluates the same snapshots and commits first.
        if (++decisions === 1) secondIds = (await processPending(second, config, { logger })).alertIds;
      },
    });
    // The first decision is refused (the marks moved); the second finds nothing pending.
    expect(decisions).toBe(2);
    expect(result.alertIds).toEqual([]);
    expect(secondIds).toHaveLength(PHASE_ONE_ALERTS.length);
    expect(await storedAlerts(first)).toEqual(PHASE_ONE_ALERTS);
    expect(await alertRows(first)).toHaveLength(PHASE_ONE_ALERTS.length);
    expect(await marks(first)).toEqual(await marks(second));
  });

  it(`refused ${DECISIONS_BEFORE_LOCKED} times in a row, runs under the writers' lock, where nothing overtakes it`, async () => {
    const url = await freshTestDatabaseUrl("pass-commit-locked");
    const [first, second] = [client(url), client(url)];
    await writePhaseOne(first);
    const boards = ["11:59", "11:59:10", "11:59:20"];
    let decisions = 0;
    const result = await processPending(first, config, {
      logger,
      whileDeciding: async () => {
        // Each decision is overtaken: the other daemon evaluates what this one decided on, then
        // ingest writes one more board for this one's next decision.
        const board = boards[decisions++];
        if (board === undefined) return;
        await processPending(second, config, { logger });
        await writeWin(second, board, { 1: 2.2, 2: 6.5, 3: 2.4, 4: 21 });
      },
    });
    // Three decisions, each refused; then one pass under the writers' lock (it does not decide
    // first) over the 11:59:20 board, whose alerts the race's limit of five suppresses.
    expect(decisions).toBe(DECISIONS_BEFORE_LOCKED);
    expect(result).toMatchObject({ passes: 1, winSnapshots: 1, raised: 0, caughtUp: true });
    expect(await marks(first)).toEqual([await lastOddsSnapshotId(first), (await marks(second))[1]]);
    // Phase one's four, then the other daemon's odds_above #2 at 11:59 (3 -> 6.5 crosses 6), each once.
    expect(await storedAlerts(first)).toEqual([...PHASE_ONE_ALERTS, "odds_above #2 11:59"]);
    expect(await alertRows(first)).toHaveLength(5);
  });
});
