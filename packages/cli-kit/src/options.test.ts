import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { describe, expect, it } from "vitest";
import { abbreviatedCount, calendarDate, countOrRange, positiveNumber, wholeNumber } from "./options.js";

/** The message a parser refuses `text` with (and that it is commander's InvalidArgumentError). */
function refusal(parse: (text: string) => unknown, text: string): string {
  try {
    parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

describe("positiveNumber", () => {
  const speed = positiveNumber("--speed");

  it("accepts finite numbers above zero, fractions included", () => {
    expect(speed("1")).toBe(1);
    expect(speed("0.25")).toBe(0.25);
    expect(speed("60")).toBe(60);
    expect(speed("1e3")).toBe(1000);
  });

  it.each(["0", "-1", "", "  ", "abc", "Infinity", "NaN", "2x"])("refuses %j, naming the option", (text) => {
    expect(refusal(speed, text)).toBe("--speed must be a positive number");
  });

  it("with allowZero also accepts 0 and says non-negative", () => {
    const delay = positiveNumber("--delay", { allowZero: true });
    expect(delay("0")).toBe(0);
    expect(delay("1.5")).toBe(1.5);
    for (const text of ["-0.5", "", "soon", "-Infinity"]) {
      expect(refusal(delay, text)).toBe("--delay must be a non-negative number");
    }
  });
});

describe("wholeNumber", () => {
  it("by default accepts 0 and up", () => {
    const seed = wholeNumber("--seed");
    expect(seed("0")).toBe(0);
    expect(seed("42")).toBe(42);
    for (const text of ["-1", "1.5", "", "x", "Infinity"]) {
      expect(refusal(seed, text)).toBe("--seed must be a whole number");
    }
  });

  it("with a minimum says so", () => {
    const limit = wholeNumber("--limit", { min: 1 });
    expect(limit("1")).toBe(1);
    expect(limit("20")).toBe(20);
    for (const text of ["0", "-3", "2.5", "", "many"]) {
      expect(refusal(limit, text)).toBe("--limit must be a whole number >= 1");
    }
  });

  it("refuses numbers too large to hold exactly instead of rounding them", () => {
    const seed = wholeNumber("--seed");
    expect(seed(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(refusal(seed, "9007199254740993")).toBe("--seed must be a whole number");
  });
});

describe("calendarDate", () => {
  it("accepts a real YYYY-MM-DD date as it was written", () => {
    expect(calendarDate("2025-06-07")).toBe("2025-06-07");
    expect(calendarDate("2024-02-29")).toBe("2024-02-29");
  });

  it.each(["2025-02-30", "2025-13-01", "2025-6-7", "07/06/2025", "today", ""])("refuses %j", (text) => {
    expect(refusal(calendarDate, text)).toBe("must be a real date, YYYY-MM-DD");
  });
});

describe("countOrRange", () => {
  it("reads a count or an inclusive range", () => {
    expect(countOrRange("12")).toBe(12);
    expect(countOrRange("8-12")).toEqual([8, 12]);
    // Whether 12-8 makes sense is the command's call (it knows its limits).
    expect(countOrRange("12-8")).toEqual([12, 8]);
  });

  it.each(["", "-3", "8-", "8-12-14", "8 - 12", "1.5", "ten"])("refuses %j", (text) => {
    expect(refusal(countOrRange, text)).toBe('must be a count ("12") or a range ("8-12")');
  });
});

describe("abbreviatedCount", () => {
  it("reads a count in full or with a k/m suffix", () => {
    const rows = abbreviatedCount("--rows");
    expect(rows("100000")).toBe(100_000);
    expect(rows("100k")).toBe(100_000); // 100 x 1,000
    expect(rows("1M")).toBe(1_000_000);
    expect(rows("1.5m")).toBe(1_500_000); // 1.5 x 1,000,000
    expect(rows(" 10m ")).toBe(10_000_000);
  });

  it.each(["", "ten", "-5", "5g", "1e6", "k"])("refuses %j", (text) => {
    expect(refusal(abbreviatedCount("--rows"), text)).toBe(
      "--rows must be a count like 100000, 100k, 1m or 10m",
    );
  });
});

describe("inside commander", () => {
  function parse(args: string[]): { options: Record<string, unknown>; error: string } {
    let error = "";
    const program = new Command("test")
      .exitOverride()
      .configureOutput({ writeErr: (text) => (error += text), writeOut: () => undefined })
      .addOption(new Option("--races <n>").argParser(wholeNumber("--races", { min: 1 })).default(10))
      .addOption(new Option("--date <date>").argParser(calendarDate))
      .addOption(new Option("--runners <n|min-max>").argParser(countOrRange));
    try {
      program.parse(args, { from: "user" });
    } catch (caught) {
      expect(caught).toBeInstanceOf(CommanderError);
    }
    return { options: program.opts(), error };
  }

  it("hands the parsed values to the command", () => {
    expect(parse(["--races", "3", "--date", "2025-06-07", "--runners", "8-12"]).options).toEqual({
      races: 3,
      date: "2025-06-07",
      runners: [8, 12],
    });
    expect(parse([]).options).toEqual({ races: 10 });
  });

  it("refuses a bad value with the option, the value and the reason", () => {
    expect(parse(["--races", "0"]).error).toBe(
      "error: option '--races <n>' argument '0' is invalid. --races must be a whole number >= 1\n",
    );
    expect(parse(["--date", "2025-02-30"]).error).toBe(
      "error: option '--date <date>' argument '2025-02-30' is invalid. must be a real date, YYYY-MM-DD\n",
    );
  });
});
