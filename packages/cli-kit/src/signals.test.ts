import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { EXIT } from "./exit-codes.js";
import { SIGNAL_REPEAT_WINDOW_MS, stopOnSignals, type StopSignal } from "./signals.js";

/*
 * Real signals sent to this test process (vitest runs each file in a forked
 * process). While stopOnSignals' handlers are installed, node does not die
 * of SIGINT/SIGTERM; a test that sends one without them keeps a listener of
 * its own, for the same reason.
 */

/** Sends `name` to this process and resolves once every listener (ours were added first) has run. */
async function send(name: NodeJS.Signals): Promise<void> {
  const delivered = once(process, name);
  process.kill(process.pid, name);
  await delivered;
}

describe("stopOnSignals", () => {
  let stop: StopSignal | undefined;
  afterEach(() => {
    stop?.dispose();
    stop = undefined;
  });

  it.each(["SIGTERM", "SIGINT"] as const)(
    "aborts its signal on the first %s and says so once",
    async (name) => {
      const told: NodeJS.Signals[] = [];
      const exits: number[] = [];
      stop = stopOnSignals({ onFirst: (signal) => told.push(signal), exit: (code) => exits.push(code) });
      expect(stop.signal.aborted).toBe(false);

      await send(name);
      expect(stop.signal.aborted).toBe(true);
      expect(told).toEqual([name]);
      expect(exits).toEqual([]);
    },
  );

  it("exits with 130 on a second signal, unless it repeats the first within a second", async () => {
    let now = 1_000_000;
    const told: NodeJS.Signals[] = [];
    const exits: number[] = [];
    stop = stopOnSignals({
      onFirst: (signal) => told.push(signal),
      exit: (code) => exits.push(code),
      clock: { now: () => now },
    });

    await send("SIGINT");
    expect(stop.signal.aborted).toBe(true);

    // Ctrl-C under tsx arrives twice: the repeat is the same keypress.
    now += SIGNAL_REPEAT_WINDOW_MS;
    await send("SIGINT");
    expect(exits).toEqual([]);

    now += 1;
    await send("SIGTERM");
    expect(exits).toEqual([EXIT.interrupted]);
    expect(EXIT.interrupted).toBe(130);
    expect(told).toEqual(["SIGINT"]);
  });

  it("dispose removes its handlers, so a later signal reaches nothing of it", async () => {
    const before = { SIGINT: process.listenerCount("SIGINT"), SIGTERM: process.listenerCount("SIGTERM") };
    const told: NodeJS.Signals[] = [];
    const exits: number[] = [];
    const disposed = stopOnSignals({
      onFirst: (signal) => told.push(signal),
      exit: (code) => exits.push(code),
    });
    expect(process.listenerCount("SIGINT")).toBe(before.SIGINT + 1);
    expect(process.listenerCount("SIGTERM")).toBe(before.SIGTERM + 1);

    disposed.dispose();
    disposed.dispose();
    expect(process.listenerCount("SIGINT")).toBe(before.SIGINT);
    expect(process.listenerCount("SIGTERM")).toBe(before.SIGTERM);

    // send() keeps a listener of its own, so this signal does not end the test process.
    await send("SIGTERM");
    expect(disposed.signal.aborted).toBe(false);
    expect(told).toEqual([]);
    expect(exits).toEqual([]);
  });
});
