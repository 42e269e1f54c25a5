import { describe, expect, it } from "vitest";
import {
  exactaValueGrid,
  fairExactaOf,
  interestCombinationOf,
  percentOverFair,
  probablesByCombination,
  type ExactaValueCell,
} from "./exacta-value.js";
import type { InterestRunner } from "./interests.js";

const HORSES: Record<string, string> = { "1": "Alpha", "1A": "Apollo", "2": "Bravo", "3": "Charlie" };

/**
 * Runners from program number -> win pool amount ("pool": odds 9-1 each, the pool is what prices
 * them) or -> odds-to-1 ("odds": no pool amounts).
 */
function runners(values: Record<string, number>, by: "pool" | "odds"): InterestRunner[] {
  return Object.entries(values).map(([programNumber, value], i) => ({
    entryId: 100 + i,
    programNumber,
    horse: HORSES[programNumber] ?? `Horse ${programNumber}`,
    morningLine: null,
    winOdds: by === "odds" ? value : 9,
    winPoolAmount: by === "pool" ? value : null,
  }));
}

const poolRunners = (amounts: Record<string, number>) => runners(amounts, "pool");

/** Exacta probables from "first-second" -> $2 payout, in the order given. */
function probables(
  payouts: Record<string, number>,
): Array<{ first: string; second: string; payout: number }> {
  return Object.entries(payouts).map(([combination, payout]) => {
    const [first = "", second = ""] = combination.split("-");
    return { first, second, payout };
  });
}

function cellOf(cells: readonly ExactaValueCell[], first: string, second: string): ExactaValueCell {
  const cell = cells.find((each) => each.first === first && each.second === second);
  if (cell === undefined) throw new Error(`no cell ${first}-${second}`);
  return cell;
}

/** The cells of these "first-second" pairs have no probable, hence no percent, but a fair price. */
function expectNoProbable(cells: readonly ExactaValueCell[], pairs: readonly string[]): void {
  for (const pair of pairs) {
    const [first = "", second = ""] = pair.split("-");
    const cell = cellOf(cells, first, second);
    expect(cell, pair).toMatchObject({ payout: null, percent: null });
    expect(cell.fair, pair).not.toBeNull();
  }
}

describe("exactaValueGrid", () => {
  // Pool amounts 600, 400, 300 of 1,300: p = 6/13 = 0.4615, 4/13 = 0.3077, 3/13 = 0.2308.
  // Harville P(A-B) = pA pB / (1 - pA); fair $2 at 20% takeout = 2 * 0.8 / P = 1.6 / P:
  //   1-2 (6/13)(4/13) / (7/13)  = 24/91  = 0.2637 -> 1.6 * 91 / 24  = 6.0667
  //   1-3 (6/13)(3/13) / (7/13)  = 18/91  = 0.1978 -> 1.6 * 91 / 18  = 8.0889
  //   2-1 (4/13)(6/13) / (9/13)  = 24/117 = 0.2051 -> 1.6 * 117 / 24 = 7.80
  //   2-3 (4/13)(3/13) / (9/13)  = 12/117 = 0.1026 -> 1.6 * 117 / 12 = 15.60
  //   3-1 (3/13)(6/13) / (10/13) = 18/130 = 0.1385 -> 1.6 * 130 / 18 = 11.5556
  //   3-2 (3/13)(4/13) / (10/13) = 12/130 = 0.0923 -> 1.6 * 130 / 12 = 17.3333
  const amounts = { "1": 600, "2": 400, "3": 300 };

  it("prices every ordered pair from the pool and sets each probable against it (worked by hand)", () => {
    // 1-2 $8.00: (8 - 6.0667) / 6.0667 = 8 * 24 / 145.6 - 1 = +31.87%.
    // 3-2 $12.00: (12 - 17.3333) / 17.3333 = 12 * 12 / 208 - 1 = 9/13 - 1 = -30.77%.
    // 2-1 $7.80: exactly fair, 0%. The other three have no probable: fair shown, no percent.
    const grid = exactaValueGrid(poolRunners(amounts), probables({ "1-2": 8, "3-2": 12, "2-1": 7.8 }));
    expect(grid.source).toBe("pool");
    expect(grid.interests).toEqual([
      { key: "1", label: "#1 Alpha", probability: expect.closeTo(6 / 13, 12) },
      { key: "2", label: "#2 Bravo", probability: expect.closeTo(4 / 13, 12) },
      { key: "3", label: "#3 Charlie", probability: expect.closeTo(3 / 13, 12) },
    ]);
    // One cell per ordered pair of different interests, row by row in program order.
    expect(grid.cells.map((cell) => `${cell.first}-${cell.second}`)).toEqual([
      "1-2",
      "1-3",
      "2-1",
      "2-3",
      "3-1",
      "3-2",
    ]);
    expect(grid.cells.map((cell) => cell.fair)).toEqual([
      expect.closeTo(6.0667, 4),
      expect.closeTo(8.0889, 4),
      expect.closeTo(7.8, 10),
      expect.closeTo(15.6, 10),
      expect.closeTo(11.5556, 4),
      expect.closeTo(17.3333, 4),
    ]);
    expect(cellOf(grid.cells, "1", "2")).toEqual({
      first: "1",
      second: "2",
      payout: 8,
      fair: expect.closeTo(6.0667, 4),
      percent: expect.closeTo(31.87, 2),
    });
    expect(cellOf(grid.cells, "3", "2").percent).toBeCloseTo(-30.77, 2);
    expect(cellOf(grid.cells, "2", "1").percent).toBeCloseTo(0, 10);
    expectNoProbable(grid.cells, ["1-3", "2-3", "3-1"]);
  });

  it("prices a coupled entry 1/1A as one interest and reads probables as interest combinations", () => {
    // 1 and 1A each carry the entry's 600 (counted once): p = 6/13, 4/13, 3/13 as above.
    // 1A-2 $9.00 is listed before 1-2 $8.00, the same bet: the first counts,
    //   (9 - 6.0667) / 6.0667 = 9 * 24 / 145.6 - 1 = +48.35%.
    // 2-1A $7.80 is the cell 2-1: 0%. 3-1 $0 is no money; 3-1A $12.00 after it is the 3-1 probable,
    //   (12 - 11.5556) / 11.5556 = 12 * 18 / 208 - 1 = +3.85%.
    // 1-1A is one interest twice and 1-4 names no interest on the board: no cells for them.
    // 1-3, 2-3 and 3-2 have no probable.
    const grid = exactaValueGrid(
      poolRunners({ "1": 600, "1A": 600, "2": 400, "3": 300 }),
      probables({ "1A-2": 9, "1-2": 8, "2-1A": 7.8, "3-1": 0, "3-1A": 12, "1-1A": 4, "1-4": 20 }),
    );
    expect(grid.source).toBe("pool");
    expect(grid.interests.map(({ key, label }) => [key, label])).toEqual([
      ["1", "#1/1A Alpha & Apollo"],
      ["2", "#2 Bravo"],
      ["3", "#3 Charlie"],
    ]);
    expect(grid.interests[0]!.probability).toBeCloseTo(6 / 13, 12);
    expect(grid.cells).toHaveLength(6);
    expect(cellOf(grid.cells, "1", "2")).toMatchObject({ payout: 9, percent: expect.closeTo(48.35, 2) });
    expect(cellOf(grid.cells, "2", "1")).toMatchObject({ payout: 7.8, percent: expect.closeTo(0, 10) });
    expect(cellOf(grid.cells, "3", "1")).toMatchObject({ payout: 12, percent: expect.closeTo(3.85, 2) });
    expectNoProbable(grid.cells, ["1-3", "2-3", "3-2"]);
    // Listed once instead of by member, the entry prices the same.
    const once = exactaValueGrid(poolRunners(amounts), probables({ "1-2": 9, "2-1": 7.8, "3-1": 12 }));
    expect(once.cells).toEqual(grid.cells);
  });

  it("falls back to the normalized board odds when a pool amount is missing", () => {
    // Odds 1-1, 2-1, 3-1 -> implied 0.5, 0.3333, 0.25 (sum 1.0833) -> 6/13, 4/13, 3/13 again:
    // 1-2 fair 6.07, and $12.00 is (12 - 6.0667) / 6.0667 = +97.8%.
    const grid = exactaValueGrid(runners({ "1": 1, "2": 2, "3": 3 }, "odds"), probables({ "1-2": 12 }));
    expect(grid.source).toBe("odds");
    expect(cellOf(grid.cells, "1", "2")).toMatchObject({
      fair: expect.closeTo(6.0667, 4),
      percent: expect.closeTo(97.8, 1),
    });
  });

  it("leaves no fair price where a win probability is 0 or 1", () => {
    // Amounts 600, 400, 0: p = 0.6, 0.4, 0. 1-2 = 0.6 * 0.4 / 0.4 = 0.6, fair 1.6 / 0.6 = 2.6667,
    // and $4.00 is +50%. Every pair with 3 has none (3 first: p 0; 3 second: p 0).
    const grid = exactaValueGrid(
      poolRunners({ "1": 600, "2": 400, "3": 0 }),
      probables({ "1-2": 4, "1-3": 50, "3-2": 80 }),
    );
    expect(cellOf(grid.cells, "1", "2")).toMatchObject({
      fair: expect.closeTo(2.6667, 4),
      percent: expect.closeTo(50, 10),
    });
    expect(cellOf(grid.cells, "1", "3")).toEqual({
      first: "1",
      second: "3",
      payout: 50,
      fair: null,
      percent: null,
    });
    expect(cellOf(grid.cells, "3", "2")).toEqual({
      first: "3",
      second: "2",
      payout: 80,
      fair: null,
      percent: null,
    });
    // All the money on 1: p = 1, 0. Nothing has a fair price.
    const sure = exactaValueGrid(poolRunners({ "1": 1000, "2": 0 }), probables({ "1-2": 2.2 }));
    expect(sure.cells).toEqual([
      { first: "1", second: "2", payout: 2.2, fair: null, percent: null },
      { first: "2", second: "1", payout: null, fair: null, percent: null },
    ]);
  });

  it("takes another takeout, and gives an empty grid for an empty board", () => {
    // 1-2 at 16% takeout: 2 * 0.84 / (24/91) = 1.68 * 91 / 24 = 6.37.
    const grid = exactaValueGrid(poolRunners(amounts), [], { takeout: 0.16 });
    expect(cellOf(grid.cells, "1", "2").fair).toBeCloseTo(6.37, 10);
    expect(exactaValueGrid([], probables({ "1-2": 8 }))).toEqual({
      source: "odds",
      interests: [],
      cells: [],
    });
  });
});

describe("the pieces", () => {
  it("reads a probable as the interest combination it bets", () => {
    expect(interestCombinationOf({ first: "1A", second: " 2" })).toBe("1-2");
    expect(interestCombinationOf({ first: "1", second: "1X" })).toBeNull();
  });

  it("keeps the first probable of each combination, in grid order, with money on it", () => {
    const list = probables({ "2-1": 0, "1A-2": 9, "1-2": 8, "2-1A": 7.8, "1-1A": 4 });
    expect([...probablesByCombination(list)]).toEqual([
      ["1-2", { first: "1A", second: "2", payout: 9 }],
      ["2-1", { first: "2", second: "1A", payout: 7.8 }],
    ]);
  });

  it("prices a pair by Harville, and none at probability 0 or 1", () => {
    // (6/13)(4/13) / (7/13) = 24/91; fair 1.6 * 91 / 24 = 6.0667; $8.00 over it: +31.87%.
    const priced = fairExactaOf(6 / 13, 4 / 13);
    expect(priced!.probability).toBeCloseTo(24 / 91, 12);
    expect(priced!.fair).toBeCloseTo(6.0667, 4);
    expect(percentOverFair(8, priced!.fair)).toBeCloseTo(31.87, 2);
    expect(fairExactaOf(1, 0)).toBeNull();
    expect(fairExactaOf(0, 0.5)).toBeNull();
    expect(fairExactaOf(0.5, 0)).toBeNull();
  });
});
