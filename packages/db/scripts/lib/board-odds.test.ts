import { describe, expect, it } from "vitest";
import { formatBoardOdds } from "./board-odds.js";

describe("formatBoardOdds", () => {
  it.each([
    [0.1, "1-9"],
    [0.5, "1-2"],
    [1, "1-1"],
    [1.2, "6-5"],
    [2.5, "5-2"],
    [2.6, "5-2"],
    [4.5, "9-2"],
    [5, "5-1"],
    [12.9, "12-1"],
    [250, "99-1"],
  ])("%s-to-1 shows as %s", (odds, board) => {
    expect(formatBoardOdds(odds)).toBe(board);
  });

  it("refuses what is not odds-to-1", () => {
    expect(() => formatBoardOdds(0)).toThrow(/not odds-to-1: 0/);
    expect(() => formatBoardOdds(Number.NaN)).toThrow(RangeError);
  });
});
