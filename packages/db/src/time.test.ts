import { describe, expect, it } from "vitest";
import { earliestDbTime, fromDbTime, toDbTime } from "./time.js";

describe("toDbTime / fromDbTime", () => {
  it("stores instants as integer milliseconds since the Unix epoch, whatever the zone written", () => {
    // 17:05 at -04:00 is 21:05Z; 2025-09-13T21:05:00Z = 20344 days x 86,400,000 + 21h05m
    // (75,900,000 ms) = 1,757,721,600,000 + 75,900,000 = 1,757,797,500,000.
    expect(toDbTime(new Date("2025-09-13T17:05:00-04:00"))).toBe(1_757_797_500_000);
    expect(toDbTime("2025-09-13T21:05:00Z")).toBe(1_757_797_500_000);
    expect(toDbTime(0)).toBe(0);
  });

  it("round-trips to the millisecond, and stored values sort in time order", () => {
    const a = new Date("2025-09-13T09:59:59.999Z");
    const b = new Date("2025-09-13T10:00:00.000Z");
    expect(fromDbTime(toDbTime(a))).toEqual(a);
    expect(toDbTime(b) - toDbTime(a)).toBe(1);
  });

  it("still reads an instant stored as text (one the storage migration could not convert)", () => {
    expect(fromDbTime("2025-09-13T21:05:00.000+00:00")).toEqual(new Date("2025-09-13T21:05:00Z"));
  });

  it("refuses an invalid instant, naming it", () => {
    expect(() => toDbTime("not a time")).toThrow(/not a valid instant: not a time/);
  });

  it("keeps the earlier of two stored instants; null only when both are", () => {
    expect(earliestDbTime(2_000, 1_000)).toBe(1_000);
    expect(earliestDbTime(1_000, 2_000)).toBe(1_000);
    expect(earliestDbTime(null, 2_000)).toBe(2_000);
    expect(earliestDbTime(2_000, null)).toBe(2_000);
    expect(earliestDbTime(null, null)).toBeNull();
  });
});
