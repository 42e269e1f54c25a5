import { describe, expect, it } from "vitest";
import { at, race, settings, toteBoard } from "../../test/rules.js";
import { lateChangeAlerts, lateChangeMoves } from "./late-change.js";
import { dedupeKeyFor } from "./suppression.js";

const s = settings({ lateChange: { enabled: true, minPercent: 20 } });
/** Off at 12:02, two minutes after scheduled post. */
const ctx = race({ offAt: at("12:02") });
// The last board anyone could bet on, fetched at the off itself: $60,000.
// Odds (16% takeout, breakage to the dime): #1 50,400 / 30,000 = 1.68 -> 0.6, #2 2.52 -> 1.5, #3 5.04 -> 4.
const lastPreOff = toteBoard(at("12:02"), { "1": 30_000, "2": 20_000, "3": 10_000 });
// Simulcast money merges after the gates open: $72,000, #3 takes $8,000 more.
// #1 60,480 / 33,000 = 1.83 -> 0.8, #2 2.88 -> 1.8, #3 3.36 -> 2.3.
const firstAfter = toteBoard(at("12:03"), { "1": 33_000, "2": 21_000, "3": 18_000 });
// The final board: $74,000. #1 62,160 / 33,000 = 1.88 -> 0.8, #2 2.96 -> 1.9, #3 3.108 -> 2.1.
const final = toteBoard(at("12:04"), { "1": 33_000, "2": 21_000, "3": 20_000 });

describe("lateChangeMoves", () => {
  it("gives every interest's decimal move from the last pre-off board", () => {
    // Decimal: #1 1.6 -> 1.8 +12.5%; #2 2.5 -> 2.9 +16%; #3 5 -> 3.1 -38%.
    const moves = lateChangeMoves(lastPreOff, final);
    expect(moves.map((move) => [move.interest, move.before, move.after])).toEqual([
      ["1", 0.6, 0.8],
      ["2", 1.5, 1.9],
      ["3", 4, 2.1],
    ]);
    expect(moves.map((move) => move.changePercent)).toEqual([
      expect.closeTo(12.5, 10),
      expect.closeTo(16, 10),
      expect.closeTo(-38, 10),
    ]);
    expect(moves[2]).toMatchObject({
      label: "#3 Charlie",
      entryId: 103,
      measure: "odds",
      probabilitySource: null,
      amountBefore: 10_000,
      amountAfter: 20_000,
    });
  });

  it("measures on shares when a runner left the field at the gate", () => {
    // #2 scratched at the gate (refunded): over #1 and #3, 30/40 = 0.75 -> 33/51 = 0.647 (+15.9%)
    // and 10/40 = 0.25 -> 18/51 = 0.353: 0.25 / 0.353 - 1 = -29.2%.
    const withoutTwo = toteBoard(at("12:03"), { "1": 33_000, "3": 18_000 });
    const moves = lateChangeMoves(lastPreOff, withoutTwo);
    expect(moves.map((move) => [move.interest, move.measure, move.probabilitySource])).toEqual([
      ["1", "share", "pool"],
      ["3", "share", "pool"],
    ]);
    expect(moves[0]!.changePercent).toBeCloseTo(15.91, 2);
    expect(moves[1]!.changePercent).toBeCloseTo(-29.17, 2);
  });
});

describe("lateChangeAlerts", () => {
  it("alerts on an interest whose odds moved by minPercent after the off", () => {
    // At 12:03: #3 decimal 5 -> 3.3, -34% >= 20, strength (34 - 20) / 20 = 0.7.
    // #1 1.6 -> 1.8 (+12.5%) and #2 2.5 -> 2.8 (+12%) stay under 20. A US board shows 2.3-1 as "2"; the alert says 2.3-1.
    const alerts = lateChangeAlerts(ctx, lastPreOff, firstAfter, s);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      type: "late_change",
      raceId: 7,
      entryId: 103,
      subject: "3",
      triggeredAt: at("12:03"),
      occasion: "race",
      thresholdValue: -20, // signed like the move: a shortening of 34%

      details: {
        before: 4,
        after: 2.3,
        measure: "odds",
        poolBefore: 60_000,
        poolAfter: 72_000,
        amountBefore: 10_000,
        amountAfter: 18_000,
        offAt: "2025-06-01T12:02:00.000Z",
        minutesToPost: -3,
      },
    });
    expect(alerts[0]!.actualValue).toBeCloseTo(-34, 10);
    expect(alerts[0]!.details.changePercent as number).toBeCloseTo(-34, 10);
    expect(alerts[0]!.strength).toBeCloseTo(0.7, 10);
    expect(alerts[0]!.message).toBe(
      "Saratoga R5 #3 Charlie: 4 -> 2.3-1 after the off (-34.0%), win pool $60,000 -> $72,000, 3 min after post",
    );
  });

  it("writes a decimal tote's odds as its board shows them", () => {
    const decimal = race({ offAt: at("12:02"), boardOdds: { oddsFormat: "decimal", dividendUnit: 1 } });
    expect(lateChangeAlerts(decimal, lastPreOff, firstAfter, s)[0]!.message).toBe(
      "Saratoga R5 #3 Charlie: 5.00 -> 3.30 after the off (-34.0%), win pool $60,000 -> $72,000, 3 min after post",
    );
  });

  it("fires once per interest per race: every later board makes the same dedupe key", () => {
    // 12:04: #3 5 -> 3.1, -38%, again; keyed by the race, not by 12:03 or 12:04 (nor by an off
    // time a later status could still correct).
    const [first] = lateChangeAlerts(ctx, lastPreOff, firstAfter, s);
    const [again] = lateChangeAlerts(ctx, lastPreOff, final, s);
    expect(again!.triggeredAt).toEqual(at("12:04"));
    expect(dedupeKeyFor(again!)).toBe(dedupeKeyFor(first!));
    expect(dedupeKeyFor(first!)).toBe("late_change:7:3:race");
  });

  it("needs a board after the off and a last board at or before it", () => {
    // Not off (offAt null), a board at the off instant, a "last pre-off" board after the off.
    expect(lateChangeAlerts(race(), lastPreOff, firstAfter, s)).toEqual([]);
    expect(lateChangeAlerts(race({ offAt: at("12:03") }), lastPreOff, firstAfter, s)).toEqual([]);
    expect(lateChangeAlerts(race({ offAt: at("12:01") }), lastPreOff, firstAfter, s)).toEqual([]);
  });

  it("checks the pool minimum on the last pre-off board, and the setting", () => {
    // 60,000 < minPool.win 70,000 though the later board holds 72,000.
    const high = settings({ lateChange: s.lateChange, minPool: { win: 70_000, exacta: 0 } });
    expect(lateChangeAlerts(ctx, lastPreOff, firstAfter, high)).toEqual([]);
    const disabled = settings({ lateChange: { enabled: false, minPercent: 20 } });
    expect(lateChangeAlerts(ctx, lastPreOff, firstAfter, disabled)).toEqual([]);
    // minPercent 10 also catches #1 (+12.5%) and #2 (+12%).
    const wide = settings({ lateChange: { enabled: true, minPercent: 10 } });
    expect(lateChangeAlerts(ctx, lastPreOff, firstAfter, wide).map((a) => a.subject)).toEqual([
      "1",
      "2",
      "3",
    ]);
  });
});
