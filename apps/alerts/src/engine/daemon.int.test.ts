import { alertRows, closedAfterEach, freshTestDatabaseUrl, quietLogger } from "@totewatch/test-utils";
import { describe, expect, it } from "vitest";
import { parseConfig } from "@totewatch/config";
import { oddsActivity, type Db } from "@totewatch/db";
import { runSimulation } from "@totewatch/simulator";
import { setImmediate as nextTurn } from "node:timers/promises";
import { runBacktest } from "../backtest/backtest.js";
import type { StoredAlert } from "@totewatch/db";
import type { Channel } from "../delivery/index.js";
import { writeFeedMessage } from "@totewatch/feed";
import { runAlongside } from "./alongside.js";
import { processPending } from "./process.js";

const logger = quietLogger();
const DATE = "2025-06-07";
// The built-in defaults, with a per-race cap low enough to bind: then the order of evaluation matters.
const config = parseConfig("alerts:\n  suppression: { maxPerRace: 6 }\n", "<test>", {});
const simulation = { date: DATE, tracks: 2, racesPerTrack: 3, runners: 8, seed: 11, exacta: true };
const wholeDay = { from: new Date("2025-06-06T00:00:00Z"), to: new Date("2025-06-09T00:00:00Z") };

const client = closedAfterEach();

async function storedKeys(db: Db): Promise<string[]> {
  return (await alertRows(db)).map((row) => row.dedupeKey).sort();
}

/** A channel that remembers what it was given. */
function recordingChannel(): Channel & { received: StoredAlert[] } {
  const received: StoredAlert[] = [];
  return {
    name: "console",
    received,
    async send(alert) {
      received.push(alert);
    },
  };
}

describe("the daemon with ingest writing to the same database concurrently", () => {
  it("evaluates every snapshot exactly once and stores what one offline evaluation of the day raises", async () => {
    const url = await freshTestDatabaseUrl("daemon-concurrent");
    const ingestDb = client(url);
    const alertsDb = client(url);
    const channel = recordingChannel();
    let written = 0;
    const writtenAtBusyTurns: number[] = [];

    const {
      ingest,
      live,
      catchUp: rest,
    } = await runAlongside({
      // A poll a minute (about 740 messages, not 300): PostgreSQL's turns take longer than SQLite's,
      // and a longer day still gives the daemon many turns on either engine while it is written.
      simulation: { ...simulation, pollEverySeconds: 60 },
      ingestDb,
      alertsDb,
      config,
      logger,
      channels: [channel],
      pollIntervalMs: 1,
      onTurn: (turn) => {
        if (turn.evaluation.winSnapshots + turn.evaluation.exactaGrids > 0) writtenAtBusyTurns.push(written);
      },
      apply: async (db, message) => {
        const result = await writeFeedMessage(db, message);
        written++;
        return result;
      },
    });

    expect(ingest.invalid).toBe(0);
    // The daemon evaluated many times while the day was still being written.
    expect(writtenAtBusyTurns.filter((count) => count < ingest.messages).length).toBeGreaterThan(10);
    const activity = await oddsActivity(alertsDb);
    expect(live.winSnapshots + rest.winSnapshots).toBe(activity.winSnapshots);
    expect(live.exactaGrids + rest.exactaGrids).toBe(activity.exactaGrids);

    const keys = await storedKeys(alertsDb);
    const offline = await runBacktest(alertsDb, config, wholeDay);
    expect(keys.length).toBeGreaterThan(10);
    expect(offline.alerts.map((alert) => alert.dedupeKey).sort()).toEqual(keys);
    // Delivered once each, and marked sent.
    expect(channel.received.map((alert) => alert.dedupeKey).sort()).toEqual(keys);
    const unsent = (await alertRows(alertsDb)).filter((row) => !row.sent).length;
    expect(unsent).toBe(0);
  });

  it("with tiny read limits (batches cut mid-snapshot, streams truncated) still matches the offline evaluation", async () => {
    const url = await freshTestDatabaseUrl("daemon-tiny");
    const ingestDb = client(url);
    const alertsDb = client(url);
    let ingestDone = false;
    let passes = 0;
    let winSnapshots = 0;
    let exactaGrids = 0;

    const engine = (async () => {
      for (;;) {
        const finished = ingestDone;
        const pass = await processPending(alertsDb, config, {
          logger,
          maxWinRows: 13,
          maxExactaGrids: 2,
          // Under two 8-runner grids (56 probables each): reads are cut mid-grid, or must grow to fit one.
          maxExactaRows: 70,
          maxPasses: 1,
        });
        passes++;
        winSnapshots += pass.winSnapshots;
        exactaGrids += pass.exactaGrids;
        // Ingest had finished before this pass began and the pass caught up: everything is evaluated.
        if (finished && pass.caughtUp) return;
        await nextTurn();
      }
    })();
    // Ingest writes bursts of 9 messages (one group commit each, then a turn of the event loop)
    // between the engine's passes, so the engine runs behind and its reads are cut mid-snapshot and mid-race.
    await runSimulation({
      simulation: { ...simulation, seed: 12 },
      db: ingestDb,
      batchLimits: { maxMessages: 9, maxMs: Number.POSITIVE_INFINITY },
    });
    ingestDone = true;
    await engine;

    const activity = await oddsActivity(alertsDb);
    expect(passes).toBeGreaterThan(activity.winSnapshots / 2);
    expect({ winSnapshots, exactaGrids }).toEqual({
      winSnapshots: activity.winSnapshots,
      exactaGrids: activity.exactaGrids,
    });
    const keys = await storedKeys(alertsDb);
    const offline = await runBacktest(alertsDb, config, wholeDay);
    expect(keys.length).toBeGreaterThan(10);
    expect(offline.alerts.map((alert) => alert.dedupeKey).sort()).toEqual(keys);
  });
});
