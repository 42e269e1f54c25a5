/** Stopping the poller mid-write: that write finishes, nothing after it is applied. */
import { countRows, integrityCheck, json, testEngine } from "@totewatch/test-utils";
import { writeFeedMessage } from "@totewatch/feed";
import { describe, expect, it } from "vitest";
import { fakeTime } from "../../test/fake-time.js";
import { pollerTestBed } from "../../test/poller-test-bed.js";
import { cardMessage, DATE, POST, TRACK, winAt } from "../../test/race-feed.js";

const { server, freshDb, config, racePoller } = pollerTestBed();

describe("shutdown", () => {
  it("stop during a write finishes that write, applies nothing after it, and leaves the database consistent", async () => {
    const time = fakeTime(POST - 20 * 60_000);
    server.routes.set(`/card/TST/${DATE}`, json(cardMessage));
    // Two snapshots in one response: the stop arrives while the first is being written.
    server.routes.set(`/win/${DATE}/1`, json([winAt(time.clock.now()), winAt(time.clock.now() + 1000)]));
    server.routes.set(
      `/status/${DATE}/1`,
      json({ kind: "status", track: TRACK, date: DATE, race: 1, status: "open" }),
    );
    const db = freshDb();
    let inFlight = false;
    const poller = racePoller(time, {
      config: config(),
      db,
      apply: async (target, message) => {
        if (message.kind !== "win") return writeFeedMessage(target, message);
        poller.stop();
        inFlight = true;
        await new Promise((resolve) => setTimeout(resolve, 50));
        const result = await writeFeedMessage(target, message);
        inFlight = false;
        return result;
      },
    });
    const summary = await poller.run();
    expect(inFlight).toBe(false);
    // Card, status (fetched before the board), then the board being written.
    expect(summary).toMatchObject({ applied: 3, invalid: 0, interrupted: true });
    expect(await countRows(db)).toMatchObject({ race: 1, entry: 2, odds_snapshot: 2 });
    // race, horses, entries, the status update, snapshots: the track row was registered from the config at start.
    expect(summary.rows).toBe(1 + 2 + 2 + 1 + 2);
    expect(await countRows(db)).toMatchObject({ track: 1 });
    // SQLite's own check of its file (PostgreSQL has no equivalent to run here).
    if (testEngine() === "sqlite") expect(await integrityCheck(db)).toBe("ok");
  });
});
