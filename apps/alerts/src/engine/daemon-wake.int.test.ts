import { closedAfterEach, freshDatabaseFile, quietLogger } from "@totewatch/test-utils";
import { describe, expect, it } from "vitest";
import { parseConfig } from "@totewatch/config";
import { applyRaceCard, recordWinSnapshot } from "@totewatch/db";
import { runDaemon, type DaemonTurn } from "./daemon.js";

const logger = quietLogger();
const config = parseConfig("", "<test>", {});
const client = closedAfterEach();
const RACE = { track: "Saratoga", raceDate: "2025-06-07", raceNumber: 1 };

describe("the daemon between turns", () => {
  it("is woken by another client's commit, not only by its poll interval", async () => {
    const file = freshDatabaseFile("daemon-wake");
    const ingestDb = client(file);
    const alertsDb = client(file);
    const entries = [
      { programNumber: "1", horse: "Alpha", morningLineOdds: 2 },
      { programNumber: "2", horse: "Bravo", morningLineOdds: 3 },
    ];
    await applyRaceCard(ingestDb, { ...RACE, entries });

    const stop = new AbortController();
    const turns: DaemonTurn[] = [];
    let turned = () => {};
    const turnWhere = (test: (turn: DaemonTurn) => boolean) =>
      new Promise<void>((resolve) => {
        turned = () => turns.some(test) && resolve();
        turned();
      });
    const daemon = runDaemon(alertsDb, {
      config,
      logger,
      channels: [],
      signal: stop.signal,
      // A day: within this test only a commit can end the daemon's wait.
      pollIntervalMs: 24 * 60 * 60 * 1000,
      onTurn: (turn) => {
        turns.push(turn);
        turned();
      },
    });
    // Caught up (nothing to evaluate yet): the daemon is waiting, or about to.
    await turnWhere((turn) => turn.evaluation.caughtUp);

    await recordWinSnapshot(ingestDb, {
      ...RACE,
      fetchedAt: new Date("2025-06-07T17:00:00Z"),
      runners: [
        { programNumber: "1", winOdds: 2 },
        { programNumber: "2", winOdds: 3 },
      ],
    });
    await turnWhere((turn) => turn.evaluation.winSnapshots > 0);

    // The stop ends the wait too, and the daemon returns.
    stop.abort();
    const summary = await daemon;
    expect(summary).toMatchObject({ winSnapshots: 1, errors: 0 });
  }, 30_000);

  it("lets a burst of commits land (commitSettleMs) and evaluates it in one pass", async () => {
    const file = freshDatabaseFile("daemon-settle");
    const ingestDb = client(file);
    const alertsDb = client(file);
    const entries = [
      { programNumber: "1", horse: "Alpha", morningLineOdds: 2 },
      { programNumber: "2", horse: "Bravo", morningLineOdds: 3 },
    ];
    await applyRaceCard(ingestDb, { ...RACE, entries });
    const stop = new AbortController();
    const turns: DaemonTurn[] = [];
    let turned = () => {};
    const turnWhere = (test: (turn: DaemonTurn) => boolean) =>
      new Promise<void>((resolve) => {
        turned = () => turns.some(test) && resolve();
        turned();
      });
    const daemon = runDaemon(alertsDb, {
      config,
      logger,
      channels: [],
      signal: stop.signal,
      pollIntervalMs: 24 * 60 * 60 * 1000,
      // Far longer than five commits take, so the test does not race the clock.
      commitSettleMs: 2_000,
      onTurn: (turn) => {
        turns.push(turn);
        turned();
      },
    });
    await turnWhere((turn) => turn.evaluation.caughtUp);
    const before = turns.length;
    // Five boards, five commits 100 ms apart (a poll's burst): the first wakes the daemon, which
    // waits for the rest (without the settle, each would be a pass of its own).
    for (let minute = 0; minute < 5; minute++) {
      if (minute > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      await recordWinSnapshot(ingestDb, {
        ...RACE,
        fetchedAt: new Date(Date.UTC(2025, 5, 7, 17, minute)),
        runners: [
          { programNumber: "1", winOdds: 2 + minute / 10 },
          { programNumber: "2", winOdds: 3 },
        ],
      });
    }
    await turnWhere((turn) => turn.evaluation.winSnapshots > 0);
    stop.abort();
    await daemon;
    // The turn after the burst evaluated all five boards in one pass.
    const evaluating = turns.slice(before).filter((turn) => turn.evaluation.winSnapshots > 0);
    expect(evaluating.map((turn) => [turn.evaluation.winSnapshots, turn.evaluation.passes])).toEqual([
      [5, 1],
    ]);
  }, 30_000);
});
