import { describe, expect, it } from "vitest";
import { cadenceSchema, DEFAULT_MAX_BODY_BYTES, httpSchema } from "./polling.js";

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

describe("http.maxBodyBytes", () => {
  it("defaults to 16 MiB (16 * 1024 * 1024 = 16_777_216 bytes)", () => {
    expect(httpSchema.parse({}).maxBodyBytes).toBe(16_777_216);
    expect(httpSchema.parse(null).maxBodyBytes).toBe(DEFAULT_MAX_BODY_BYTES);
  });

  it("takes any whole number of bytes above 0", () => {
    expect(httpSchema.parse({ maxBodyBytes: 1024 }).maxBodyBytes).toBe(1024);
  });

  it("refuses 0, a negative, a fraction or text", () => {
    for (const maxBodyBytes of [0, -1, 1.5, "16MiB"]) {
      expect(httpSchema.safeParse({ maxBodyBytes }).success).toBe(false);
    }
  });
});

describe("http.robots", () => {
  it('defaults to "obey"', () => {
    expect(httpSchema.parse({}).robots).toBe("obey");
    expect(httpSchema.parse(null).robots).toBe("obey");
  });

  it('takes "ignore" (a site that gave permission)', () => {
    expect(httpSchema.parse({ robots: "ignore" }).robots).toBe("ignore");
  });

  it("refuses anything else", () => {
    for (const robots of ["Obey", "off", true, 1, ""]) {
      expect(httpSchema.safeParse({ robots }).success).toBe(false);
    }
  });
});
