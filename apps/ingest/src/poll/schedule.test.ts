import { describe, expect, it } from "vitest";
import { nextPollAt, pollIntervalMs, type Cadence, type RacePollState } from "./schedule.js";

const cadence: Cadence = {
  defaultIntervalSeconds: 300,
  nearPostIntervalSeconds: 60,
  nearPostThresholdSeconds: 600,
  finalIntervalSeconds: 20,
  finalThresholdSeconds: 120,
  afterOffSeconds: 600,
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

const race = (lastSecondsBefore: number | null, status = "open"): RacePollState => ({
  postTime: POST,
  status,
  offAt: null,
  lastPolledAt: lastSecondsBefore === null ? null : before(lastSecondsBefore),
});

describe("nextPollAt", () => {
  it("polls a new race now and stops official and cancelled ones", () => {
    expect(nextPollAt(race(null), before(5000), cadence)).toBe(before(5000));
    for (const status of ["official", "cancelled"])
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
    expect(
      nextPollAt({ postTime: null, status: "scheduled", offAt: null, lastPolledAt: 1000 }, 1000, cadence),
    ).toBe(301_000);
    expect(nextPollAt(race(-100), POST + 31 * 60_000, cadence)).toBeNull();
    expect(nextPollAt(race(-100), POST + 31 * 60_000, cadence, 60 * 60_000)).not.toBeNull();
  });

  it("walks a race from an hour out to post with the expected polls", () => {
    const polls: number[] = [];
    let state: RacePollState = { postTime: POST, status: "open", offAt: null, lastPolledAt: null };
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

describe("nextPollAt after the off", () => {
  // US races go off after scheduled post: this one 3 minutes late.
  const OFF = POST + 180_000;
  const after = (seconds: number) => OFF + seconds * 1000;
  const offRace = (lastSecondsAfter: number | null, offAt: number | null = OFF): RacePollState => ({
    postTime: POST,
    status: "off",
    offAt,
    lastPolledAt: lastSecondsAfter === null ? null : after(lastSecondsAfter),
  });

  /** The polls (seconds after the off) after the last one `state` records, until nextPollAt says stop. */
  function walk(state: RacePollState, cadenceUsed: Cadence, status: (at: number) => string = () => "off") {
    const polls: number[] = [];
    let now = state.lastPolledAt!;
    for (;;) {
      const at = nextPollAt(state, now, cadenceUsed);
      if (at === null) break;
      now = at;
      polls.push((at - OFF) / 1000);
      state = { ...state, status: status(at), lastPolledAt: at };
    }
    return polls;
  }

  it("keeps polling at the final interval until afterOffSeconds after the off", () => {
    expect(nextPollAt(offRace(0), after(0), cadence)).toBe(after(20));
    expect(nextPollAt(offRace(580), after(580), cadence)).toBe(after(600));
    expect(nextPollAt(offRace(590), after(590), cadence)).toBeNull();
    // Overdue but inside the window: poll now (the instant is in the past); past the window: stop.
    expect(nextPollAt(offRace(560), after(599), cadence)).toBe(after(580));
    expect(nextPollAt(offRace(560), after(601), cadence)).toBeNull();
    // After the poll that saw it off (at the off): 20 s, 40 s, ..., 600 s.
    expect(walk(offRace(0), cadence)).toEqual(Array.from({ length: 30 }, (_, i) => (i + 1) * 20));
  });

  it("counts the window from the off, not from post or the poll that saw it", () => {
    // Seen off 50 s late (a poll at off + 50 s): still stops 600 s after the off itself.
    expect(walk(offRace(50), cadence).at(-1)).toBe(590);
    // A race first seen off long after its off is not polled at all.
    expect(nextPollAt(offRace(null), after(3600), cadence)).toBeNull();
    // Without an off time the window runs from the last poll.
    expect(nextPollAt(offRace(0, null), after(0), cadence)).toBe(after(20));
  });

  it("is not given up at post + giveUpAfterPostMs while its window runs", () => {
    const lateOff = POST + 29 * 60_000;
    const state: RacePollState = { postTime: POST, status: "off", offAt: lateOff, lastPolledAt: lateOff };
    expect(nextPollAt(state, lateOff, cadence)).toBe(lateOff + 20_000);
    expect(nextPollAt({ ...state, lastPolledAt: lateOff + 300_000 }, lateOff + 300_000, cadence)).toBe(
      lateOff + 320_000,
    );
    // A race that never goes off is still given up.
    expect(nextPollAt({ ...state, status: "open", offAt: null }, POST + 31 * 60_000, cadence)).toBeNull();
  });

  it("stops as soon as the race is official or cancelled", () => {
    const officialAt = (at: number) => (at >= after(95) ? "official" : "off");
    expect(walk(offRace(0), cadence, officialAt)).toEqual([20, 40, 60, 80, 100]);
    for (const status of ["official", "cancelled"])
      expect(nextPollAt({ ...offRace(0), status }, after(0), cadence)).toBeNull();
  });

  it("stops at the off with afterOffSeconds 0", () => {
    const atTheOff = { ...cadence, afterOffSeconds: 0 };
    expect(nextPollAt(offRace(0), after(0), atTheOff)).toBeNull();
    expect(nextPollAt(offRace(null), after(0), atTheOff)).toBeNull();
    // Before the off nothing changes: still polled after post until it goes off.
    expect(nextPollAt(race(-40), before(-40), atTheOff)).toBe(before(-60));
  });
});
