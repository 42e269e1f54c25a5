/** Fake time for the poller and HTTP client tests: a clock that only moves when the code under test sleeps. */
import type { Sleep } from "@totewatch/config";

export interface FakeTime {
  clock: { now(): number };
  sleep: Sleep;
  advance(ms: number): void;
}

/** A clock that only moves when the code under test sleeps. */
export function fakeTime(start: number): FakeTime {
  let now = start;
  return {
    clock: { now: () => now },
    sleep: async (ms) => {
      now += Math.max(0, ms);
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

/** Stops the poller (a test failure, not a hang) if the fake clock runs past `limit`. */
export function guardedSleep(time: FakeTime, limit: number, stop: () => void): Sleep {
  return async (ms, signal) => {
    await time.sleep(ms, signal);
    if (time.clock.now() > limit) stop();
  };
}
