import { describe, expect, it } from "vitest";
import { nextPollAt, pollIntervalMs, type Cadence } from "./schedule.js";

const cadence: Cadence = {
  defaultIntervalSeconds: 300,
  nearPostIntervalSeconds: 60,
  nearPostThresholdSeconds: 600,
  finalIntervalSeconds: 20,
  finalThresholdSeconds: 120,
};
const POST = Date.UTC(2025, 8, 12, 18, 0);
const before = (seconds: number) => POST - seconds * 1000;

describe("pollIntervalMs", () => {
  it("tightens toward post", () => {
    expect(pollIntervalMs(null, cadence)).toBe(300_000);
    expect(pollIntervalMs(3600_000, cadence)).toBe(300_000);
    expect(pollIntervalMs(600_000, cadence)).toBe(60_000);
    expect(pollIntervalMs(121_000, cadence)).toBe(60_000);
    expect(pollIntervalMs(120_000, cadence)).toBe(20_000);
    expect(pollIntervalMs(-30_000, cadence)).toBe(20_000);
  });
});

describe("nextPollAt", () => {
  const race = (lastSecondsBefore: number | null, status = "open") => ({
    postTime: POST,
    status,
    lastPolledAt: lastSecondsBefore === null ? null : before(lastSecondsBefore),
  });

  it("polls a new race now and stops finished ones", () => {
    expect(nextPollAt(race(null), before(5000), cadence)).toBe(before(5000));
    for (const status of ["off", "official", "cancelled"])
      expect(nextPollAt(race(30, status), before(10), cadence)).toBeNull();
  });

  it("uses each zone's interval and switches at the zone boundary", () => {
    expect(nextPollAt(race(3600), before(3600), cadence)).toBe(before(3300));
    // 300 s from 700 s out would be 400 s out, inside the near zone: poll when the zone starts.
    expect(nextPollAt(race(700), before(700), cadence)).toBe(before(600));
    expect(nextPollAt(race(900), before(900), cadence)).toBe(before(600));
    expect(nextPollAt(race(600), before(600), cadence)).toBe(before(540));
    // The final zone still waits its own interval since the last poll.
    expect(nextPollAt(race(130), before(130), cadence)).toBe(before(110));
    expect(nextPollAt(race(120), before(120), cadence)).toBe(before(100));
    // After post and not yet off: keep the final interval.
    expect(nextPollAt(race(-40), before(-40), cadence)).toBe(before(-60));
  });

  it("uses the default interval without a post time and gives up long after post", () => {
    expect(nextPollAt({ postTime: null, status: "scheduled", lastPolledAt: 1000 }, 1000, cadence)).toBe(
      301_000,
    );
    expect(nextPollAt(race(-100), POST + 31 * 60_000, cadence)).toBeNull();
    expect(nextPollAt(race(-100), POST + 31 * 60_000, cadence, 60 * 60_000)).not.toBeNull();
  });

  it("walks a race from an hour out to post with the expected polls", () => {
    const polls: number[] = [];
    let state = { postTime: POST, status: "open", lastPolledAt: null as number | null };
    let now = before(3600);
    for (;;) {
      const at = nextPollAt(state, now, cadence);
      if (at === null || at > POST) break;
      now = at;
      polls.push((POST - at) / 1000);
      state = { ...state, lastPolledAt: at };
    }
    expect(polls).toEqual([
      3600, 3300, 3000, 2700, 2400, 2100, 1800, 1500, 1200, 900, 600, 540, 480, 420, 360, 300, 240, 180, 120,
      100, 80, 60, 40, 20, 0,
    ]);
  });
});
