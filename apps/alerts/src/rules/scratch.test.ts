import { describe, expect, it } from "vitest";
import { at, race, settings, toteBoard, winBoard } from "../../test/rules.js";
import { lastListingIn, scratchAlerts } from "./scratch.js";
import { dedupeKeyFor } from "./suppression.js";
import type { RaceContext, WinSnapshot } from "./types.js";

const s = settings();
/** $105,000 in the win pool; the favourite #1 holds $49,000 of it. */
const FIELD = { "1": 49_000, "2": 21_000, "3": 14_000, "4": 12_000, "5": 9_000 };
const previous = toteBoard(at("11:45"), FIELD);
const current = toteBoard(at("11:48"), { "2": 21_000, "3": 14_000, "4": 12_000, "5": 9_000 });
/** #1 scratched on the card, known from the start (a card without an observation time). */
const scratchedOne = race({ scratches: [{ interest: "1", knownAt: null }] });

/** The rule on `previous` -> `current`, the last listing looked up in the two boards. */
function scratches(ctx: RaceContext, before: WinSnapshot | null, now: WinSnapshot, rule = s) {
  return scratchAlerts(ctx, before, now, lastListingIn(before === null ? [now] : [before, now]), rule);
}

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
    const alerts = scratches(scratchedOne, previous, current);
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
    const [alert] = scratches(scratchedOne, noTotal, current);
    expect(alert!.actualValue).toBeCloseTo(46.67, 2);
    expect(alert!.details.probabilitySource).toBe("pool");
  });

  it("estimates the share from the odds when amounts are unknown", () => {
    // Odds 4-5, 3.2, 5.3, 6.3, 8.8 -> implied 1/1.8 = 0.5556, 1/4.2 = 0.2381, 1/6.3 = 0.1587,
    // 1/7.3 = 0.1370, 1/9.8 = 0.1020 (sum 1.1914): #1 0.5556 / 1.1914 = 46.63%.
    const [alert] = scratches(scratchedOne, oddsOnly(previous), oddsOnly(current));
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
    // (The engine lists an interest as scratched only when every member on the card is.)
    expect(scratches(race(), before, mateRuns)).toEqual([]);
    // Both scratched: one alert for the entry; its $30,000 counted once, of the board's total
    // $50,000 (30,000 + 20,000): 60%.
    const gone = winBoard(at("11:48"), { "2": 1 }, { amounts: { "2": 20_000 } });
    const both = scratches(scratchedOne, before, gone);
    expect(both.map((a) => [a.subject, a.entryId])).toEqual([["1", 101]]);
    expect(both[0]!.actualValue).toBeCloseTo(60, 10); // 30,000 / 50,000
    expect(both[0]!.message).toMatch(/^Saratoga R5 #1\/1A Alpha & Apollo: scratched, 60.0%/);
    // The whole interest left the board but the card has not scratched it (only 1A): not a scratch.
    expect(scratches(race(), before, gone)).toEqual([]);
  });

  it("needs the card to say scratched: a runner missing from one board is not news", () => {
    expect(scratches(race(), previous, current)).toEqual([]);
  });

  it("is not held to the pool minimum or the distance to post, only to the off", () => {
    // Two hours out with a $4,000 pool (under minPool.win 5,000): still a scratch.
    const early = race({ scratches: [{ interest: "1", knownAt: null }], postTime: at("14:00") });
    const thin = oddsOnly(previous, 4_000);
    expect(scratches(early, thin, oddsOnly(current, 2_000))).toHaveLength(1);
    // After the off, or disabled, or with no previous board: nothing.
    const offEarly = race({ scratches: [{ interest: "1", knownAt: null }], offAt: at("11:47") });
    expect(scratches(offEarly, previous, current)).toEqual([]);
    expect(scratches(scratchedOne, previous, current, settings({ scratch: { enabled: false } }))).toEqual([]);
    // No board ever listed #1: nothing was refunded.
    expect(scratches(scratchedOne, null, current)).toEqual([]);
  });

  it("raises it once, on the first board where it is both known scratched and gone, in either order", () => {
    const boards = [
      toteBoard(at("11:40"), FIELD),
      toteBoard(at("11:45"), FIELD),
      toteBoard(at("11:48"), { "2": 21_000, "3": 14_000, "4": 12_000, "5": 9_000 }),
      toteBoard(at("11:51"), { "2": 21_000, "3": 14_000, "4": 12_000, "5": 9_000 }),
      toteBoard(at("11:54"), { "2": 22_000, "3": 14_000, "4": 12_000, "5": 9_000 }),
    ];
    const raisedAt = (knownAt: Date | null) =>
      boards.flatMap((now, i) =>
        i === 0
          ? []
          : scratchAlerts(
              race({ scratches: [{ interest: "1", knownAt }] }),
              boards[i - 1]!,
              now,
              lastListingIn(boards),
              s,
            ).map((alert) => [alert.triggeredAt.toISOString().slice(11, 16), alert.details.lastListedAt]),
      );
    const listed = at("11:45").toISOString();
    // The card said so first (11:44): the board that drops #1 (11:48) raises it.
    expect(raisedAt(at("11:44"))).toEqual([["11:48", listed]]);
    // The board dropped #1 at 11:48, the card came at 11:50: the first board after (11:51) raises
    // it, still measured on 11:45, the last board that listed #1 ($49,000 of $105,000). A daemon
    // that saw the 11:48 board before the card and a backtest after both raise exactly this.
    expect(raisedAt(at("11:50"))).toEqual([["11:51", listed]]);
    // Known exactly at a board's instant: that board.
    expect(raisedAt(at("11:51"))).toEqual([["11:51", listed]]);
  });

  it("keys a scratch by the race: a lagging board that relists the runner cannot announce it twice", () => {
    const field = toteBoard(at("11:45"), FIELD);
    const gone = toteBoard(at("11:48"), { "2": 21_000, "3": 14_000, "4": 12_000, "5": 9_000 });
    const relisted = toteBoard(at("11:51"), FIELD);
    const goneAgain = toteBoard(at("11:54"), { "2": 21_000, "3": 14_000, "4": 12_000, "5": 9_000 });
    const boards = [field, gone, relisted, goneAgain];
    const first = scratchAlerts(scratchedOne, field, gone, lastListingIn(boards), s);
    const again = scratchAlerts(scratchedOne, relisted, goneAgain, lastListingIn(boards), s);
    expect(first).toHaveLength(1);
    expect(again).toHaveLength(1);
    expect(dedupeKeyFor(again[0]!)).toBe(dedupeKeyFor(first[0]!));
    expect(dedupeKeyFor(first[0]!)).toBe("scratch:7:1:race");
  });
});
