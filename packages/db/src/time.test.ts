import { describe, expect, it } from "vitest";
import { fromDbTime, toDbTime } from "./time.js";

describe("toDbTime / fromDbTime", () => {
  it("writes instants as UTC ISO text with +00:00, as the Prisma adapter does", () => {
    expect(toDbTime(new Date("2025-09-13T17:05:00-04:00"))).toBe("2025-09-13T21:05:00.000+00:00");
    expect(toDbTime(0)).toBe("1970-01-01T00:00:00.000+00:00");
    expect(toDbTime("2025-09-13T21:05:00Z")).toBe("2025-09-13T21:05:00.000+00:00");
  });

  it("round-trips, and the text sorts in time order", () => {
    const a = new Date("2025-09-13T09:59:59.999Z");
    const b = new Date("2025-09-13T10:00:00.000Z");
    expect(fromDbTime(toDbTime(a))).toEqual(a);
    expect(toDbTime(a) < toDbTime(b)).toBe(true);
  });

  it("refuses an invalid instant, naming it", () => {
    expect(() => toDbTime("not a time")).toThrow(/not a valid instant: not a time/);
  });
});
