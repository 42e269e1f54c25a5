import { describe, expect, it } from "vitest";
import {
  afterOffWindowEnd,
  nextPollAt,
  pollIntervalMs,
  type Cadence,
  type RacePollState,
} from "./schedule.js";

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
  seenOffAt: null,
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
      nextPollAt(
        { postTime: null, status: "scheduled", offAt: null, seenOffAt: null, lastPolledAt: 1000 },
        1000,
        cadence,
      ),
    ).toBe(301_000);
    expect(nextPollAt(race(-100), POST + 31 * 60_000, cadence)).toBeNull();
    expect(nextPollAt(race(-100), POST + 31 * 60_000, cadence, 60 * 60_000)).not.toBeNull();
  });

  it("walks a race from an hour out to post with the expected polls", () => {
    const polls: number[] = [];
    let state: RacePollState = race(null);
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
  // US races go off after scheduled post: this one 3 minutes late (POST + 180 s).
  const OFF = POST + 180_000;
  const after = (seconds: number) => OFF + seconds * 1000;
  const HOUR = 3600_000;
  /**
   * Off, last polled `lastSecondsAfter` the off; by default the feed's off time is the off and
   * the poller saw it off at the off (the poll at the off fetched the status first).
   */
  const offRace = (
    lastSecondsAfter: number | null,
    off: { offAt?: number | null; seenOffAt?: number | null } = {},
  ): RacePollState => ({
    postTime: POST,
    status: "off",
    offAt: off.offAt === undefined ? OFF : off.offAt,
    seenOffAt: off.seenOffAt === undefined ? OFF : off.seenOffAt,
    lastPolledAt: lastSecondsAfter === null ? null : after(lastSecondsAfter),
  });

  /**
   * The polls (seconds after the off) after the last one `state` records, until nextPollAt says
   * stop; fails rather than hangs past 1000 polls.
   */
  function walk(
    state: RacePollState,
    cadenceUsed: Cadence = cadence,
    status: (at: number) => string = () => "off",
  ) {
    const polls: number[] = [];
    let now = state.lastPolledAt ?? OFF;
    for (;;) {
      const at = nextPollAt(state, now, cadenceUsed);
      if (at === null) break;
      if (polls.length === 1000) throw new Error("still polling after 1000 polls");
      now = at;
      polls.push((at - OFF) / 1000);
      state = { ...state, status: status(at), lastPolledAt: at };
    }
    return polls;
  }
  /** Every 20 s after the off, from `from` to `to` seconds (both included). */
  const every20 = (from: number, to: number) =>
    Array.from({ length: (to - from) / 20 + 1 }, (_, i) => from + i * 20);

  it("keeps polling at the final interval until afterOffSeconds after the off", () => {
    expect(nextPollAt(offRace(0), after(0), cadence)).toBe(after(20));
    expect(nextPollAt(offRace(580), after(580), cadence)).toBe(after(600));
    expect(nextPollAt(offRace(590), after(590), cadence)).toBeNull();
    // Overdue but inside the window: poll now (the instant is in the past); past the window: stop.
    expect(nextPollAt(offRace(560), after(599), cadence)).toBe(after(580));
    expect(nextPollAt(offRace(560), after(601), cadence)).toBeNull();
    // After the poll that saw it off (at the off): 20 s, 40 s, ..., 600 s.
    expect(walk(offRace(0))).toEqual(every20(20, 600));
  });

  it("counts the window from the earlier of the feed's off time and when the poller saw it off", () => {
    // Seen off 50 s late (a poll at off + 50 s): still stops 600 s after the off itself:
    // min(OFF, OFF + 50 s) + 600 s = OFF + 600 s, so the last poll is at 50 + 27 * 20 = 590.
    expect(afterOffWindowEnd(offRace(50, { seenOffAt: after(50) }), cadence)).toBe(after(600));
    expect(walk(offRace(50, { seenOffAt: after(50) })).at(-1)).toBe(590);
    // No off time from the feed: from when it was seen, OFF + 50 s + 600 s = OFF + 650 s.
    expect(afterOffWindowEnd(offRace(50, { offAt: null, seenOffAt: after(50) }), cadence)).toBe(after(650));
    expect(walk(offRace(50, { offAt: null, seenOffAt: after(50) }))).toEqual(every20(70, 650));
    // A race first seen off an hour after its off is not polled at all (OFF + 600 s < OFF + 3600 s).
    expect(nextPollAt(offRace(null, { seenOffAt: after(3600) }), after(3600), cadence)).toBeNull();
  });

  it("does not stretch the window for a feed's off time hours in the future", () => {
    // The feed says the race went off at OFF + 3 h; the poller saw it off at OFF.
    // Window end: min(OFF + 3 h, OFF) + 600 s = OFF + 600 s (not OFF + 3 h + 600 s).
    const wrongAt = offRace(0, { offAt: OFF + 3 * HOUR });
    expect(afterOffWindowEnd(wrongAt, cadence)).toBe(after(600));
    expect(walk(wrongAt)).toEqual(every20(20, 600));
    expect(nextPollAt({ ...wrongAt, lastPolledAt: after(600) }, after(600), cadence)).toBeNull();
    expect(nextPollAt(wrongAt, OFF + HOUR, cadence)).toBeNull();
  });

  it("stops a race that is off with no off time known, however it is polled", () => {
    const unknown = offRace(0, { offAt: null, seenOffAt: null });
    expect(afterOffWindowEnd(unknown, cadence)).toBeNull();
    expect(nextPollAt(unknown, after(0), cadence)).toBeNull();
    expect(nextPollAt({ ...unknown, lastPolledAt: null }, after(0), cadence)).toBeNull();
    // No window slides forward with the polls: the walk ends before its first poll.
    expect(walk(unknown)).toEqual([]);
  });

  it("never polls past post + giveUpAfterPostMs + afterOffSeconds", () => {
    // Off 29 min after post: the window (to POST + 29 min + 600 s = POST + 39 min) is inside the
    // hard stop (POST + 30 min + 600 s = POST + 40 min) and runs in full.
    const lateOff = POST + 29 * 60_000;
    const late: RacePollState = {
      ...offRace(null),
      offAt: lateOff,
      seenOffAt: lateOff,
      lastPolledAt: lateOff,
    };
    expect(afterOffWindowEnd(late, cadence)).toBe(POST + 39 * 60_000);
    expect(nextPollAt(late, lateOff, cadence)).toBe(lateOff + 20_000);
    expect(nextPollAt({ ...late, lastPolledAt: lateOff + 580_000 }, lateOff + 580_000, cadence)).toBe(
      lateOff + 600_000,
    );
    // First seen off at POST + 35 min (say, on a card refresh) with no feed off time: the window
    // would run to POST + 45 min; the hard stop ends it at POST + 40 min (inclusive).
    const seenLate: RacePollState = { ...late, offAt: null, seenOffAt: POST + 35 * 60_000 };
    expect(afterOffWindowEnd(seenLate, cadence)).toBe(POST + 40 * 60_000);
    expect(nextPollAt({ ...seenLate, lastPolledAt: POST + 2380_000 }, POST + 2380_000, cadence)).toBe(
      POST + 2400_000,
    );
    expect(nextPollAt({ ...seenLate, lastPolledAt: POST + 2390_000 }, POST + 2390_000, cadence)).toBeNull();
    // A feed off time 3 h ahead and nothing seen (state from the database alone): the hard stop,
    // POST + 2400 s = OFF + 2220 s, still ends it: 20 s polls from OFF + 20 s to OFF + 2220 s.
    const aheadOnly = offRace(0, { offAt: OFF + 3 * HOUR, seenOffAt: null });
    expect(afterOffWindowEnd(aheadOnly, cadence)).toBe(after(2220));
    expect(walk(aheadOnly)).toEqual(every20(20, 2220));
    // A longer give-up limit moves the hard stop (POST + 60 min + 600 s); the window then ends it.
    expect(afterOffWindowEnd(seenLate, cadence, 60 * 60_000)).toBe(POST + 45 * 60_000);
    // A race that never goes off is still given up at POST + 30 min.
    expect(
      nextPollAt({ ...late, status: "open", offAt: null, seenOffAt: null }, POST + 31 * 60_000, cadence),
    ).toBeNull();
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
