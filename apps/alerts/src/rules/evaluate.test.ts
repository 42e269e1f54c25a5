import { describe, expect, it } from "vitest";
import { evaluateExactaSnapshot, evaluateLateChange, evaluateWinSnapshot } from "./evaluate.js";
import { at, exactaBoard, race, settings, toteBoard, winBoard } from "../../test/rules.js";

describe("evaluateWinSnapshot", () => {
  it("runs every win rule on the latest snapshot, strongest first", () => {
    // 11:41 -> 11:50 (10 min to post), previous = 11:41; moves on decimal odds (same field).
    // #2 2 -> EVEN: odds_below 3? no (2 was already under 3). odds_change 3 -> 2, -33.3%
    //   (strength (33.3 - 30) / 30 = 0.111). steam +12.09 points (strength 1.418).
    // #3 3 -> 5: odds_change 4 -> 6, +50% (strength 0.667); drift 23.08% -> 14.29%, -8.79 points
    //   (strength 0.758); overlay (5 + 1) / (ML 2 + 1) = 2x (strength 0).
    // #1 EVEN -> EVEN: nothing.
    const history = [
      winBoard(at("11:41"), { "1": 1, "2": 2, "3": 3 }, { morningLines: { "3": 2 } }),
      winBoard(at("11:50"), { "1": 1, "2": 1, "3": 5 }, { morningLines: { "3": 2 } }),
    ];
    const alerts = evaluateWinSnapshot(race(), history, settings());
    expect(alerts.map((a) => [a.type, a.subject])).toEqual([
      ["steam", "2"],
      ["drift", "3"],
      ["odds_change", "3"],
      ["odds_change", "2"],
      ["overlay", "3"],
    ]);
    expect(alerts.every((a) => a.triggeredAt.getTime() === at("11:50").getTime())).toBe(true);
  });

  it("writes a decimal tote's odds as dividends in every message and says so in the details", () => {
    // The boards of the test above: #2 2 -> EVEN is 3.00 -> 2.00, #3 3 -> 5 is 4.00 -> 6.00, ML 2 is 3.00.
    const history = [
      winBoard(at("11:41"), { "1": 1, "2": 2, "3": 3 }, { morningLines: { "3": 2 } }),
      winBoard(at("11:50"), { "1": 1, "2": 1, "3": 5 }, { morningLines: { "3": 2 } }),
    ];
    const decimal = race({ boardOdds: { oddsFormat: "decimal", dividendUnit: 1 } });
    const alerts = evaluateWinSnapshot(decimal, history, settings());
    expect(alerts.map((a) => a.message)).toEqual([
      "Saratoga R5 #2 Bravo: 3.00 -> 2.00 in 9 min, win chance 30.8% -> 42.9%, 10 min to post",
      "Saratoga R5 #3 Charlie: 4.00 -> 6.00 in 9 min, win chance 23.1% -> 14.3%, 10 min to post",
      "Saratoga R5 #3 Charlie: 4.00 -> 6.00 (+50.0%), 10 min to post",
      "Saratoga R5 #2 Bravo: 3.00 -> 2.00 (-33.3%), 10 min to post",
      "Saratoga R5 #3 Charlie: ML 3.00 -> 6.00 (pays 2.00x the morning line), 10 min to post",
    ]);
    // Channels that write odds from the details (the email's subject) read the board from them.
    for (const alert of alerts)
      expect(alert.details).toMatchObject({ oddsFormat: "decimal", dividendUnit: 1 });
    // An odds-to-1 board's details are as they were.
    for (const alert of evaluateWinSnapshot(race(), history, settings()))
      expect(alert.details).not.toHaveProperty("oddsFormat");
  });

  it("writes a track's own currency in exacta messages and says so in the details (pounds)", () => {
    // The payout band of exacta-rules.test.ts on a sterling tote: 1-2 8.40 < 10, 3-1 150 > 100.
    const s = settings({ exactaPayout: { enabled: true, min: 10, max: 100, combinations: [] } });
    const sterling = race({ boardOdds: { oddsFormat: "odds_to_one", dividendUnit: 1, currency: "GBP" } });
    const alerts = evaluateExactaSnapshot(
      sterling,
      exactaBoard(at("11:55"), { "1-2": 8.4, "3-1": 150 }),
      null,
      s,
    );
    expect(alerts.map((a) => a.message)).toEqual([
      "Saratoga R5 exacta 3-1 probable £150.00, above £100.00, 5 min to post",
      "Saratoga R5 exacta 1-2 probable £8.40, below £10.00, 5 min to post",
    ]);
    for (const alert of alerts) expect(alert.details).toMatchObject({ currency: "GBP" });
    // Exacta details never carry the win board's odds format; dollars add nothing.
    for (const alert of alerts) expect(alert.details).not.toHaveProperty("oddsFormat");
    const dollars = evaluateExactaSnapshot(race(), exactaBoard(at("11:55"), { "1-2": 8.4 }), null, s);
    expect(dollars[0]!.details).not.toHaveProperty("currency");
    expect(dollars[0]!.message).toContain("probable $8.40, below $10.00");
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

  it("on a favourite's scratch raises the scratch, not steam or odds changes on the rest", () => {
    // #1 ($49,000 of $105,000) scratched at 11:48, 12 min to post; nobody else's money changes.
    // The refund shortens #2 3.2 -> 1.2, #3 5.3 -> 2.3, #4 6.3 -> 2.9, #5 8.8 -> 4.2: the old
    // rules raised four steam and four odds_change alerts. Over #2..#5 no share moved.
    // The board prices did cross 3-1 (#2, #3, #4): odds_below stays on prices, as shown.
    const history = [
      toteBoard(at("11:45"), { "1": 49_000, "2": 21_000, "3": 14_000, "4": 12_000, "5": 9_000 }),
      toteBoard(at("11:48"), { "2": 21_000, "3": 14_000, "4": 12_000, "5": 9_000 }),
    ];
    const alerts = evaluateWinSnapshot(
      race({ scratches: [{ interest: "1", knownAt: at("11:47") }] }),
      history,
      settings(),
    );
    expect(alerts.map((a) => [a.type, a.subject])).toEqual([
      ["odds_below", "2"], // (3 - 1.2) / 3 = 0.6
      ["scratch", "1"], // 49,000 / 105,000 = 0.467
      ["odds_below", "3"], // (3 - 2.3) / 3 = 0.233
      ["odds_below", "4"], // (3 - 2.9) / 3 = 0.033
    ]);
    expect(alerts[1]!.message).toBe(
      "Saratoga R5 #1 Alpha: scratched, 46.7% of the win pool refunded ($49,000), 12 min to post",
    );
  });

  it("raises nothing on a board fetched after the off", () => {
    const history = [
      winBoard(at("11:58"), { "1": 1, "2": 2, "3": 3 }, { morningLines: { "3": 2 } }),
      winBoard(at("12:03"), { "1": 1, "2": 1, "3": 5 }, { morningLines: { "3": 2 } }),
    ];
    // 12:03 is 3 min after post: before the off it is still betting, after it nothing.
    expect(evaluateWinSnapshot(race({ offAt: at("12:04") }), history, settings()).length).toBeGreaterThan(0);
    expect(evaluateWinSnapshot(race({ offAt: at("12:02") }), history, settings())).toEqual([]);
  });

  it("returns nothing for an empty history, and no crossings for a first snapshot", () => {
    expect(evaluateWinSnapshot(race(), [], settings())).toEqual([]);
    expect(evaluateWinSnapshot(race(), [winBoard(at("11:50"), { "2": 2.5 })], settings())).toEqual([]);
  });
});

describe("evaluateLateChange", () => {
  it("compares a post-off board with the last pre-off one, strongest first", () => {
    // Off 12:02, minPercent 20. Decimal: #1 EVEN -> 1-2 (2 -> 1.5, -25%, strength 0.25);
    // #2 2 -> 3 (3 -> 4, +33.3%, strength 0.667); #3 3 -> 5 (4 -> 6, +50%, strength 1.5).
    const lastPreOff = winBoard(at("12:02"), { "1": 1, "2": 2, "3": 3 });
    const after = winBoard(at("12:03"), { "1": 0.5, "2": 3, "3": 5 });
    const alerts = evaluateLateChange(race({ offAt: at("12:02") }), lastPreOff, after, settings());
    expect(alerts.map((a) => [a.type, a.subject])).toEqual([
      ["late_change", "3"],
      ["late_change", "2"],
      ["late_change", "1"],
    ]);
    expect(alerts.every((a) => a.occasion === "race")).toBe(true);
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
