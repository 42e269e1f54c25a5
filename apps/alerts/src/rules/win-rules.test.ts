// The win rules (win-rules.ts), one describe per rule. Over 300 lines because it mirrors
// win-rules.ts rule for rule (steam alone needs many boards); a split would only scatter them.
import { describe, expect, it } from "vitest";
import { at, race, settings, winBoard } from "../../test/rules.js";
import {
  inFetchOrder,
  oddsChangeAlerts,
  oddsThresholdAlerts,
  overlayAlerts,
  steamAlerts,
} from "./win-rules.js";

describe("oddsThresholdAlerts", () => {
  const s = settings({ oddsThreshold: { enabled: true, below: 3, above: 20 } });

  it("alerts when a runner crosses down to or under `below`", () => {
    // #3: 7-2 (3.5) > 3 before, 3 <= 3 now: a crossing exactly at the threshold (strength 0).
    // #2: 4 > 3 before, 5-2 (2.5) now: strength (3 - 2.5) / 3 = 0.1667.
    const previous = winBoard(at("11:48"), { "2": 4, "3": 3.5 });
    const current = winBoard(at("11:52"), { "2": 2.5, "3": 3 });
    const alerts = oddsThresholdAlerts(race(), previous, current, s);
    expect(alerts.map((a) => [a.type, a.subject, a.actualValue, a.thresholdValue])).toEqual([
      ["odds_below", "2", 2.5, 3],
      ["odds_below", "3", 3, 3],
    ]);
    expect(alerts[0]!.strength).toBeCloseTo(0.1667, 4);
    expect(alerts[1]!.strength).toBe(0);
    expect(alerts[0]).toMatchObject({
      raceId: 7,
      entryId: 102,
      triggeredAt: at("11:52"),
      details: { before: 4, after: 2.5, minutesToPost: 8 },
      message: "Saratoga R5 #2 Bravo: 4 -> 5-2, at or below 3-1, 8 min to post",
    });
  });

  it("alerts when a runner crosses up to or over `above`", () => {
    // #5: 15 < 20 before, 25 now: strength (25 - 20) / 20 = 0.25.
    const previous = winBoard(at("11:48"), { "5": 15 });
    const current = winBoard(at("11:52"), { "5": 25 });
    const [alert, ...rest] = oddsThresholdAlerts(race(), previous, current, s);
    expect(rest).toEqual([]);
    expect(alert).toMatchObject({ type: "odds_above", subject: "5", thresholdValue: 20, actualValue: 25 });
    expect(alert!.strength).toBeCloseTo(0.25, 10);
    expect(alert!.message).toBe("Saratoga R5 #5 Echo: 15 -> 25, at or above 20-1, 8 min to post");
  });

  it("does not alert for a runner staying beyond a threshold or moving inside the band", () => {
    // #1 stays under 3 (5-2 -> 2), #5 stays over 20 (25 -> 30), #3 moves 6 -> 8 inside (3, 20).
    const previous = winBoard(at("11:48"), { "1": 2.5, "3": 6, "5": 25 });
    const current = winBoard(at("11:52"), { "1": 2, "3": 8, "5": 30 });
    expect(oddsThresholdAlerts(race(), previous, current, s)).toEqual([]);
  });

  it("treats first sight as no crossing: no previous snapshot, or a runner not in it", () => {
    const current = winBoard(at("11:52"), { "1": 2, "2": 25 });
    expect(oddsThresholdAlerts(race(), null, current, s)).toEqual([]);
    const previous = winBoard(at("11:48"), { "3": 6 });
    expect(oddsThresholdAlerts(race(), previous, current, s)).toEqual([]);
  });

  it("skips a null bound, a disabled rule and a win pool under the minimum", () => {
    const previous = winBoard(at("11:48"), { "2": 4, "5": 15 });
    const current = winBoard(at("11:52"), { "2": 2.5, "5": 25 });
    const onlyAbove = settings({ oddsThreshold: { enabled: true, below: null, above: 20 } });
    expect(oddsThresholdAlerts(race(), previous, current, onlyAbove).map((a) => a.type)).toEqual([
      "odds_above",
    ]);
    const disabled = settings({ oddsThreshold: { enabled: false, below: 3, above: 20 } });
    expect(oddsThresholdAlerts(race(), previous, current, disabled)).toEqual([]);
    // Pool 4,000 < minPool.win 5,000: skipped. An unknown (null) pool is not held against it.
    const thin = winBoard(at("11:52"), { "2": 2.5, "5": 25 }, { totalWinPool: 4000 });
    expect(oddsThresholdAlerts(race(), previous, thin, s)).toEqual([]);
    const unknown = winBoard(at("11:52"), { "2": 2.5, "5": 25 }, { totalWinPool: null });
    expect(oddsThresholdAlerts(race(), previous, unknown, s)).toHaveLength(2);
  });

  it("says so when the post time is unknown", () => {
    const previous = winBoard(at("11:48"), { "2": 4 });
    const current = winBoard(at("11:52"), { "2": 2.5 });
    const [alert] = oddsThresholdAlerts(race({ postTime: null }), previous, current, s);
    expect(alert!.details.minutesToPost).toBeNull();
    expect(alert!.message).toMatch(/post time unknown$/);
  });
});

describe("oddsChangeAlerts", () => {
  const s = settings({ oddsChange: { enabled: true, minPercent: 30 } });

  it("alerts on moves of at least minPercent either way", () => {
    // #1: 4 -> 5-2: |2.5 - 4| / 4 = 37.5% >= 30, strength (37.5 - 30) / 30 = 0.25.
    // #2: 5 -> 13-2 (6.5): 1.5 / 5 = 30% exactly, strength 0.
    // #3: 10 -> 12: 20% < 30, no alert.
    const previous = winBoard(at("11:48"), { "1": 4, "2": 5, "3": 10 });
    const current = winBoard(at("11:52"), { "1": 2.5, "2": 6.5, "3": 12 });
    const alerts = oddsChangeAlerts(race(), previous, current, s);
    expect(alerts.map((a) => a.subject)).toEqual(["1", "2"]);
    expect(alerts[0]).toMatchObject({ type: "odds_change", thresholdValue: 30, actualValue: 37.5 });
    expect(alerts[0]!.details).toMatchObject({ before: 4, after: 2.5, changePercent: -37.5 });
    expect(alerts[0]!.strength).toBeCloseTo(0.25, 10);
    expect(alerts[0]!.message).toBe("Saratoga R5 #1 Alpha: 4 -> 5-2 (-37.5%), 8 min to post");
    expect(alerts[1]!.actualValue).toBeCloseTo(30, 10);
    expect(alerts[1]!.message).toContain("(+30.0%)");
  });

  it("needs both snapshots and the runner in both", () => {
    const current = winBoard(at("11:52"), { "1": 2.5 });
    expect(oddsChangeAlerts(race(), null, current, s)).toEqual([]);
    expect(oddsChangeAlerts(race(), winBoard(at("11:48"), { "2": 4 }), current, s)).toEqual([]);
  });

  it("returns nothing when disabled or the win pool is thin", () => {
    const previous = winBoard(at("11:48"), { "1": 4 });
    const current = winBoard(at("11:52"), { "1": 2.5 });
    expect(
      oddsChangeAlerts(
        race(),
        previous,
        current,
        settings({ oddsChange: { enabled: false, minPercent: 30 } }),
      ),
    ).toEqual([]);
    const thin = winBoard(at("11:52"), { "1": 2.5 }, { totalWinPool: 4999 });
    expect(oddsChangeAlerts(race(), previous, thin, s)).toEqual([]);
  });
});

describe("steamAlerts", () => {
  const s = settings({
    steam: {
      enabled: true,
      probabilityPoints: 5,
      oddsDropPercent: 35,
      windowMinutes: 10,
      withinMinutesToPost: 20,
    },
  });

  it("compares the latest snapshot with the earliest one inside the window", () => {
    // Latest 11:50 (10 min to post, within 20), window [11:40, 11:50]: baseline is 11:41, not 11:35.
    // 11:41 odds 1, 2, 3 -> implied 0.5, 0.3333, 0.25 (sum 1.0833) -> normalized 0.4615, 0.3077, 0.2308.
    // 11:50 odds 1, 1, 5 -> implied 0.5, 0.5, 0.1667 (sum 1.1667) -> normalized 0.4286, 0.4286, 0.1429.
    // #2: 42.86 - 30.77 = +12.09 points >= 5 (odds 2 -> 1 also fell 50% >= 35).
    //   strength max((12.09 - 5) / 5, (50 - 35) / 35) = max(1.418, 0.429) = 1.418.
    // #1: 46.15 -> 42.86 fell; #3 drifted: no steam.
    const history = [
      winBoard(at("11:35"), { "1": 1, "2": 9, "3": 3 }),
      winBoard(at("11:41"), { "1": 1, "2": 2, "3": 3 }),
      winBoard(at("11:46"), { "1": 1, "2": 1.5, "3": 4 }),
      winBoard(at("11:50"), { "1": 1, "2": 1, "3": 5 }),
    ];
    const alerts = steamAlerts(race(), history, s);
    expect(alerts).toHaveLength(1);
    const [steam] = alerts;
    expect(steam).toMatchObject({
      type: "steam",
      subject: "2",
      entryId: 102,
      thresholdValue: 5,
      triggeredAt: at("11:50"),
    });
    expect(steam!.actualValue).toBeCloseTo(12.09, 2);
    expect(steam!.strength).toBeCloseTo(1.418, 3);
    expect(steam!.details).toMatchObject({ before: 2, after: 1, minutesToPost: 10, oddsDropPercent: 50 });
    expect(steam!.details.probabilityBefore as number).toBeCloseTo(0.3077, 4);
    expect(steam!.details.probabilityAfter as number).toBeCloseTo(0.4286, 4);
    expect(steam!.message).toBe(
      "Saratoga R5 #2 Bravo: 2 -> EVEN in 9 min, win chance 30.8% -> 42.9%, 10 min to post",
    );
  });

  it("ignores moves before the window (the 11:35 snapshot would have been steam)", () => {
    // #2 went 9 -> 1 between 11:35 and 11:41, then held at 1 through the window.
    const history = [
      winBoard(at("11:35"), { "1": 1, "2": 9, "3": 3 }),
      winBoard(at("11:41"), { "1": 1, "2": 1, "3": 5 }),
      winBoard(at("11:50"), { "1": 1, "2": 1, "3": 5 }),
    ];
    expect(steamAlerts(race(), history, s)).toEqual([]);
  });

  it("fires on the odds drop alone when the probability rise is under its threshold", () => {
    // probabilityPoints 50 cannot fire. #3: 3 -> 9-5 (1.8): (3 - 1.8) / 3 = 40% >= 35,
    // strength (40 - 35) / 35 = 0.1429. #1 and #2 also shortened but by less than 35%.
    const oddsOnly = settings({
      steam: {
        enabled: true,
        probabilityPoints: 50,
        oddsDropPercent: 35,
        windowMinutes: 10,
        withinMinutesToPost: 20,
      },
    });
    const history = [
      winBoard(at("11:41"), { "1": 1, "2": 2, "3": 3 }),
      winBoard(at("11:50"), { "1": 0.8, "2": 1.6, "3": 1.8 }),
    ];
    const alerts = steamAlerts(race(), history, oddsOnly);
    expect(alerts.map((a) => [a.subject, a.thresholdValue, a.details.measure])).toEqual([["3", 35, "odds"]]);
    expect(alerts[0]!.actualValue).toBeCloseTo(40, 10);
    expect(alerts[0]!.strength).toBeCloseTo(0.1429, 4);
  });

  it("stays quiet too far from post, after post, or with no post time", () => {
    const history = (first: string, last: string) => [
      winBoard(at(first), { "1": 1, "2": 2, "3": 3 }),
      winBoard(at(last), { "1": 1, "2": 1, "3": 5 }),
    ];
    // 11:35 is 25 min to post > 20.
    expect(steamAlerts(race(), history("11:30", "11:35"), s)).toEqual([]);
    // 12:01 is after post.
    expect(steamAlerts(race(), history("11:55", "12:01"), s)).toEqual([]);
    expect(steamAlerts(race({ postTime: null }), history("11:41", "11:50"), s)).toEqual([]);
    // Exactly 20 min to post is inside [0, 20].
    expect(steamAlerts(race(), history("11:35", "11:40"), s)).toHaveLength(1);
  });

  it("needs an earlier snapshot inside the window", () => {
    // 11:30 is before 11:50 - 10 min: the latest has nothing to compare with.
    const history = [winBoard(at("11:30"), { "2": 2, "3": 3 }), winBoard(at("11:50"), { "2": 1, "3": 5 })];
    expect(steamAlerts(race(), history, s)).toEqual([]);
    expect(steamAlerts(race(), [winBoard(at("11:50"), { "2": 1 })], s)).toEqual([]);
    expect(steamAlerts(race(), [], s)).toEqual([]);
  });

  it("returns nothing when disabled or the latest win pool is thin", () => {
    const history = [
      winBoard(at("11:41"), { "1": 1, "2": 2, "3": 3 }),
      winBoard(at("11:50"), { "1": 1, "2": 1, "3": 5 }, { totalWinPool: 1000 }),
    ];
    expect(steamAlerts(race(), history, s)).toEqual([]);
    const healthy = [history[0]!, winBoard(at("11:50"), { "1": 1, "2": 1, "3": 5 })];
    expect(steamAlerts(race(), healthy, s)).toHaveLength(1);
    const disabled = settings({ steam: { ...s.steam, enabled: false } });
    expect(steamAlerts(race(), healthy, disabled)).toEqual([]);
  });

  it("compares the boards over the runners on both: a late scratch is not steam on the rest", () => {
    // #1 (3-5) scratched between 11:45 and 11:50; nobody else's odds moved. Normalized over each
    // whole board, #2 would go 20.1% -> 40.5% (and #3, #4 likewise) and read as steam.
    const scratched = [
      winBoard(at("11:45"), { "1": 0.6, "2": 3, "3": 4, "4": 5 }),
      winBoard(at("11:50"), { "2": 3, "3": 4, "4": 5 }),
    ];
    expect(steamAlerts(race(), scratched, s)).toEqual([]);

    // Real money on #2 in the same window still shows, measured over #2..#4 on both boards:
    // 11:45 implied 0.25, 0.2, 0.1667 (sum 0.6167) -> #2 0.4054; 11:50 #2 at 3-2:
    // 0.4, 0.2, 0.1667 (sum 0.7667) -> #2 0.5217: +11.6 points.
    const steamed = [scratched[0]!, winBoard(at("11:50"), { "2": 1.5, "3": 4, "4": 5 })];
    const alerts = steamAlerts(race(), steamed, s);
    expect(alerts.map((a) => a.subject)).toEqual(["2"]);
    expect(alerts[0]!.details.probabilityBefore as number).toBeCloseTo(0.4054, 4);
    expect(alerts[0]!.details.probabilityAfter as number).toBeCloseTo(0.5217, 4);
  });

  it("leaves a runner added since the baseline out of both boards' shares", () => {
    // #4 is first listed at 11:50. Over #1..#3 (as in the first case) #2 goes 30.8% -> 42.9%;
    // counting #4 on the later board only would have made it 39.5%.
    const history = [
      winBoard(at("11:45"), { "1": 1, "2": 2, "3": 3 }),
      winBoard(at("11:50"), { "1": 1, "2": 1, "3": 5, "4": 9 }),
    ];
    const alerts = steamAlerts(race(), history, s);
    expect(alerts.map((a) => a.subject)).toEqual(["2"]);
    expect(alerts[0]!.details.probabilityBefore as number).toBeCloseTo(0.3077, 4);
    expect(alerts[0]!.details.probabilityAfter as number).toBeCloseTo(0.4286, 4);
  });

  it("uses fetch order even when handed snapshots out of order", () => {
    const history = [
      winBoard(at("11:50"), { "1": 1, "2": 1, "3": 5 }),
      winBoard(at("11:41"), { "1": 1, "2": 2, "3": 3 }),
    ];
    expect(steamAlerts(race(), history, s).map((a) => a.subject)).toEqual(["2"]);
  });
});

describe("overlayAlerts", () => {
  const s = settings({ overlay: { enabled: true, ratio: 2, withinMinutesToPost: 10 } });
  const morningLines = { "1": 5, "2": 5, "3": 3, "4": null };

  it("alerts near post on runners at ratio x morning line or longer", () => {
    // 11:55 is 5 min to post. #1: 12 / 5 = 2.4 >= 2, strength (2.4 - 2) / 2 = 0.2.
    // #2: 9 / 5 = 1.8 < 2. #3: 6 / 3 = 2 exactly, strength 0. #4 has no morning line.
    const current = winBoard(at("11:55"), { "1": 12, "2": 9, "3": 6, "4": 50 }, { morningLines });
    const alerts = overlayAlerts(race(), current, s);
    expect(alerts.map((a) => [a.subject, a.actualValue])).toEqual([
      ["1", 2.4],
      ["3", 2],
    ]);
    expect(alerts[0]).toMatchObject({
      type: "overlay",
      thresholdValue: 2,
      details: { before: 5, after: 12, minutesToPost: 5 },
    });
    expect(alerts[0]!.strength).toBeCloseTo(0.2, 10);
    expect(alerts[0]!.message).toBe("Saratoga R5 #1 Alpha: ML 5 -> 12 (2.40x morning line), 5 min to post");
  });

  it("stays quiet away from post, when disabled, or on a thin pool", () => {
    const odds = { "1": 12 };
    expect(overlayAlerts(race(), winBoard(at("11:45"), odds, { morningLines }), s)).toEqual([]);
    expect(overlayAlerts(race({ postTime: null }), winBoard(at("11:55"), odds, { morningLines }), s)).toEqual(
      [],
    );
    const disabled = settings({ overlay: { enabled: false, ratio: 2, withinMinutesToPost: 10 } });
    expect(overlayAlerts(race(), winBoard(at("11:55"), odds, { morningLines }), disabled)).toEqual([]);
    const thin = winBoard(at("11:55"), odds, { morningLines, totalWinPool: 100 });
    expect(overlayAlerts(race(), thin, s)).toEqual([]);
  });
});

describe("inFetchOrder", () => {
  it("keeps an ordered history as is and sorts a shuffled one", () => {
    const a = winBoard(at("11:40"), {});
    const b = winBoard(at("11:45"), {});
    const ordered = [a, b];
    expect(inFetchOrder(ordered)).toBe(ordered);
    expect(inFetchOrder([b, a])).toEqual([a, b]);
  });
});
