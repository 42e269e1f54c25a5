import { describe, expect, it } from "vitest";
import { mergeRuleSettings, ruleSettingsSchema } from "./rules.js";

describe("ruleSettingsSchema", () => {
  it("defaults the race-day rules: drift, scratch, late change", () => {
    const rules = ruleSettingsSchema.parse({});
    expect(rules.drift).toEqual({
      enabled: true,
      probabilityPoints: 5,
      // The mirror of steam's 35% drop in decimal odds: 1 / (1 - 0.35) = 1.54, about +50%.
      oddsRisePercent: 50,
      windowMinutes: 10,
      withinMinutesToPost: 20,
    });
    expect(rules.scratch).toEqual({ enabled: true });
    expect(rules.lateChange).toEqual({ enabled: true, minPercent: 20 });
    expect(rules.overlay).toEqual({ enabled: true, ratio: 2, withinMinutesToPost: 10 });
  });

  it("rejects non-positive thresholds in the new sections", () => {
    expect(ruleSettingsSchema.safeParse({ drift: { oddsRisePercent: 0 } }).success).toBe(false);
    expect(ruleSettingsSchema.safeParse({ drift: { probabilityPoints: 101 } }).success).toBe(false);
    expect(ruleSettingsSchema.safeParse({ lateChange: { minPercent: -5 } }).success).toBe(false);
    expect(ruleSettingsSchema.safeParse({ scratch: { enabled: "yes" } }).success).toBe(false);
  });

  it("reads exacta combinations as betting interests: 1A-4 is fine, 1-1A is one runner twice", () => {
    const payout = (combinations: string[]) =>
      ruleSettingsSchema.safeParse({ exactaPayout: { enabled: true, max: 100, combinations } });
    expect(payout(["1A-4", "2-1X"]).success).toBe(true);
    expect(payout(["1-1A"]).success).toBe(false);
    expect(payout(["1X-1"]).success).toBe(false);
    expect(payout(["3-3"]).success).toBe(false);
  });

  it("lays a track's override over the new sections one setting at a time", () => {
    const base = ruleSettingsSchema.parse({});
    const merged = mergeRuleSettings(base, { lateChange: { minPercent: 30 }, scratch: { enabled: false } });
    expect(merged.lateChange).toEqual({ enabled: true, minPercent: 30 });
    expect(merged.scratch).toEqual({ enabled: false });
    expect(merged.drift).toEqual(base.drift);
  });
});
