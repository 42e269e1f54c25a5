import { describe, expect, it } from "vitest";
import { backoffDelayMs } from "./timing.js";

describe("backoffDelayMs", () => {
  const settings = { backoffBaseMs: 1000, backoffMaxMs: 5000 };
  it("doubles up to the cap, jittered within the upper half", () => {
    expect([0, 1, 2, 3, 4].map((attempt) => backoffDelayMs(attempt, settings, () => 1))).toEqual([
      1000, 2000, 4000, 5000, 5000,
    ]);
    expect(backoffDelayMs(1, settings, () => 0)).toBe(1000);
    expect(backoffDelayMs(1, settings, () => 0.5)).toBe(1500);
  });
});

describe("backoffDelayMs (delivery retries)", () => {
  const settings = { maxAttempts: 10, backoffBaseMs: 1000, backoffMaxMs: 60_000 };

  it("doubles per attempt from the base, capped at the maximum", () => {
    const top = () => 0.999_999;
    expect(backoffDelayMs(0, settings, top)).toBe(1000);
    expect(backoffDelayMs(1, settings, top)).toBe(2000);
    expect(backoffDelayMs(5, settings, top)).toBe(32_000);
    expect(backoffDelayMs(6, settings, top)).toBe(60_000);
    expect(backoffDelayMs(30, settings, top)).toBe(60_000);
  });

  it("jitters down to half the delay", () => {
    expect(backoffDelayMs(2, settings, () => 0)).toBe(2000);
    expect(backoffDelayMs(2, settings, () => 0.5)).toBe(3000);
  });
});
