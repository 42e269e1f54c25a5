import { describe, expect, it } from "vitest";
import {
  DEFAULT_EXACTA_TAKEOUT,
  DEFAULT_WIN_TAKEOUT,
  exactaKey,
  exactaPayoutForTwo,
  exactaPayoutFromPool,
  fairExactaPayout,
  harvilleExactaGrid,
  harvilleExactaProbability,
  MIN_TWO_DOLLAR_PAYOUT,
  normalizedWinProbabilities,
  winOddsFromPool,
} from "./pools.js";

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

describe("takeout defaults", () => {
  it("are the usual US rates", () => {
    expect(DEFAULT_WIN_TAKEOUT).toBe(0.16);
    expect(DEFAULT_EXACTA_TAKEOUT).toBe(0.2);
  });
});

describe("winOddsFromPool", () => {
  it("applies takeout and breaks down to the dime", () => {
    // net = 100000 * (1 - 0.16) = 84000; 84000 / 25000 = 3.36 per $1
    // breakage to the dime -> 3.30; odds = 3.30 - 1 = 2.3
    expect(winOddsFromPool(25000, 100000)).toBe(2.3);
    expect(winOddsFromPool(25000, 100000, 0.16)).toBe(2.3);
  });

  it("works the feed's example pool", () => {
    // net = 105000 * 0.84 = 88200
    // runner 1: 88200 / 25000 = 3.528 -> 3.50 -> 2.5 (5-2)
    // runner 2: 88200 / 50000 = 1.764 -> 1.70 -> 0.7
    // runner 3: 88200 / 8000 = 11.025 -> 11.00 -> 10
    expect(winOddsFromPool(25000, 105000)).toBe(2.5);
    expect(winOddsFromPool(50000, 105000)).toBe(0.7);
    expect(winOddsFromPool(8000, 105000)).toBe(10);
  });

  it("uses the given takeout", () => {
    // net = 100000 * (1 - 0.2) = 80000; 80000 / 40000 = 2.00 exactly -> odds 1 (EVEN)
    expect(winOddsFromPool(40000, 100000, 0.2)).toBe(1);
    // no takeout: 100000 / 30000 = 3.333... -> 3.30 -> 2.3
    expect(winOddsFromPool(30000, 100000, 0)).toBe(2.3);
  });

  it("pays an exact dime in full despite float error", () => {
    // net = 700 * 0.7 = 490, but in floats 489.99999999999994; 490 / 140 = 3.5 -> odds 2.5,
    // where a naive floor of 34.999... dimes would give 3.40 -> 2.4
    expect(700 * (1 - 0.3)).toBeLessThan(490);
    expect(winOddsFromPool(140, 700, 0.3)).toBe(2.5);
  });

  it("pays at least $2.10 on $2 (1.05 per $1, odds 0.05)", () => {
    // net = 84000; 84000 / 80000 = 1.05 -> breakage 1.00 -> minimum 1.05 -> odds 0.05
    expect(winOddsFromPool(80000, 100000)).toBe(0.05);
    // 84000 / 95000 = 0.884 -> minus pool, still the minimum
    expect(winOddsFromPool(95000, 100000)).toBe(0.05);
    // 84000 / 70000 = 1.2 -> 1.20 -> 0.2, above the minimum
    expect(winOddsFromPool(70000, 100000)).toBe(0.2);
  });

  it("gives long odds on a small share", () => {
    // 84000 / 500 = 168.0 -> odds 167
    expect(winOddsFromPool(500, 100000)).toBe(167);
  });

  it("is null when nothing is bet on the runner", () => {
    expect(winOddsFromPool(0, 100000)).toBeNull();
    expect(winOddsFromPool(-5, 100000)).toBeNull();
  });

  it("refuses impossible pools and takeouts", () => {
    expect(() => winOddsFromPool(Number.NaN, 100)).toThrow(/runnerPool/);
    expect(() => winOddsFromPool(Number.POSITIVE_INFINITY, 100)).toThrow(/runnerPool/);
    expect(() => winOddsFromPool(10, -100)).toThrow(/totalPool.*-100/);
    expect(() => winOddsFromPool(10, Number.NaN)).toThrow(/totalPool/);
    expect(() => winOddsFromPool(10, 100, 1)).toThrow(/takeout.*1/);
    expect(() => winOddsFromPool(10, 100, -0.1)).toThrow(RangeError);
  });

  it("refuses more money on the runner than in the whole pool", () => {
    // 120000 on one runner of a 100000 pool is impossible; it used to "pay" the 0.05 minimum
    expect(() => winOddsFromPool(120000, 100000)).toThrow(RangeError);
    expect(() => winOddsFromPool(120000, 100000)).toThrow(
      /^winOddsFromPool: runnerPool 120000 is more than totalPool 100000/,
    );
    expect(() => winOddsFromPool(1, 0)).toThrow(/runnerPool 1 is more than totalPool 0/);
    // all the money on one runner is possible: 84000 / 100000 = 0.84 -> minimum 1.05 -> 0.05
    expect(winOddsFromPool(100000, 100000)).toBe(0.05);
  });
});

describe("exactaPayoutFromPool", () => {
  it("pays a $2 ticket from the net pool, broken to the dime per $1", () => {
    // net = 75000 * (1 - 0.2) = 60000; 60000 / 1000 = 60.00 per $1 -> $120 on $2
    expect(exactaPayoutFromPool(1000, 75000)).toBe(120);
    // 60000 / 1300 = 46.153... -> 46.10 per $1 -> $92.20 on $2
    expect(exactaPayoutFromPool(1300, 75000)).toBe(92.2);
  });

  it("scales to the base amount", () => {
    // 46.10 per $1: $1 ticket 46.10, $0.50 ticket 23.05
    expect(exactaPayoutFromPool(1300, 75000, DEFAULT_EXACTA_TAKEOUT, 1)).toBe(46.1);
    expect(exactaPayoutFromPool(1300, 75000, DEFAULT_EXACTA_TAKEOUT, 0.5)).toBe(23.05);
  });

  it("uses the given takeout", () => {
    // net = 75000 * (1 - 0.25) = 56250; 56250 / 1300 = 43.269... -> 43.20 -> $86.40
    expect(exactaPayoutFromPool(1300, 75000, 0.25)).toBe(86.4);
  });

  it("pays at least 1.05 per $1", () => {
    // 60000 / 70000 = 0.857 -> minimum 1.05 -> $2.10 on $2, $1.05 on $1
    expect(exactaPayoutFromPool(70000, 75000)).toBe(2.1);
    expect(exactaPayoutFromPool(70000, 75000, 0.2, 1)).toBe(1.05);
  });

  it("is null when nothing is bet on the combination", () => {
    expect(exactaPayoutFromPool(0, 75000)).toBeNull();
    expect(exactaPayoutFromPool(-1, 75000)).toBeNull();
  });

  it("refuses a bad base amount, pool or takeout", () => {
    expect(() => exactaPayoutFromPool(1000, 75000, 0.2, 0)).toThrow(/baseAmount.*0/);
    expect(() => exactaPayoutFromPool(1000, 75000, 0.2, -2)).toThrow(/baseAmount/);
    expect(() => exactaPayoutFromPool(1000, -75000)).toThrow(/totalPool/);
    expect(() => exactaPayoutFromPool(Number.NaN, 75000)).toThrow(/comboPool/);
    expect(() => exactaPayoutFromPool(1000, 75000, 1.5)).toThrow(/takeout/);
  });

  it("refuses more money on the combination than in the whole pool", () => {
    expect(() => exactaPayoutFromPool(80000, 75000)).toThrow(
      /^exactaPayoutFromPool: comboPool 80000 is more than totalPool 75000/,
    );
    // the whole pool on one combination: 60000 / 75000 = 0.8 -> minimum 1.05 per $1 -> $2.10
    expect(exactaPayoutFromPool(75000, 75000)).toBe(2.1);
  });
});

describe("exactaPayoutForTwo", () => {
  it("is the US minimum $2.10", () => {
    expect(MIN_TWO_DOLLAR_PAYOUT).toBe(2.1);
  });

  it("rescales to a $2 ticket as payout * 2 / base, to the cent", () => {
    // 453 at base 10: 453*2/10 = 906/10 = 90.6 exactly; 453 * (2/10) = 453 * 0.2 = 90.60000000000001
    expect(453 * (2 / 10)).toBe(90.60000000000001);
    expect(exactaPayoutForTwo(453, 10)).toBe(90.6);
    // base 1: 10*2/1 = 20; base 2: unchanged; base 0.5: 23.05*2/0.5 = 92.2
    expect(exactaPayoutForTwo(10, 1)).toBe(20);
    expect(exactaPayoutForTwo(45, 2)).toBe(45);
    expect(exactaPayoutForTwo(23.05, 0.5)).toBe(92.2);
    // base 3: 10*2/3 = 6.666... -> 6.67 (rounded to the cent)
    expect(exactaPayoutForTwo(10, 3)).toBe(6.67);
    // $1.05 on $1 is the $2.10 minimum on $2: 1.05*2/1 = 2.1
    expect(exactaPayoutForTwo(1.05, 1)).toBe(MIN_TWO_DOLLAR_PAYOUT);
    expect(exactaPayoutForTwo(0, 1)).toBe(0);
  });

  it("refuses a bad payout or base", () => {
    expect(() => exactaPayoutForTwo(-1, 2)).toThrow(/exactaPayoutForTwo: payout.*-1/);
    expect(() => exactaPayoutForTwo(Number.NaN, 2)).toThrow(/payout/);
    expect(() => exactaPayoutForTwo(10, 0)).toThrow(/exactaPayoutForTwo: baseAmount.*0/);
  });
});

describe("normalizedWinProbabilities", () => {
  it("removes the overround from a three-horse pool", () => {
    // Pools 50000/30000/20000 of 100000 at 16%: net 84000
    //   84000/50000 = 1.68 -> 1.60 (0.6-1); 84000/30000 = 2.80 (1.8-1); 84000/20000 = 4.20 (3.2-1)
    // implied: 1/1.6 = 5/8, 1/2.8 = 5/14, 1/4.2 = 5/21; sum = 5 * 41/168 = 205/168 ~ 1.2202
    //   (1/0.84 ~ 1.1905 from takeout, the rest is breakage)
    // normalized: (5/8)/(205/168) = 21/41, (5/14)/(205/168) = 12/41, (5/21)/(205/168) = 8/41
    const odds = [50000, 30000, 20000].map((pool) => winOddsFromPool(pool, 100000)!);
    expect(odds).toEqual([0.6, 1.8, 3.2]);
    const rawSum = sum(odds.map((o) => 1 / (o + 1)));
    expect(rawSum).toBeCloseTo(205 / 168, 12);
    expect(rawSum).toBeGreaterThan(1 / (1 - DEFAULT_WIN_TAKEOUT));

    const probabilities = normalizedWinProbabilities(odds);
    expect(probabilities[0]).toBeCloseTo(21 / 41, 12);
    expect(probabilities[1]).toBeCloseTo(12 / 41, 12);
    expect(probabilities[2]).toBeCloseTo(8 / 41, 12);
    expect(sum(probabilities)).toBeCloseTo(1, 12);
  });

  it("leaves a book that already sums to 1 alone", () => {
    // 3-1, 3-1, EVEN: 0.25 + 0.25 + 0.5 = 1
    expect(normalizedWinProbabilities([3, 3, 1])).toEqual([0.25, 0.25, 0.5]);
  });

  it("keeps order and handles a single runner and an empty field", () => {
    expect(normalizedWinProbabilities([4])).toEqual([1]);
    expect(normalizedWinProbabilities([])).toEqual([]);
    const [short, long] = normalizedWinProbabilities([0.5, 20]);
    expect(short).toBeGreaterThan(long!);
  });

  it("refuses bad odds", () => {
    expect(() => normalizedWinProbabilities([2, -1])).toThrow(RangeError);
    expect(() => normalizedWinProbabilities([Number.NaN])).toThrow(RangeError);
  });
});

describe("harvilleExactaProbability", () => {
  it("works the textbook three-runner case", () => {
    // p = (0.5, 0.3, 0.2)
    expect(harvilleExactaProbability(0.5, 0.3)).toBeCloseTo(0.3, 15); // 0.5*0.3/0.5
    expect(harvilleExactaProbability(0.5, 0.2)).toBeCloseTo(0.2, 15); // 0.5*0.2/0.5
    expect(harvilleExactaProbability(0.3, 0.5)).toBeCloseTo(0.15 / 0.7, 15); // 0.3*0.5/0.7 ~ 0.2143
    expect(harvilleExactaProbability(0.2, 0.3)).toBeCloseTo(0.075, 15); // 0.2*0.3/0.8
  });

  it("is zero when either runner cannot win", () => {
    expect(harvilleExactaProbability(0, 0.5)).toBe(0);
    expect(harvilleExactaProbability(0.5, 0)).toBe(0);
  });

  it("refuses invalid probabilities", () => {
    expect(() => harvilleExactaProbability(1, 0)).toThrow(/pFirst must be below 1/);
    expect(() => harvilleExactaProbability(1.2, 0.1)).toThrow(/pFirst.*1\.2/);
    expect(() => harvilleExactaProbability(-0.1, 0.1)).toThrow(RangeError);
    expect(() => harvilleExactaProbability(0.5, Number.NaN)).toThrow(/pSecond/);
    expect(() => harvilleExactaProbability(0.6, 0.5)).toThrow(/must not exceed 1/);
  });
});

describe("fairExactaPayout", () => {
  it("returns the base amount's share of the net pool", () => {
    // 2 * (1 - 0.2) / 0.3 = 1.6 / 0.3 = 5.333...
    expect(fairExactaPayout(0.3)).toBeCloseTo(16 / 3, 12);
    // 1.6 / 0.075 = 21.333...
    expect(fairExactaPayout(0.075)).toBeCloseTo(64 / 3, 12);
    // $1 ticket, no takeout, p = 0.125 -> 1 / 0.125 = 8
    expect(fairExactaPayout(0.125, 0, 1)).toBe(8);
  });

  it("refuses invalid inputs", () => {
    expect(() => fairExactaPayout(0)).toThrow(/probability.*0/);
    expect(() => fairExactaPayout(1.5)).toThrow(/probability/);
    expect(() => fairExactaPayout(0.3, 1)).toThrow(/takeout/);
    expect(() => fairExactaPayout(0.3, 0.2, 0)).toThrow(/baseAmount/);
  });
});

describe("harvilleExactaGrid", () => {
  it("covers every ordered pair of the three-runner case and sums to 1", () => {
    const grid = harvilleExactaGrid(
      new Map([
        ["1", 0.5],
        ["2", 0.3],
        ["3", 0.2],
      ]),
    );
    expect([...grid.keys()].sort()).toEqual(["1-2", "1-3", "2-1", "2-3", "3-1", "3-2"]);
    expect(grid.get("1-2")).toBeCloseTo(0.3, 15); // 0.5*0.3/0.5
    expect(grid.get("1-3")).toBeCloseTo(0.2, 15); // 0.5*0.2/0.5
    expect(grid.get("2-1")).toBeCloseTo(0.15 / 0.7, 15); // 0.3*0.5/0.7
    expect(grid.get("2-3")).toBeCloseTo(0.06 / 0.7, 15); // 0.3*0.2/0.7
    expect(grid.get("3-1")).toBeCloseTo(0.125, 15); // 0.2*0.5/0.8
    expect(grid.get("3-2")).toBeCloseTo(0.075, 15); // 0.2*0.3/0.8
    // 0.3 + 0.2 + 0.2143 + 0.0857 + 0.125 + 0.075 = 1
    expect(sum(grid.values())).toBeCloseTo(1, 12);
  });

  it("sums to 1 over a full field priced from board odds", () => {
    const odds = [2.5, 0.6, 12, 8, 30, 5, 9.5, 18];
    const programs = ["1", "1A", "2", "3", "4", "5", "6", "7"];
    const probabilities = normalizedWinProbabilities(odds);
    const grid = harvilleExactaGrid(new Map(programs.map((program, i) => [program, probabilities[i]!])));
    expect(grid.size).toBe(8 * 7);
    expect(sum(grid.values())).toBeCloseTo(1, 12);
    // Each runner's row sums to its win probability.
    for (const [i, first] of programs.entries()) {
      const row = programs.filter((p) => p !== first).map((second) => grid.get(exactaKey(first, second))!);
      expect(sum(row)).toBeCloseTo(probabilities[i]!, 12);
    }
  });

  it("is empty for fewer than two runners", () => {
    expect(harvilleExactaGrid(new Map()).size).toBe(0);
    expect(harvilleExactaGrid(new Map([["1", 1]])).size).toBe(0);
  });

  it("refuses program numbers that would make keys ambiguous, and bad probabilities", () => {
    expect(() => harvilleExactaGrid(new Map([["1-A", 0.5]]))).toThrow(/"1-A"/);
    expect(() => harvilleExactaGrid(new Map([["", 0.5]]))).toThrow(/program number/);
    expect(() => harvilleExactaGrid(new Map([["4", 1.5]]))).toThrow(/probability of 4/);
  });
});

describe("exactaKey", () => {
  it("joins program numbers as FIRST-SECOND", () => {
    expect(exactaKey("1A", "7")).toBe("1A-7");
  });
});
