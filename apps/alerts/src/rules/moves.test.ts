import { describe, expect, it } from "vitest";
import { at, toteBoard, winBoard } from "../../test/rules.js";
import { compareBoards, decimalMovePercent, shareMovePercent } from "./moves.js";

/** The favourite #1 ($49,000 of $105,000) scratched at 11:48; nobody else's money changes. */
const beforeScratch = toteBoard(at("11:45"), {
  "1": 49_000,
  "2": 21_000,
  "3": 14_000,
  "4": 12_000,
  "5": 9_000,
});
const afterScratch = toteBoard(at("11:48"), { "2": 21_000, "3": 14_000, "4": 12_000, "5": 9_000 });

describe("decimalMovePercent / shareMovePercent", () => {
  it("moves on decimal odds, stake included", () => {
    // A tick: 1-5 -> 2-5 is decimal 1.2 -> 1.4: (1.4 - 1.2) / 1.2 = +16.7% (on odds-to-1, +100%).
    expect(decimalMovePercent(0.2, 0.4)).toBeCloseTo(16.67, 2);
    // 5-1 -> 5-2: 6 -> 3.5, -41.7%.
    expect(decimalMovePercent(5, 2.5)).toBeCloseTo(-41.67, 2);
  });

  it("moves on fair decimal odds (1 / share) when the field changed", () => {
    // Share 0.2 -> 0.25: fair 5 -> 4, 0.2 / 0.25 - 1 = -20%.
    expect(shareMovePercent(0.2, 0.25)).toBeCloseTo(-20, 10);
    expect(shareMovePercent(0, 0.25)).toBeNull();
  });
});

describe("compareBoards", () => {
  it("sees no move in a scratch's refund: shares over the common field, from the pool", () => {
    // The tote recomputes (16% takeout, breakage to the dime): 105,000 -> 56,000 in the pool,
    // #2 3.2 -> 1.2 (88,200 / 21,000 = 4.2 -> 47,040 / 21,000 = 2.24, broken to 2.2).
    expect(beforeScratch.runners.find((r) => r.programNumber === "2")!.winOdds).toBe(3.2);
    expect(afterScratch.runners.find((r) => r.programNumber === "2")!.winOdds).toBe(1.2);
    // Over #2..#5 (56,000 on both boards) every share is unchanged: #2 21/56 = 0.375 on both.
    const comparison = compareBoards(beforeScratch, afterScratch);
    expect(comparison).toMatchObject({ sameField: false, measure: "share", source: "pool" });
    expect(comparison.moves.map((move) => move.key)).toEqual(["2", "3", "4", "5"]);
    for (const move of comparison.moves) {
      expect(move.shareNow).toBeCloseTo(move.shareBefore, 12);
      expect(move.changePercent).toBeCloseTo(0, 10);
    }
  });

  it("uses normalized odds over the common field on both boards when amounts are missing", () => {
    // The same boards without amounts. #2..#5 implied 1/4.2, 1/6.3, 1/7.3, 1/9.8 (sum 0.6358):
    // #2 0.3745; after 1/2.2, 1/3.3, 1/3.9, 1/5.2 (sum 1.2063): #2 0.3768 — breakage only,
    // 0.3745 / 0.3768 - 1 = -0.6%.
    const strip = (board: typeof beforeScratch) =>
      winBoard(
        board.fetchedAt,
        Object.fromEntries(board.runners.map((runner) => [runner.programNumber, runner.winOdds])),
      );
    const comparison = compareBoards(strip(beforeScratch), strip(afterScratch));
    expect(comparison).toMatchObject({ measure: "share", source: "odds" });
    const two = comparison.moves[0]!;
    expect(two.shareBefore).toBeCloseTo(0.3745, 4);
    expect(two.shareNow).toBeCloseTo(0.3768, 4);
    expect(two.changePercent).toBeCloseTo(-0.63, 2);
  });

  it("moves on decimal odds when the field is the same, matching a coupled entry by interest", () => {
    // Entry 1/1A listed by member before, once after: the same interests, so decimal odds.
    // #1 EVEN -> 3-5: 2 -> 1.6, -20%; #2 3 -> 4: 4 -> 5, +25%.
    const before = winBoard(at("11:45"), { "1": 1, "1A": 1, "2": 3 });
    const now = winBoard(at("11:48"), { "1": 0.6, "2": 4 });
    const comparison = compareBoards(before, now);
    expect(comparison).toMatchObject({ sameField: true, measure: "odds" });
    expect(comparison.moves.map((move) => [move.key, move.changePercent])).toEqual([
      ["1", expect.closeTo(-20, 10)],
      ["2", expect.closeTo(25, 10)],
    ]);
  });
});
