/** The poller against a failing source: backoff between retries, one warning, the recovery logged. */
import { captureLogs, countRows, json } from "@totewatch/test-utils";
import { writeFeedMessage } from "@totewatch/feed";
import { describe, expect, it } from "vitest";
import { fakeTime } from "../../test/fake-time.js";
import { pollerTestBed } from "../../test/poller-test-bed.js";
import { cardMessage, DATE, POST, TRACK, winAt } from "../../test/race-feed.js";

const { server, freshDb, config, racePoller } = pollerTestBed();

describe("failures", () => {
  it("backs off between retries, warns once when a source keeps failing, and logs its recovery", async () => {
    const time = fakeTime(POST - 3 * 3600_000);
    const attempts: number[] = [];
    let failuresLeft = 5;
    server.routes.set(`/card/TST/${DATE}`, json(cardMessage));
    server.routes.set(`/win/${DATE}/1`, (req, res) => {
      attempts.push(time.clock.now());
      if (failuresLeft-- > 0) res.writeHead(500).end("boom");
      else json(winAt(time.clock.now()))(req, res);
    });
    server.routes.set(
      `/status/${DATE}/1`,
      json({ kind: "status", track: TRACK, date: DATE, race: 1, status: "open" }),
    );
    const db = freshDb();
    const logs = captureLogs();
    const poller = racePoller(time, {
      config: config({ retries: 2 }),
      db,
      logger: logs.logger,
      random: () => 1,
      apply: async (target, message) => {
        const result = await writeFeedMessage(target, message);
        if (message.kind === "win") poller.stop();
        return result;
      },
    });
    const summary = await poller.run();
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    // Poll 1: attempts 0, +1 s, +2 s (then gives up); poll 2 a default interval (300 s) after poll 1 started.
    expect(gaps).toEqual([1000, 2000, 300_000 - 3000, 1000, 2000]);
    const warnings = logs.records.filter((r) => r.msg.startsWith("source keeps failing"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40, failures: 3, error: "HTTP 500 Internal Server Error" });
    expect(String(warnings[0]!.source)).toMatch(/\/win\/2025-09-12\/1$/);
    expect(logs.records.filter((r) => r.msg.startsWith("source recovered"))).toMatchObject([
      { level: 30, failures: 5 },
    ]);
    expect(summary).toMatchObject({ applied: 3, invalid: 0, interrupted: true });
    expect((await countRows(db)).odds_snapshot).toBe(2);
  });
});
