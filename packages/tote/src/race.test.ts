import { describe, expect, it } from "vitest";
import {
  bettingInterestOf,
  compareProgramNumbers,
  DEFAULT_TIME_ZONE,
  RACE_STATUS_RANK,
  RACE_STATUSES,
  POOLS_CLOSED_STATUSES,
  RUN_STATUSES,
} from "./race.js";
import { isIanaTimeZone } from "./time.js";

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

describe("race statuses", () => {
  it("rank in the order a race goes through them; official and cancelled are both final", () => {
    expect(Object.keys(RACE_STATUS_RANK).sort()).toEqual([...RACE_STATUSES].sort());
    const ranks = RACE_STATUSES.map((status) => RACE_STATUS_RANK[status]);
    expect(ranks).toEqual([0, 1, 2, 3, 3]);
  });

  it("count a race as run from the off", () => {
    expect(RACE_STATUSES.filter((status) => RUN_STATUSES.has(status))).toEqual(["off", "official"]);
    // Pools close at the off and stay closed: off, official, cancelled (rank >= off).
    expect(RACE_STATUSES.filter((status) => POOLS_CLOSED_STATUSES.has(status))).toEqual([
      "off",
      "official",
      "cancelled",
    ]);
  });
});

describe("DEFAULT_TIME_ZONE", () => {
  it("is an IANA zone Intl knows", () => {
    expect(isIanaTimeZone(DEFAULT_TIME_ZONE)).toBe(true);
  });
});

describe("bettingInterestOf", () => {
  it("couples program numbers that share a number: 1, 1A and 1X bet as interest 1", () => {
    expect(["1", "1A", "1X", " 1a", "01"].map(bettingInterestOf)).toEqual(["1", "1", "1", "1", "1"]);
    expect(["2", "10", "10A", "12X"].map(bettingInterestOf)).toEqual(["2", "10", "10", "12"]);
  });

  it("keeps a program number without a number as its own interest", () => {
    expect(bettingInterestOf(" f ")).toBe("F");
  });
});
