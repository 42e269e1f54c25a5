import { closedAfterEach, freshTestDatabaseUrl, quietLogger } from "@totewatch/test-utils";
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
    const url = await freshTestDatabaseUrl("daemon-wake");
    const ingestDb = client(url);
    const alertsDb = client(url);
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
});
