import { describe, expect, it } from "vitest";
import { evaluateExactaSnapshot, evaluateWinSnapshot } from "./evaluate.js";
import { at, exactaBoard, race, settings, winBoard } from "../../test/rules.js";

describe("evaluateWinSnapshot", () => {
  it("runs every win rule on the latest snapshot, strongest first", () => {
    // 11:41 -> 11:50 (10 min to post), previous = 11:41.
    // #2 2 -> EVEN: odds_below 3? no (2 was already under 3). odds_change 50% (strength (50-30)/30 = 0.667).
    //   steam +12.09 points (strength 1.418).
    // #3 3 -> 5: odds_change 66.7% (strength 1.222); overlay 5 / ML 2 = 2.5x (strength 0.25).
    // #1 EVEN -> EVEN: nothing.
    const history = [
      winBoard(at("11:41"), { "1": 1, "2": 2, "3": 3 }, { morningLines: { "3": 2 } }),
      winBoard(at("11:50"), { "1": 1, "2": 1, "3": 5 }, { morningLines: { "3": 2 } }),
    ];
    const alerts = evaluateWinSnapshot(race(), history, settings());
    expect(alerts.map((a) => [a.type, a.subject])).toEqual([
      ["steam", "2"],
      ["odds_change", "3"],
      ["odds_change", "2"],
      ["overlay", "3"],
    ]);
    expect(alerts.every((a) => a.triggeredAt.getTime() === at("11:50").getTime())).toBe(true);
  });

  it("takes the latest by fetch time and the one before it as previous", () => {
    // Out of order: latest is 11:52 (#2 at 5-2), previous 11:48 (#2 at 4) -> crosses below 3.
    const s = settings({
      oddsChange: { enabled: false, minPercent: 30 },
      steam: {
        enabled: false,
        probabilityPoints: 5,
        oddsDropPercent: 35,
        windowMinutes: 10,
        withinMinutesToPost: 20,
      },
    });
    const history = [winBoard(at("11:52"), { "2": 2.5 }), winBoard(at("11:48"), { "2": 4 })];
    expect(evaluateWinSnapshot(race(), history, s).map((a) => a.type)).toEqual(["odds_below"]);
  });

  it("returns nothing for an empty history, and no crossings for a first snapshot", () => {
    expect(evaluateWinSnapshot(race(), [], settings())).toEqual([]);
    expect(evaluateWinSnapshot(race(), [winBoard(at("11:50"), { "2": 2.5 })], settings())).toEqual([]);
  });
});

describe("evaluateExactaSnapshot", () => {
  const win = winBoard(at("11:54"), { "1": 1, "2": 2, "3": 3 });
  // 1-2 pays $12 vs fair $6.07 (+97.8%, overlay strength 0.956) and is above max $10 (strength 0.2).
  const s = settings({ exactaPayout: { enabled: true, min: null, max: 10, combinations: [] } });

  it("runs the payout band and the cross-pool rules, strongest first", () => {
    const alerts = evaluateExactaSnapshot(race(), exactaBoard(at("11:55"), { "1-2": 12 }), win, s);
    expect(alerts.map((a) => a.type)).toEqual(["exacta_overlay", "exacta_high"]);
  });

  it("checks only the payout band without a win board", () => {
    const alerts = evaluateExactaSnapshot(race(), exactaBoard(at("11:55"), { "1-2": 12 }), null, s);
    expect(alerts.map((a) => a.type)).toEqual(["exacta_high"]);
  });
});
