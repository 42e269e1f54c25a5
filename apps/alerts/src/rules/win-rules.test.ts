// The win rules of win-rules.ts, one describe per rule (steam and drift: move-rules.test.ts).
import { describe, expect, it } from "vitest";
import { at, race, settings, toteBoard, winBoard } from "../../test/rules.js";
import { inFetchOrder, oddsChangeAlerts, oddsThresholdAlerts, overlayAlerts } from "./win-rules.js";

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

  it("writes a decimal tote's prices and thresholds as its board shows them", () => {
    // Odds-to-1 4 -> 5-2 under 3-1 is a dividend of 5.00 -> 3.50 under 4.00 per 1 (Hong Kong: per 10).
    const previous = winBoard(at("11:48"), { "2": 4 });
    const current = winBoard(at("11:52"), { "2": 2.5 });
    const perOne = race({ boardOdds: { oddsFormat: "decimal", dividendUnit: 1 } });
    const [alert] = oddsThresholdAlerts(perOne, previous, current, s);
    expect(alert!.message).toBe("Saratoga R5 #2 Bravo: 5.00 -> 3.50, at or below 4.00, 8 min to post");
    // The stored values stay odds-to-1, as every board's are.
    expect(alert).toMatchObject({ actualValue: 2.5, thresholdValue: 3, details: { before: 4, after: 2.5 } });
    const perTen = race({ boardOdds: { oddsFormat: "decimal", dividendUnit: 10 } });
    const odd = settings({ oddsThreshold: { enabled: true, below: 2.545, above: null } });
    expect(oddsThresholdAlerts(perTen, previous, current, odd)[0]!.message).toBe(
      "Saratoga R5 #2 Bravo: 50.00 -> 35.00, at or below 35.45, 8 min to post",
    );
    // A threshold no cent states exactly is shown exactly, not rounded past the price.
    expect(oddsThresholdAlerts(perOne, previous, current, odd)[0]!.message).toContain("at or below 3.545,");
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

  it("alerts once for a coupled entry, on the interest, naming its members", () => {
    // 1 and 1A bet as one interest "1": 4 -> 5-2 crosses 3 once, not once per member.
    const previous = winBoard(at("11:48"), { "1": 4, "1A": 4, "2": 6 });
    const current = winBoard(at("11:52"), { "1": 2.5, "1A": 2.5, "2": 6 });
    const alerts = oddsThresholdAlerts(race(), previous, current, s);
    expect(alerts.map((a) => [a.type, a.subject, a.entryId])).toEqual([["odds_below", "1", 101]]);
    expect(alerts[0]!.message).toBe(
      "Saratoga R5 #1/1A Alpha & Apollo: 4 -> 5-2, at or below 3-1, 8 min to post",
    );
  });

  it("stays quiet on a board fetched after the off", () => {
    const previous = winBoard(at("11:58"), { "2": 4 });
    const current = winBoard(at("12:02"), { "2": 2.5 });
    expect(oddsThresholdAlerts(race({ offAt: at("12:01") }), previous, current, s)).toEqual([]);
    // The off at 12:02 itself: still the last pre-off board.
    expect(oddsThresholdAlerts(race({ offAt: at("12:02") }), previous, current, s)).toHaveLength(1);
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

  it("alerts on decimal moves of at least minPercent either way", () => {
    // Decimal odds (odds-to-1 + 1, stake included), the same field on both boards:
    // #1: 4 -> 5-2 is 5 -> 3.5: -1.5 / 5 = -30% exactly, strength 0 (on odds-to-1 it was -37.5%).
    // #2: 3 -> 5 is 4 -> 6: +50% >= 30, strength (50 - 30) / 30 = 0.667.
    // #3: 10 -> 12 is 11 -> 13: +18.2% < 30, no alert.
    const previous = winBoard(at("11:48"), { "1": 4, "2": 3, "3": 10 });
    const current = winBoard(at("11:52"), { "1": 2.5, "2": 5, "3": 12 });
    const alerts = oddsChangeAlerts(race(), previous, current, s);
    expect(alerts.map((a) => a.subject)).toEqual(["1", "2"]);
    expect(alerts[0]).toMatchObject({ type: "odds_change", thresholdValue: 30, entryId: 101 });
    expect(alerts[0]!.actualValue).toBeCloseTo(30, 10);
    expect(alerts[0]!.details).toMatchObject({ before: 4, after: 2.5, measure: "odds" });
    expect(alerts[0]!.details.changePercent as number).toBeCloseTo(-30, 10);
    expect(alerts[0]!.details).not.toHaveProperty("probabilitySource");
    expect(alerts[0]!.strength).toBeCloseTo(0, 10);
    expect(alerts[0]!.message).toBe("Saratoga R5 #1 Alpha: 4 -> 5-2 (-30.0%), 8 min to post");
    expect(alerts[1]!.actualValue).toBeCloseTo(50, 10);
    expect(alerts[1]!.strength).toBeCloseTo(0.667, 3);
    expect(alerts[1]!.message).toContain("(+50.0%)");
  });

  it("reads a tick as the small move it is", () => {
    // 1-5 -> 2-5: decimal 1.2 -> 1.4, (1.4 - 1.2) / 1.2 = +16.7% < 30 (on odds-to-1, +100%).
    // 9-5 -> 2: 2.8 -> 3, +7.1%.
    const previous = winBoard(at("11:48"), { "1": 0.2, "2": 1.8 });
    const current = winBoard(at("11:52"), { "1": 0.4, "2": 2 });
    expect(oddsChangeAlerts(race(), previous, current, s)).toEqual([]);
    const tight = settings({ oddsChange: { enabled: true, minPercent: 15 } });
    const [tick] = oddsChangeAlerts(race(), previous, current, tight);
    expect(tick!.actualValue).toBeCloseTo(16.67, 2);
  });

  it("does not read a favourite's scratch as a move on the rest (the tote shortens them all)", () => {
    // #1 ($49,000 of $105,000) scratched; nobody else's money changes. The tote refunds it and
    // recomputes: #2 3.2 -> 1.2, #3 5.3 -> 2.3, #4 6.3 -> 2.9, #5 8.8 -> 4.2 — on odds alone
    // -62.5%, -56.6%, -54.0%, -52.3%. The field changed, so the move is on shares of #2..#5
    // ($56,000 on both boards): #2 21/56 = 0.375 on both, 0%; likewise the rest.
    const previous = toteBoard(at("11:45"), {
      "1": 49_000,
      "2": 21_000,
      "3": 14_000,
      "4": 12_000,
      "5": 9_000,
    });
    const current = toteBoard(at("11:48"), { "2": 21_000, "3": 14_000, "4": 12_000, "5": 9_000 });
    expect(current.runners.map((runner) => runner.winOdds)).toEqual([1.2, 2.3, 2.9, 4.2]);
    expect(
      oddsChangeAlerts(race({ scratches: [{ interest: "1", knownAt: null }] }), previous, current, s),
    ).toEqual([]);
  });

  it("measures on shares of the runners still in when the field changed", () => {
    // #1 scratched as above while #5 takes $16,000 (9,000 -> 25,000; pool 72,000, #5 9-5 -> 7-5).
    // Shares of #2..#5: #5 9/56 = 0.1607 -> 25/72 = 0.3472: 0.1607 / 0.3472 - 1 = -53.7% >= 30.
    // #2 0.375 -> 21/72 = 0.2917: +28.6% < 30 (as #3 and #4): less of the pool, not a move of 30%.
    const previous = toteBoard(at("11:45"), {
      "1": 49_000,
      "2": 21_000,
      "3": 14_000,
      "4": 12_000,
      "5": 9_000,
    });
    const current = toteBoard(at("11:48"), { "2": 21_000, "3": 14_000, "4": 12_000, "5": 25_000 });
    const alerts = oddsChangeAlerts(race(), previous, current, s);
    expect(alerts.map((a) => a.subject)).toEqual(["5"]);
    expect(alerts[0]!.actualValue).toBeCloseTo(53.71, 2);
    expect(alerts[0]!.details).toMatchObject({
      before: 8.8,
      after: 1.4,
      measure: "share",
      probabilitySource: "pool",
    });
    expect(alerts[0]!.message).toBe(
      "Saratoga R5 #5 Echo: 8.8-1 -> 7-5 (-53.7% in fair odds, field changed), 12 min to post",
    );
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

describe("overlayAlerts", () => {
  const s = settings({ overlay: { enabled: true, ratio: 2, withinMinutesToPost: 10 } });
  const morningLines = { "1": 5, "2": 5, "3": 3, "4": null };

  it("alerts near post on runners paying ratio x the morning line or more, on decimal odds", () => {
    // 11:55 is 5 min to post. (odds + 1) / (ML + 1):
    // #1: 13 / 6 = 2.1667 >= 2, strength (2.1667 - 2) / 2 = 0.0833. #2: 10 / 6 = 1.667 < 2.
    // #3: 8 / 4 = 2 exactly, strength 0. #4 has no morning line.
    const current = winBoard(at("11:55"), { "1": 12, "2": 9, "3": 7, "4": 50 }, { morningLines });
    const alerts = overlayAlerts(race(), current, s);
    expect(alerts.map((a) => [a.subject, a.actualValue])).toEqual([
      ["1", expect.closeTo(2.1667, 4)],
      ["3", 2],
    ]);
    expect(alerts[0]).toMatchObject({
      type: "overlay",
      thresholdValue: 2,
      details: { before: 5, after: 12, minutesToPost: 5 },
    });
    expect(alerts[0]!.strength).toBeCloseTo(0.0833, 4);
    expect(alerts[0]!.message).toBe(
      "Saratoga R5 #1 Alpha: ML 5 -> 12 (pays 2.17x the morning line), 5 min to post",
    );
  });

  it("does not call a short price an overlay, and sees a long one", () => {
    // ML 1-2 -> EVEN: $2 returns $4 instead of $3, (1 + 1) / (0.5 + 1) = 1.33 < 2 (odds-to-1 said 1 / 0.5 = 2x).
    const short = winBoard(at("11:55"), { "1": 1 }, { morningLines: { "1": 0.5 } });
    expect(overlayAlerts(race(), short, s)).toEqual([]);
    // ML 30-1 -> 45-1: (45 + 1) / (30 + 1) = 46 / 31 = 1.48. At ratio 1.45 it fires and the short
    // price (1.33) still does not; odds-to-1 had them the other way round (45 / 30 = 1.5 vs 2).
    const long = winBoard(at("11:55"), { "1": 1, "2": 45 }, { morningLines: { "1": 0.5, "2": 30 } });
    const lower = settings({ overlay: { enabled: true, ratio: 1.45, withinMinutesToPost: 10 } });
    const alerts = overlayAlerts(race(), long, lower);
    expect(alerts.map((a) => a.subject)).toEqual(["2"]);
    expect(alerts[0]!.actualValue).toBeCloseTo(1.4839, 4);
  });

  it("judges a coupled entry once, on the lead member's morning line", () => {
    // 1/1A at 9-1, ML 4-1 on #1: 10 / 5 = 2.
    const current = winBoard(at("11:55"), { "1": 9, "1A": 9 }, { morningLines: { "1": 4, "1A": 6 } });
    const alerts = overlayAlerts(race(), current, s);
    expect(alerts.map((a) => [a.subject, a.entryId, a.actualValue])).toEqual([["1", 101, 2]]);
  });

  it("keeps watching after scheduled post until the off (post drag)", () => {
    const current = winBoard(at("12:03"), { "1": 12 }, { morningLines });
    // 12:03 is 3 min after post, race not off: still betting.
    expect(overlayAlerts(race(), current, s)).toHaveLength(1);
    expect(overlayAlerts(race({ offAt: at("12:02") }), current, s)).toEqual([]);
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
