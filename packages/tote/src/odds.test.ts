import { describe, expect, it } from "vitest";
import {
  boardOddsText,
  dividendText,
  BOARD_ODDS_LADDER,
  boardOdds,
  formatOdds,
  decimalDividendToOdds,
  DEFAULT_BOARD_ODDS_FORMAT,
  formatBoardOdds,
  impliedProbability,
  ODDS_FORMATS,
  oddsToDecimal,
  parseBoardOdds,
  parseDecimalDividend,
  parseOddsAs,
} from "./odds.js";

function oddsOf(value: unknown): number | null {
  const parsed = parseBoardOdds(value);
  if (!parsed.ok) throw new Error(`expected ${String(value)} to parse, got: ${parsed.error}`);
  return parsed.odds;
}

function errorOf(value: unknown): string {
  const parsed = parseBoardOdds(value);
  if (parsed.ok) throw new Error(`expected ${String(value)} to be rejected, got odds ${parsed.odds}`);
  return parsed.error;
}

describe("parseBoardOdds", () => {
  it.each([
    ["5-2", 2.5],
    ["5/2", 2.5],
    ["3-5", 0.6],
    ["1-9", 1 / 9],
    ["30-1", 30],
    ["12-1", 12],
    ["99-1", 99],
    ["6/5", 1.2],
  ])("reads the fraction %s as %s to 1", (text, odds) => {
    expect(oddsOf(text)).toBe(odds);
  });

  it.each(["EVEN", "EVN", "EVS", "even", "Evs", " evn "])("reads %j as even money (1 to 1)", (text) => {
    expect(oddsOf(text)).toBe(1);
  });

  it("trims and ignores case and spaces around the separator", () => {
    expect(oddsOf("  5-2\t")).toBe(2.5);
    expect(oddsOf("5 - 2")).toBe(2.5);
    expect(oddsOf(" 7 / 2 ")).toBe(3.5);
  });

  it("reads a number N as N-1", () => {
    expect(oddsOf(12)).toBe(12);
    expect(oddsOf(2.5)).toBe(2.5);
    expect(oddsOf(0.6)).toBe(0.6);
    expect(oddsOf(1)).toBe(1);
  });

  it("reads a numeric string like the number", () => {
    expect(oddsOf("12")).toBe(12);
    expect(oddsOf(" 2.5 ")).toBe(2.5);
    expect(oddsOf("99")).toBe(99);
  });

  it.each([null, undefined, "", "   ", "SCR", "scr", "SCRATCHED", " Scratched "])(
    "treats %j as no odds now",
    (value) => {
      expect(parseBoardOdds(value)).toEqual({ ok: true, odds: null });
    },
  );

  it("rejects text that is no board form, quoting it", () => {
    const error = errorOf("abc");
    expect(error).toContain('"abc"');
    expect(error).toMatch(/not a board odds form/);
  });

  it.each(["5-2-1", "5--2", "5-", "-2", "2.5-1", "1e3", "5:2", "EVENS2", "12abc", "0x10"])(
    "rejects the malformed %j, quoting it",
    (text) => {
      expect(errorOf(text)).toContain(JSON.stringify(text));
    },
  );

  it("rejects a zero denominator", () => {
    expect(errorOf("5-0")).toBe('odds have a zero denominator: "5-0"');
    expect(errorOf("5/0")).toMatch(/zero denominator/);
  });

  it("rejects zero odds, which no board shows", () => {
    expect(errorOf("0-5")).toMatch(/zero odds.*"0-5"/);
    expect(errorOf(0)).toMatch(/zero odds.*number 0/);
    expect(errorOf("0")).toMatch(/zero odds.*"0"/);
    expect(errorOf("0.0")).toMatch(/zero odds/);
  });

  it("rejects negative odds as numbers and strings", () => {
    expect(errorOf("-3")).toBe('odds must not be negative, got "-3"');
    expect(errorOf(-3)).toBe("odds must not be negative, got number -3");
    expect(errorOf(" -2.5 ")).toMatch(/negative/);
    expect(errorOf("-5-2")).toMatch(/negative/);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    "rejects the non-finite number %s",
    (value) => {
      expect(errorOf(value)).toMatch(/finite/);
    },
  );

  it("rejects values of other types, naming the type", () => {
    expect(errorOf(true)).toBe("odds must be a string or a number, got boolean true");
    expect(errorOf(false)).toMatch(/boolean false/);
    expect(errorOf({ odds: "5-2" })).toMatch(/an object/);
    expect(errorOf(["5-2"])).toMatch(/an array/);
    expect(errorOf(10n)).toMatch(/bigint 10/);
  });
});

describe("oddsToDecimal and impliedProbability", () => {
  it("adds the stake back: 5-2 pays 3.5 per unit", () => {
    expect(oddsToDecimal(2.5)).toBe(3.5);
    expect(oddsToDecimal(1)).toBe(2);
    expect(oddsToDecimal(0.6)).toBe(1.6);
  });

  it("implies 1/(odds+1): 5-2 -> 1/3.5, EVEN -> 0.5, 3-1 -> 0.25", () => {
    expect(impliedProbability(2.5)).toBeCloseTo(1 / 3.5, 15);
    expect(impliedProbability(1)).toBe(0.5);
    expect(impliedProbability(3)).toBe(0.25);
    expect(impliedProbability(0)).toBe(1);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])("refuses the odds %s", (odds) => {
    expect(() => oddsToDecimal(odds)).toThrow(RangeError);
    expect(() => impliedProbability(odds)).toThrow(RangeError);
  });
});

describe("boardOdds", () => {
  it("keeps every ladder price as it is", () => {
    for (const rung of BOARD_ODDS_LADDER) expect(boardOdds(rung.value)).toBe(rung.value);
  });

  it("rounds down to the ladder price below", () => {
    expect(boardOdds(2.9)).toBe(2.5); // between 5-2 and 3
    expect(boardOdds(0.45)).toBe(0.4); // between 2-5 and 1-2
    expect(boardOdds(0.99)).toBe(0.8); // just under EVEN shows 4-5
    expect(boardOdds(1.1)).toBe(1); // between EVEN and 6-5
    expect(boardOdds(1.55)).toBe(1.5); // between 3-2 and 8-5
    expect(boardOdds(4.4)).toBe(4); // between 4 and 9-2
    expect(boardOdds(5.99)).toBe(5); // no 11-2 on the ladder
    expect(boardOdds(9.99)).toBe(9);
  });

  it("shows anything under 1-9 as 1-9", () => {
    expect(boardOdds(0.05)).toBe(1 / 9);
    expect(boardOdds(0.1)).toBe(1 / 9);
    expect(boardOdds(0)).toBe(1 / 9);
  });

  it("floors to a whole number from 10-1 up and caps at 99", () => {
    expect(boardOdds(10)).toBe(10);
    expect(boardOdds(12.7)).toBe(12);
    expect(boardOdds(98.99)).toBe(98);
    expect(boardOdds(99)).toBe(99);
    expect(boardOdds(250)).toBe(99);
  });

  it("is not thrown off by float noise from pool arithmetic", () => {
    expect(2.2 - 1).not.toBe(1.2); // 1.2000000000000002
    expect(boardOdds(2.2 - 1)).toBe(1.2);
    expect(boardOdds(1.2 - Number.EPSILON)).toBe(1.2);
    expect(boardOdds(10 - 1e-12)).toBe(10);
  });

  it.each([-0.5, Number.NaN, Number.POSITIVE_INFINITY])("refuses the odds %s", (odds) => {
    expect(() => boardOdds(odds)).toThrow(/boardOdds.*odds-to-1/);
  });
});

describe("formatBoardOdds", () => {
  it.each([
    [0.05, "1-9"],
    [0.4, "2-5"],
    [0.5, "1-2"],
    [1, "EVEN"],
    [1.2, "6-5"],
    [1.9, "9-5"],
    [2, "2"],
    [2.7, "5-2"],
    [3, "3"],
    [3.5, "7-2"],
    [4.5, "9-2"],
    [9, "9"],
    [12, "12"],
    [12.9, "12"],
    [99, "99"],
    [500, "99"],
  ])("shows %s as %s", (odds, text) => {
    expect(formatBoardOdds(odds)).toBe(text);
  });

  it("round-trips through parseBoardOdds to boardOdds", () => {
    const samples = [
      0, 0.05, 0.3, 0.61, 0.95, 1, 1.25, 1.49, 2.3, 2.5, 3.9, 4.6, 7.2, 9.5, 10, 15.5, 42, 99, 150,
    ];
    for (const odds of [...samples, ...BOARD_ODDS_LADDER.map((rung) => rung.value)]) {
      expect(oddsOf(formatBoardOdds(odds))).toBe(boardOdds(odds));
    }
  });
});

describe("decimal dividends", () => {
  function decimalOdds(value: unknown, unit?: number): number | null {
    const parsed = parseDecimalDividend(value, unit);
    if (!parsed.ok) throw new Error(`expected ${String(value)} to parse, got: ${parsed.error}`);
    return parsed.odds;
  }
  function decimalError(value: unknown, unit?: number): string {
    const parsed = parseDecimalDividend(value, unit);
    if (parsed.ok) throw new Error(`expected ${String(value)} to be rejected, got odds ${parsed.odds}`);
    return parsed.error;
  }

  it("names the formats, odds-to-1 by default", () => {
    expect(ODDS_FORMATS).toEqual(["odds_to_one", "decimal"]);
    expect(DEFAULT_BOARD_ODDS_FORMAT).toEqual({ oddsFormat: "odds_to_one", dividendUnit: 1 });
  });

  it.each([
    // dividend per 1 staked, stake included: odds-to-1 = dividend - 1
    [3.5, 2.5], // 3.5 - 1 = 2.5 (5-2)
    [4, 3], // 4 - 1 = 3 (3-1)
    [11, 10], // 11 - 1 = 10 (10-1)
    [2, 1], // 2 - 1 = 1 (EVEN)
    [1.6, 0.6], // 1.6 - 1 = 0.6 (3-5), 0.6000000000000001 in floats before rounding
    [1.1, 0.1], // 1.1 - 1 = 0.1, 0.10000000000000009 in floats before rounding
    ["3.50", 2.5], // numeric text: 3.50 - 1 = 2.5
    [" 11 ", 10], // 11 - 1 = 10
  ])("reads the dividend %j per 1 as odds-to-1 %s", (dividend, odds) => {
    expect(decimalOdds(dividend)).toBe(odds);
  });

  it("rounds away the float noise of dividend - 1", () => {
    expect(1.1 - 1).not.toBe(0.1);
    expect(1.6 - 1).not.toBe(0.6);
    expect(decimalDividendToOdds(1.1)).toBe(0.1);
    expect(decimalDividendToOdds(1.6)).toBe(0.6);
  });

  it("divides by the unit a dividend is quoted for", () => {
    // Hong Kong quotes per $10: 35 / 10 = 3.5 per 1 -> 3.5 - 1 = 2.5 (5-2)
    expect(decimalOdds(35, 10)).toBe(2.5);
    expect(decimalDividendToOdds(35, 10)).toBe(2.5);
    // 16 / 10 = 1.6 per 1 -> 0.6 (3-5)
    expect(decimalOdds("16", 10)).toBe(0.6);
    // 110 / 10 = 11 per 1 -> 10 (10-1)
    expect(decimalOdds(110, 10)).toBe(10);
  });

  it.each([null, undefined, "SCR", "scratched"])("treats %j as no odds now", (value) => {
    expect(decimalOdds(value)).toBeNull();
  });

  it("refuses a dividend that pays back no more than the stake", () => {
    expect(decimalError(1)).toMatch(/1 per 1 staked pays back no more than the stake.*more than 1/);
    expect(decimalError(0.5)).toMatch(/no more than the stake/);
    expect(decimalError(0)).toMatch(/no more than the stake/);
    // per $10: 10 returns the stake only
    expect(decimalError(10, 10)).toMatch(/10 per 10 staked.*more than 10/);
    expect(decimalError(1 + 1e-12)).toMatch(/no more than the stake/);
    expect(() => decimalDividendToOdds(1)).toThrow(
      /decimalDividendToOdds.*above the unit staked \(1\).*got 1/,
    );
    expect(() => decimalDividendToOdds(1 + 1e-12)).toThrow(RangeError);
    expect(() => decimalDividendToOdds(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => decimalDividendToOdds(3.5, 0)).toThrow(/dividend unit.*got 0/);
  });

  it("refuses odds-to-1 forms on a decimal board", () => {
    expect(decimalError("5-2")).toBe(
      '"5-2" is odds-to-1, but this board shows decimal dividends (e.g. 3.5 for 5-2)',
    );
    expect(decimalError("5/2")).toMatch(/is odds-to-1/);
    expect(decimalError("EVEN")).toMatch(/is odds-to-1/);
  });

  it("refuses negative, malformed and other values", () => {
    expect(decimalError("-3.5")).toMatch(/must not be negative/);
    expect(decimalError(-3.5)).toMatch(/must not be negative/);
    expect(decimalError("abc")).toMatch(/not a decimal dividend: "abc"/);
    expect(decimalError("1e3")).toMatch(/not a decimal dividend/);
    expect(decimalError(Number.NaN)).toMatch(/finite/);
    expect(decimalError(true)).toMatch(/number or numeric text, got boolean true/);
  });

  it("parseOddsAs reads each format", () => {
    expect(parseOddsAs("5-2", DEFAULT_BOARD_ODDS_FORMAT)).toEqual({ ok: true, odds: 2.5 });
    expect(parseOddsAs(3.5, DEFAULT_BOARD_ODDS_FORMAT)).toEqual({ ok: true, odds: 3.5 });
    expect(parseOddsAs(3.5, { oddsFormat: "decimal", dividendUnit: 1 })).toEqual({ ok: true, odds: 2.5 });
    expect(parseOddsAs(35, { oddsFormat: "decimal", dividendUnit: 10 })).toEqual({ ok: true, odds: 2.5 });
  });
});

describe("formatOdds", () => {
  it("shows a board price as the board does", () => {
    expect([2.5, 1, 0.6, 12, 99].map(formatOdds)).toEqual(["5-2", "EVEN", "3-5", "12", "99"]);
  });

  it("shows any other price exactly instead of the rung below it", () => {
    // 2.3-1 (a 3.30 decimal dividend) would show as 2 on a US board; 12.5 as 12; 150 as 99.
    expect([2.3, 12.5, 150, 1.2345].map(formatOdds)).toEqual(["2.3-1", "12.5-1", "150-1", "1.23-1"]);
  });
});

describe("dividendText and boardOddsText: odds as the track's board shows them", () => {
  it("shows a decimal tote's dividend per unit, stake included", () => {
    // 5-2 per 1: 2.5 + 1 = 3.50; per 10 (Hong Kong): 3.5 * 10 = 35.00.
    expect(dividendText(2.5, 1)).toBe("3.50");
    expect(dividendText(2.5, 10)).toBe("35.00");
    // 2.345-1: 3.345 would be misstated by the cent (3.35), so four places.
    expect(dividendText(2.345, 1)).toBe("3.345");
  });

  it("shows odds-to-1 boards as a US board does, decimal boards as dividends", () => {
    expect(boardOddsText(2.5)).toBe("5-2");
    expect(boardOddsText(1)).toBe("EVEN");
    expect(boardOddsText(2.5, { oddsFormat: "decimal", dividendUnit: 1 })).toBe("3.50");
  });
});
