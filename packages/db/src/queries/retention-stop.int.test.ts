// pruneOldData's `signal` (db:prune stops on Ctrl-C between batches); the
// retention rules themselves are tested in retention.int.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../client.js";
import { createTestDb, rowCount } from "../../testing/index.js";
import { recordWinSnapshot } from "./odds.js";
import { applyRaceCard } from "./races.js";
import { pruneOldData } from "./retention.js";

const NOW = new Date("2025-09-13T12:00:00Z");
const RACE = { track: "Belmont Park", raceDate: "2025-07-01", raceNumber: 1 };
let db: Db;

beforeAll(async () => {
  db = createTestDb("retention-stop");
  await applyRaceCard(db, { ...RACE, entries: [{ programNumber: "1", horse: "Old Timer" }] });
  // Five snapshots, all past 30 days' retention.
  for (let minute = 0; minute < 5; minute++) {
    await recordWinSnapshot(db, {
      ...RACE,
      fetchedAt: new Date(Date.UTC(2025, 6, 1, 16, minute)),
      runners: [{ programNumber: "1", winOdds: 3 }],
    });
  }
});
afterAll(() => db.close());

describe("pruneOldData with a signal", () => {
  it("stops after the batch in flight when the signal aborts, keeping what it removed", async () => {
    const stop = new AbortController();
    const result = await pruneOldData(db, {
      oddsDays: 30,
      alertsDays: 90,
      batchSize: 2,
      now: NOW,
      onProgress: () => stop.abort(),
      signal: stop.signal,
    });
    expect(result).toEqual({ oddsSnapshots: 2, exactaProbables: 0, alerts: 0 });
    expect(await rowCount(db, "odds_snapshot")).toBe(3);
  });

  it("removes nothing when the signal is aborted before it starts", async () => {
    const result = await pruneOldData(db, {
      oddsDays: 30,
      alertsDays: 90,
      now: NOW,
      signal: AbortSignal.abort(),
    });
    expect(result).toEqual({ oddsSnapshots: 0, exactaProbables: 0, alerts: 0 });
    expect(await rowCount(db, "odds_snapshot")).toBe(3);
  });
});
