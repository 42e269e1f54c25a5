import { describe, expect, it } from "vitest";
import { compareProgramNumbers } from "./race.js";

describe("compareProgramNumbers", () => {
  it("orders by the numeric part first, then the letter: 1, 1A, 1X, 2, 10", () => {
    expect(["10", "2", "1X", "1", "1A", "12", "3"].sort(compareProgramNumbers)).toEqual([
      "1",
      "1A",
      "1X",
      "2",
      "3",
      "10",
      "12",
    ]);
  });

  it("is 0 only for the same program number", () => {
    expect(compareProgramNumbers("1A", "1A")).toBe(0);
    expect(compareProgramNumbers("1A", "1B")).toBeLessThan(0);
    expect(compareProgramNumbers("10", "9")).toBeGreaterThan(0);
  });
});
