/**
 * An idle daemon sleeps: a pass that finds nothing to do commits nothing, so the daemon's own
 * pass never wakes it again. On PostgreSQL every write transaction used to NOTIFY at commit, the
 * daemon hears its own commits (watchCommits), and an idle daemon ran pass after pass (about half
 * a core, measured) instead of waiting for ingest.
 */
import { closedAfterEach, freshTestDatabaseUrl, quietLogger } from "@totewatch/test-utils";
import { describe, expect, it } from "vitest";
import { parseConfig } from "@totewatch/config";
import { runDaemon } from "./daemon.js";

const client = closedAfterEach();

describe("an idle daemon", () => {
  it("waits for a commit instead of waking itself with its own passes", async () => {
    const db = client(await freshTestDatabaseUrl("daemon-idle"));
    const stop = new AbortController();
    let turns = 0;
    let firstTurn!: () => void;
    const first = new Promise<void>((resolve) => (firstTurn = resolve));
    const daemon = runDaemon(db, {
      config: parseConfig("", "<test>", {}),
      logger: quietLogger(),
      channels: [],
      signal: stop.signal,
      // A day: within this test only a commit can end the daemon's wait.
      pollIntervalMs: 24 * 60 * 60 * 1000,
      onTurn: () => {
        turns++;
        firstTurn();
      },
    });
    await first;
    // Nothing is written for 1.5 s: no turn after the first (a self-waking daemon made dozens).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    stop.abort();
    const summary = await daemon;
    expect(turns).toBe(1);
    expect(summary).toMatchObject({ turns: 1, errors: 0 });
  }, 30_000);
});
