import { describe, expect, it } from "vitest";
import { cadenceSchema } from "./polling.js";

describe("cadence.afterOffSeconds", () => {
  it("defaults to 600 s of polling after the off", () => {
    expect(cadenceSchema.parse({})).toMatchObject({ afterOffSeconds: 600 });
    expect(cadenceSchema.parse(null)).toMatchObject({ afterOffSeconds: 600 });
  });

  it("takes 0 (stop at the off) and any whole number of seconds", () => {
    expect(cadenceSchema.parse({ afterOffSeconds: 0 }).afterOffSeconds).toBe(0);
    expect(cadenceSchema.parse({ afterOffSeconds: 1200 }).afterOffSeconds).toBe(1200);
  });

  it("refuses a negative or fractional value", () => {
    expect(cadenceSchema.safeParse({ afterOffSeconds: -1 }).success).toBe(false);
    expect(cadenceSchema.safeParse({ afterOffSeconds: 1.5 }).success).toBe(false);
    expect(cadenceSchema.safeParse({ afterOffSeconds: "600" }).success).toBe(false);
  });
});
