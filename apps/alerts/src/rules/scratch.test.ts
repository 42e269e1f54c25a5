import { describe, expect, it } from "vitest";
import { at, race, settings, toteBoard, winBoard } from "../../test/rules.js";
import { scratchAlerts } from "./scratch.js";

const s = settings();
/** $105,000 in the win pool; the favourite #1 holds $49,000 of it. */
const FIELD = { "1": 49_000, "2": 21_000, "3": 14_000, "4": 12_000, "5": 9_000 };
const previous = toteBoard(at("11:45"), FIELD);
const current = toteBoard(at("11:48"), { "2": 21_000, "3": 14_000, "4": 12_000, "5": 9_000 });
const scratchedOne = race({ scratched: new Set(["1"]) });

/** A board's odds only, amounts dropped. */
function oddsOnly(board: typeof previous, totalWinPool: number | null = board.totalWinPool) {
  return winBoard(
    board.fetchedAt,
    Object.fromEntries(board.runners.map((runner) => [runner.programNumber, runner.winOdds])),
    { totalWinPool },
  );
}

describe("scratchAlerts", () => {
  it("reports the share of the win pool refunded, from the pool amounts", () => {
    // 49,000 / 105,000 = 46.67% of the win pool; 11:48 is 12 min to post.
    const alerts = scratchAlerts(scratchedOne, previous, current, s);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      type: "scratch",
      raceId: 7,
      entryId: 101,
      subject: "1",
      triggeredAt: at("11:48"),
      thresholdValue: null,
      details: { refundedAmount: 49_000, probabilitySource: "pool", minutesToPost: 12 },
    });
    expect(alerts[0]!.actualValue).toBeCloseTo(46.67, 2);
    expect(alerts[0]!.details.refundedShare as number).toBeCloseTo(0.4667, 4);
    expect(alerts[0]!.strength).toBeCloseTo(0.4667, 4);
    expect(alerts[0]!.message).toBe(
      "Saratoga R5 #1 Alpha: scratched, 46.7% of the win pool refunded ($49,000), 12 min to post",
    );
  });

  it("adds up the interests' amounts when the board has no total", () => {
    // 49,000 / (49,000 + 21,000 + 14,000 + 12,000 + 9,000) = 49,000 / 105,000 again.
    const noTotal = { ...previous, totalWinPool: null };
    const [alert] = scratchAlerts(scratchedOne, noTotal, current, s);
    expect(alert!.actualValue).toBeCloseTo(46.67, 2);
    expect(alert!.details.probabilitySource).toBe("pool");
  });

  it("estimates the share from the odds when amounts are unknown", () => {
    // Odds 4-5, 3.2, 5.3, 6.3, 8.8 -> implied 1/1.8 = 0.5556, 1/4.2 = 0.2381, 1/6.3 = 0.1587,
    // 1/7.3 = 0.1370, 1/9.8 = 0.1020 (sum 1.1914): #1 0.5556 / 1.1914 = 46.63%.
    const [alert] = scratchAlerts(scratchedOne, oddsOnly(previous), oddsOnly(current), s);
    expect(alert!.actualValue).toBeCloseTo(46.63, 2);
    expect(alert!.details).toMatchObject({ refundedAmount: null, probabilitySource: "odds" });
    expect(alert!.message).toBe(
      "Saratoga R5 #1 Alpha: scratched, about 46.6% of the win pool refunded (by the odds), 12 min to post",
    );
  });

  it("treats a coupled entry as one interest: gone only when every member listed is scratched", () => {
    const before = winBoard(
      at("11:45"),
      { "1": 1, "1A": 1, "2": 2 },
      { amounts: { "1": 30_000, "1A": 30_000, "2": 20_000 } },
    );
    // 1A scratched, 1 still runs: the interest "1" is still in, no alert.
    const mateRuns = winBoard(at("11:48"), { "1": 1, "2": 2 }, { amounts: { "1": 30_000, "2": 20_000 } });
    expect(scratchAlerts(race({ scratched: new Set(["1A"]) }), before, mateRuns, s)).toEqual([]);
    // Both scratched: one alert for the entry; its $30,000 counted once, of the board's total
    // $50,000 (30,000 + 20,000): 60%.
    const gone = winBoard(at("11:48"), { "2": 1 }, { amounts: { "2": 20_000 } });
    const both = scratchAlerts(race({ scratched: new Set(["1", "1a"]) }), before, gone, s);
    expect(both.map((a) => [a.subject, a.entryId])).toEqual([["1", 101]]);
    expect(both[0]!.actualValue).toBeCloseTo(60, 10); // 30,000 / 50,000
    expect(both[0]!.message).toMatch(/^Saratoga R5 #1\/1A Alpha & Apollo: scratched, 60.0%/);
    // Only 1A on the card's scratch list while the whole interest left the board: not a scratch.
    expect(scratchAlerts(race({ scratched: new Set(["1A"]) }), before, gone, s)).toEqual([]);
  });

  it("needs the card to say scratched: a runner missing from one board is not news", () => {
    expect(scratchAlerts(race(), previous, current, s)).toEqual([]);
  });

  it("is not held to the pool minimum or the distance to post, only to the off", () => {
    // Two hours out with a $4,000 pool (under minPool.win 5,000): still a scratch.
    const early = race({ scratched: new Set(["1"]), postTime: at("14:00") });
    const thin = oddsOnly(previous, 4_000);
    expect(scratchAlerts(early, thin, oddsOnly(current, 2_000), s)).toHaveLength(1);
    // After the off, or disabled, or with no previous board: nothing.
    expect(
      scratchAlerts(race({ scratched: new Set(["1"]), offAt: at("11:47") }), previous, current, s),
    ).toEqual([]);
    expect(scratchAlerts(scratchedOne, previous, current, settings({ scratch: { enabled: false } }))).toEqual(
      [],
    );
    expect(scratchAlerts(scratchedOne, null, current, s)).toEqual([]);
  });
});
