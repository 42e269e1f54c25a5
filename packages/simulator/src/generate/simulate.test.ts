import { feedMessageSchema, type FeedMessageInput } from "@totewatch/feed";
import { impliedProbability, parseBoardOdds, resolvePostTime } from "@totewatch/tote";
import { describe, expect, it } from "vitest";
import {
  BUILT_IN_TRACKS,
  planRaceDay,
  simulateRaceDay,
  simulateTimedRaceDay,
  SNAPSHOT_OFFSETS_MS,
  type RacePlan,
  type SimulationOptions,
  type TimedMessage,
} from "./day.js";

type Card = Extract<FeedMessageInput, { kind: "card" }>;
type Win = Extract<FeedMessageInput, { kind: "win" }>;

const BIG_DAY: SimulationOptions = {
  date: "2025-09-12",
  tracks: 10,
  racesPerTrack: 10,
  runners: 12,
  seed: 7,
};
const bigDay: TimedMessage[] = [...simulateTimedRaceDay(BIG_DAY)];
const bigPlans: RacePlan[] = planRaceDay(BIG_DAY);

const raceKey = (m: { track: string; date: string; race: number }) => `${m.track}|${m.date}|${m.race}`;

function oddsOf(win: Win, program: string): number | null {
  const horse = win.horses.find((h) => h.program_number === program);
  const parsed = parseBoardOdds(horse?.win_odds);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.odds;
}

function messagesOfRace(plan: RacePlan): TimedMessage[] {
  const key = raceKey(plan);
  return bigDay.filter(({ message }) => raceKey(message) === key);
}

describe("simulateRaceDay", () => {
  it("gives the same messages for the same seed and different ones for another seed", () => {
    const options: SimulationOptions = { date: "2025-06-01", tracks: 3, racesPerTrack: 4, seed: 42 };
    const first = JSON.stringify([...simulateRaceDay(options)]);
    expect(JSON.stringify([...simulateRaceDay(options)])).toBe(first);
    expect(JSON.stringify([...simulateRaceDay({ ...options, seed: 43 })])).not.toBe(first);
  });

  it("produces only messages that feedMessageSchema accepts", () => {
    const failures = bigDay
      .map(({ message }, index) => ({ index, result: feedMessageSchema.safeParse(message) }))
      .filter(({ result }) => !result.success);
    expect(failures.slice(0, 3)).toEqual([]);
    expect(bigDay.length).toBeGreaterThan(100 * 40);
  });

  it("emits messages in non-decreasing time, with snapshot and status times matching", () => {
    const problems: string[] = [];
    bigDay.forEach(({ atMs, message }, i) => {
      if (i > 0 && atMs < bigDay[i - 1]!.atMs) problems.push(`message ${i} goes back in time`);
      if (message.kind === "win" || message.kind === "exacta") {
        if (Date.parse(message.fetched_at) !== atMs)
          problems.push(`message ${i}: fetched_at ${message.fetched_at}`);
        if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(message.fetched_at)) {
          problems.push(`message ${i}: fetched_at not a Z instant`);
        }
      }
      if (message.kind === "status" && Date.parse(message.at!) !== atMs) problems.push(`message ${i}: at`);
    });
    expect(problems.slice(0, 5)).toEqual([]);
  });

  it("yields the plain messages of the timed stream", () => {
    const options: SimulationOptions = { date: "2025-06-01", tracks: 2, racesPerTrack: 3 };
    const timed = [...simulateTimedRaceDay(options)].map((t) => t.message);
    expect([...simulateRaceDay(options)]).toEqual(timed);
  });

  it("sends a race's card before anything else about it and names only carded runners", () => {
    const cards = new Map<string, Card>();
    const problems: string[] = [];
    for (const { message } of bigDay) {
      const key = raceKey(message);
      if (message.kind === "card") {
        cards.set(key, message);
        continue;
      }
      const card = cards.get(key);
      if (!card) {
        problems.push(`${message.kind} for ${key} before its card`);
        continue;
      }
      // Plain checks in the loop: a million expect() calls would take most of a minute.
      const programs = new Set(card.entries.map((e) => e.program_number));
      const named =
        message.kind === "win"
          ? message.horses.map((h) => [h.program_number])
          : message.kind === "exacta"
            ? Object.keys(message.probables).map((combo) => combo.split("-"))
            : [];
      for (const combo of named) {
        const uncarded = combo.filter((p) => !programs.has(p));
        if (uncarded.length > 0 || (combo.length === 2 && combo[0] === combo[1])) {
          problems.push(`${message.kind} for ${key} names ${combo.join("-")}`);
        }
      }
    }
    expect(problems.slice(0, 5)).toEqual([]);
    expect(cards.size).toBe(100);
  });

  it("runs each race's snapshots on the polling cadence, then off at post and official ~3 min later", () => {
    for (const plan of bigPlans) {
      const messages = messagesOfRace(plan);
      const winTimes = messages.filter((m) => m.message.kind === "win").map((m) => plan.postTimeMs - m.atMs);
      expect(winTimes).toEqual(SNAPSHOT_OFFSETS_MS);
      const statuses = messages.filter((m) => m.message.kind === "status");
      expect(statuses.map((m) => (m.message.kind === "status" ? m.message.status : null))).toEqual([
        "off",
        "official",
      ]);
      expect(statuses[0]!.atMs).toBe(plan.postTimeMs);
      const officialAfter = (statuses[1]!.atMs - plan.postTimeMs) / 1000;
      expect(officialAfter).toBeGreaterThanOrEqual(150);
      expect(officialAfter).toBeLessThanOrEqual(240);
      expect(messages.at(-1)!.message.kind).toBe("status");
    }
    expect(SNAPSHOT_OFFSETS_MS.slice(0, 3)).toEqual([3_600_000, 3_300_000, 3_000_000]);
    expect(SNAPSHOT_OFFSETS_MS.slice(-2)).toEqual([40_000, 20_000]);
  });

  it("polls every pollEverySeconds through the last hour when asked (30 s: 120 polls a race), scratches included", () => {
    const options: SimulationOptions = { ...BIG_DAY, tracks: 4, racesPerTrack: 6, pollEverySeconds: 30 };
    const messages = [...simulateTimedRaceDay(options)];
    const plans = planRaceDay(options);
    let scratchCards = 0;
    for (const plan of plans) {
      const ofRace = messages.filter(({ message }) => raceKey(message) === raceKey(plan));
      const winTimes = ofRace.filter((m) => m.message.kind === "win").map((m) => plan.postTimeMs - m.atMs);
      // 3600 s / 30 s = 120 polls: 3600 s, 3570 s, ..., 30 s before post.
      expect(winTimes).toHaveLength(120);
      expect(winTimes.slice(0, 2)).toEqual([3_600_000, 3_570_000]);
      expect(winTimes.at(-1)).toBe(30_000);
      expect(ofRace.filter((m) => m.message.kind === "exacta")).toHaveLength(120);
      const cards = ofRace.filter((m) => m.message.kind === "card");
      if (plan.scratch) {
        // The scratch card comes at one of the polls between 45 and 15 minutes out.
        const out = plan.postTimeMs - plan.scratch.atMs;
        expect(out % 30_000).toBe(0);
        expect(out).toBeGreaterThanOrEqual(15 * 60_000);
        expect(out).toBeLessThanOrEqual(45 * 60_000);
        expect(cards).toHaveLength(2);
        scratchCards++;
      } else expect(cards).toHaveLength(1);
    }
    // 24 races at 1 in 8: some scratch (the seed gives at least one; the count is the check above).
    expect(scratchCards).toBeGreaterThan(0);
  });

  it("posts race 1 at the local first post time and spaces races by minutesBetweenRaces", () => {
    const plans = planRaceDay({ date: "2025-12-06", tracks: 6, racesPerTrack: 3, firstPostLocal: "12:30" });
    for (const plan of plans) {
      const first = resolvePostTime("12:30", plan.date, plan.timezone).getTime();
      expect(plan.postTimeMs).toBe(first + (plan.race - 1) * 30 * 60_000);
      expect(Date.parse(plan.postTime)).toBe(plan.postTimeMs);
    }
    // December: New York is UTC-5, Los Angeles UTC-8.
    expect(plans.find((p) => p.trackCode === "BEL" && p.race === 1)!.postTime).toBe(
      "2025-12-06T12:30:00-05:00",
    );
    expect(plans.find((p) => p.trackCode === "SA" && p.race === 2)!.postTime).toBe(
      "2025-12-06T13:00:00-08:00",
    );
  });

  it("cards carry entries 1..N (plus an occasional coupled 1A), unique horse names and morning lines", () => {
    const names = new Set<string>();
    let coupled = 0;
    for (const plan of bigPlans) {
      const card = messagesOfRace(plan)[0]!.message as Card;
      expect(card.kind).toBe("card");
      expect(card.post_time).toBe(plan.postTime);
      expect(card.entries).toHaveLength(12);
      const programs = card.entries.map((e) => e.program_number);
      const expected = plan.coupledProgramNumber
        ? ["1", "1A", ...Array.from({ length: 10 }, (_, i) => String(i + 2))]
        : Array.from({ length: 12 }, (_, i) => String(i + 1));
      expect(programs).toEqual(expected);
      if (plan.coupledProgramNumber) coupled++;
      for (const entry of card.entries) {
        expect(names.has(entry.horse), `repeated horse name ${entry.horse}`).toBe(false);
        names.add(entry.horse);
        expect(entry.horse.length).toBeLessThanOrEqual(18);
        expect(entry.morning_line).toMatch(/^\d+-\d+$/);
        expect(entry.jockey).toMatch(/^[A-Z]\. \w+/);
        expect(entry.trainer).toMatch(/^[A-Z]\. \w+/);
      }
      expect(new Set(card.entries.map((e) => e.jockey)).size).toBe(12);
      expect(plan.interests.reduce((sum, i) => sum + i.trueWinProbability, 0)).toBeCloseTo(1, 9);
    }
    expect(coupled).toBeGreaterThan(0);
    expect(coupled).toBeLessThan(30);
  });

  it("draws morning lines with a clear favorite and longshots", () => {
    for (const plan of bigPlans) {
      const odds = plan.interests.map((i) => i.morningLineOdds).sort((a, b) => a - b);
      expect(odds[0]!).toBeLessThanOrEqual(6);
      expect(odds.at(-1)!).toBeGreaterThanOrEqual(8);
      const implied = odds.reduce((sum, o) => sum + 1 / (o + 1), 0);
      expect(implied).toBeGreaterThan(1.0);
      expect(implied).toBeLessThan(1.5);
    }
  });

  it("keeps win pools whole and consistent, and board odds near 1/(1 - takeout) in implied probability", () => {
    let min = Infinity;
    let max = -Infinity;
    const problems: string[] = [];
    for (const { message } of bigDay) {
      if (message.kind !== "win") continue;
      const amounts = message.horses.flatMap((h) => (h.win_pool_amount == null ? [] : [h.win_pool_amount]));
      if (![...amounts, message.total_win_pool].every(Number.isInteger))
        problems.push(`${message.fetched_at}: not whole`);
      if (amounts.reduce((a, b) => a + b, 0) !== message.total_win_pool)
        problems.push(`${message.fetched_at}: sum`);
      const odds = message.horses.flatMap((h) => {
        const parsed = parseBoardOdds(h.win_odds);
        return parsed.ok && parsed.odds !== null ? [parsed.odds] : [];
      });
      if (odds.length < 3) continue;
      const implied = odds.reduce((sum, o) => sum + impliedProbability(o), 0);
      min = Math.min(min, implied);
      max = Math.max(max, implied);
    }
    // 1/(1 - 0.16) = 1.190; breakage and rounding down to board prices only add to it.
    expect(problems.slice(0, 5)).toEqual([]);
    // Measured on this day: 1.21 .. 1.31.
    expect(min).toBeGreaterThanOrEqual(1.12);
    expect(max).toBeLessThanOrEqual(1.4);
  });

  it("prices exacta probables from the exacta pool (sum of 2*(1-0.2)/payout about 1)", () => {
    let min = Infinity;
    let max = -Infinity;
    for (const { message } of bigDay) {
      if (message.kind !== "exacta") continue;
      expect(message.base_amount).toBe(2);
      expect(Number.isInteger(message.total_exacta_pool)).toBe(true);
      const sum = Object.values(message.probables).reduce<number>(
        (s, payout) => s + (payout ? 1.6 / payout : 0),
        0,
      );
      min = Math.min(min, sum);
      max = Math.max(max, sum);
    }
    // Measured on this day: 1.000 .. 1.005 (breakage only ever lowers payouts).
    expect(min).toBeGreaterThanOrEqual(0.95);
    expect(max).toBeLessThanOrEqual(1.15);
  });

  it("lists every ordered pair of live runners in the exacta probables", () => {
    for (const plan of bigPlans.slice(0, 20)) {
      for (const { atMs, message } of messagesOfRace(plan)) {
        if (message.kind !== "exacta") continue;
        const live = plan.interests
          .map((i) => i.programNumber)
          .filter((p) => !(plan.scratch && plan.scratch.programNumber === p && atMs >= plan.scratch.atMs));
        expect(Object.keys(message.probables)).toHaveLength(live.length * (live.length - 1));
      }
    }
  });

  it("drops a steam runner's odds by at least 40% over the last 10 minutes (about 1 race in 5)", () => {
    const steamed = bigPlans.filter((p) => p.steam);
    expect(steamed.length).toBeGreaterThanOrEqual(8);
    expect(steamed.length).toBeLessThanOrEqual(35);
    for (const plan of steamed) {
      const wins = messagesOfRace(plan).filter((m) => m.message.kind === "win");
      const tenOut = wins.find((m) => m.atMs === plan.postTimeMs - 10 * 60_000)!.message as Win;
      const last = wins.at(-1)!.message as Win;
      const before = oddsOf(tenOut, plan.steam!.programNumber)!;
      const after = oddsOf(last, plan.steam!.programNumber)!;
      expect(after, `${plan.track} race ${plan.race}`).toBeLessThanOrEqual(before * 0.6);
    }
  });

  it("scratches a runner mid-way with a second card (about 1 race in 8); it shows SCR and leaves the exactas", () => {
    const scratched = bigPlans.filter((p) => p.scratch);
    expect(scratched.length).toBeGreaterThanOrEqual(4);
    expect(scratched.length).toBeLessThanOrEqual(25);
    for (const plan of scratched) {
      const program = plan.scratch!.programNumber;
      const messages = messagesOfRace(plan);
      const cards = messages.filter((m) => m.message.kind === "card");
      expect(cards).toHaveLength(2);
      expect(cards[1]!.atMs).toBe(plan.scratch!.atMs);
      const second = cards[1]!.message as Card;
      expect(second.entries.filter((e) => e.scratched).map((e) => e.program_number)).toEqual([program]);
      const scratchIndex = messages.indexOf(cards[1]!);
      let sawBefore = false;
      messages.forEach(({ message }, index) => {
        const after = index > scratchIndex;
        if (message.kind === "win") {
          const horse = message.horses.find((h) => h.program_number === program)!;
          if (after) {
            expect(horse.win_odds).toBe("SCR");
            expect(horse.win_pool_amount).toBeUndefined();
          } else {
            expect(oddsOf(message, program)).not.toBeNull();
            sawBefore = true;
          }
        }
        if (message.kind === "exacta" && after) {
          const involved = Object.keys(message.probables).filter((k) => k.split("-").includes(program));
          expect(involved).toEqual([]);
        }
      });
      expect(sawBefore).toBe(true);
    }
  });

  it("leaves out exacta snapshots when exacta is false, and honours a fixed runner count", () => {
    const messages = [
      ...simulateRaceDay({ date: "2025-06-01", racesPerTrack: 3, runners: 7, exacta: false }),
    ];
    expect(messages.some((m) => m.kind === "exacta")).toBe(false);
    const cards = messages.filter((m): m is Card => m.kind === "card");
    expect(cards.map((c) => c.track)).toEqual(["Belmont Park", "Belmont Park", "Belmont Park"]);
    for (const card of cards) expect(card.entries).toHaveLength(7);
  });

  it("accepts explicit tracks and a runner range", () => {
    const tracks = [{ name: "Test Downs", code: "TD", timezone: "Europe/London" }];
    const plans = planRaceDay({ date: "2025-07-04", tracks, runners: [5, 6], racesPerTrack: 12 });
    expect(plans.map((p) => p.track)).toEqual(Array(12).fill("Test Downs"));
    expect(plans[0]!.postTime).toBe("2025-07-04T13:00:00+01:00");
    for (const plan of plans) expect([5, 6]).toContain(plan.entries.length);
  });

  it("names the bad option, at the call rather than at the first message", () => {
    const bad: Array<[Partial<SimulationOptions>, RegExp]> = [
      [{ date: "2025-02-30" }, /date/],
      [{ tracks: 0 }, /tracks/],
      [{ tracks: BUILT_IN_TRACKS.length + 1 }, /tracks/],
      [{ tracks: [{ name: "X", code: "X", timezone: "Mars/Olympus" }] }, /tracks\[0\]\.timezone/],
      [{ runners: [1, 4] }, /runners/],
      [{ runners: [8, 6] }, /runners/],
      [{ racesPerTrack: 0 }, /racesPerTrack/],
      [{ seed: 1.5 }, /seed/],
      [{ firstPostLocal: "1pm" }, /firstPostLocal/],
      [{ firstPostLocal: "25:00" }, /firstPostLocal/],
      [{ minutesBetweenRaces: 0 }, /minutesBetweenRaces/],
      [{ pollEverySeconds: 4 }, /pollEverySeconds/],
      [{ pollEverySeconds: 30.5 }, /pollEverySeconds/],
      [{ racesPerTrack: 25, minutesBetweenRaces: 60 }, /past midnight/],
    ];
    for (const [options, message] of bad) {
      expect(() => simulateRaceDay({ date: "2025-06-01", ...options })).toThrow(message);
    }
  });
});
