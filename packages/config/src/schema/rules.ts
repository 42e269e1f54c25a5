/**
 * `alerts.rules` in totewatch.yaml: every rule's settings with their
 * defaults, the per-track override shape (any subset, no defaults), and how
 * an override is laid over the base settings.
 */
import { bettingInterestOf } from "@totewatch/tote";
import { z } from "zod";
import { orDefault, section, unwrap } from "./helpers.js";

const oddsToOne = z.number().positive();
const nullableOdds = z.union([oddsToOne, z.null()]);
const percent = z.number().positive();

/**
 * Exacta combination `first-second` by program number, e.g. `1-2` or `1A-4`. A coupled entry
 * (1, 1A, 1X) is one betting interest, so `1A-4` means `1-4` and `1-1A` names one runner twice.
 */
const exactaCombination = z
  .string()
  .regex(/^\d{1,2}[A-Za-z]?-\d{1,2}[A-Za-z]?$/, 'must look like "1-2" (first-second program numbers)')
  .refine((combo) => {
    const [first = "", second = ""] = combo.split("-");
    return bettingInterestOf(first) !== bettingInterestOf(second);
  }, "the two runners must differ");

export const ruleSettingsSchema = z.strictObject({
  /** Alert when a runner's odds cross below `below` or above `above` (odds-to-1; null = off). */
  oddsThreshold: section({
    enabled: z.boolean().default(true),
    below: nullableOdds.default(2),
    above: nullableOdds.default(50),
  }).refine((rule) => rule.below === null || rule.above === null || rule.below < rule.above, {
    message: "below must be less than above",
    path: ["below"],
  }),
  /**
   * Alert when odds move by at least minPercent between consecutive snapshots, measured on
   * decimal odds (stake included: 1-5 -> 2-5 is 1.2 -> 1.4, +16.7%), or on fair odds over the
   * runners on both boards when the field changed (a scratch's refund is not a move).
   */
  oddsChange: section({
    enabled: z.boolean().default(true),
    minPercent: percent.default(30),
  }),
  /**
   * Heavy late money: within windowMinutes, close to post, a runner's share of the win pool rising
   * by probabilityPoints percentage points or its decimal odds falling by oddsDropPercent; its own
   * pool amount must have grown when known (refunds from a scratch are not money).
   */
  steam: section({
    enabled: z.boolean().default(true),
    probabilityPoints: z.number().positive().max(100).default(5),
    oddsDropPercent: percent.max(100).default(35),
    windowMinutes: z.number().positive().default(10),
    withinMinutesToPost: z.number().positive().default(20),
  }),
  /**
   * Money leaving a runner, the mirror of steam: its share falling by probabilityPoints points, or
   * its decimal odds rising by oddsRisePercent (50% is about the mirror of steam's 35% drop:
   * 1 / (1 - 0.35) = 1.54).
   */
  drift: section({
    enabled: z.boolean().default(true),
    probabilityPoints: z.number().positive().max(100).default(5),
    oddsRisePercent: percent.default(50),
    windowMinutes: z.number().positive().default(10),
    withinMinutesToPost: z.number().positive().default(20),
  }),
  /**
   * Paying at least `ratio` times what the morning line would, on decimal odds (stake included):
   * (odds + 1) / (ML + 1). ML 5-1 going off at 11-1 is 2x; ML 1-2 at EVEN only 1.33x.
   */
  overlay: section({
    enabled: z.boolean().default(true),
    ratio: z.number().positive().default(2),
    withinMinutesToPost: z.number().positive().default(10),
  }),
  /** A runner scratched before the off, with the share of the win pool refunded. */
  scratch: section({
    enabled: z.boolean().default(true),
  }),
  /**
   * Odds changing after the off (US pools keep merging after the gates open): a runner's decimal
   * odds moving by at least minPercent from the last board before the off; once per runner per race.
   */
  lateChange: section({
    enabled: z.boolean().default(true),
    minPercent: percent.default(20),
  }),
  /** Probable exacta payouts outside [min, max] (null = no bound), optionally only some combinations. */
  exactaPayout: section({
    enabled: z.boolean().default(false),
    min: z.union([z.number().nonnegative(), z.null()]).default(null),
    max: z.union([z.number().positive(), z.null()]).default(null),
    combinations: orDefault(z.array(exactaCombination).default([])),
  }).superRefine((rule, ctx) => {
    if (rule.min !== null && rule.max !== null && rule.min > rule.max) {
      ctx.addIssue({ code: "custom", path: ["min"], message: "min must not exceed max" });
    }
    if (rule.enabled && rule.min === null && rule.max === null) {
      ctx.addIssue({ code: "custom", path: ["min"], message: "set min or max when exactaPayout is enabled" });
    }
  }),
  /**
   * Win-pool vs exacta-pool implied probabilities disagreeing by these percentages, only
   * this close to post: earlier, the exacta pool is thin and its probables are noise.
   * Overlay +100% (double the fair payout) is as far from fair, as a ratio, as underlay -50% (half).
   * The win board priced against an exacta grid must be at most maxWinAgeSeconds older than it:
   * when win polling fails while exacta keeps arriving, fair prices from an old board are wrong.
   * The default allows a missed poll at the 60 s near-post cadence (ingest.cadence).
   */
  crossPool: section({
    enabled: z.boolean().default(true),
    overlayPercent: percent.default(100),
    underlayPercent: percent.default(50),
    exactaTakeout: z.number().min(0).lt(1, "must be a fraction below 1 (0.2 = 20%)").default(0.2),
    withinMinutesToPost: z.number().positive().default(10),
    maxWinAgeSeconds: z.number().positive().default(120),
  }),
  /**
   * Pools smaller than these (in currency units) are ignored by every rule but scratch (news at
   * any pool size); late changes check the last pool before the off.
   * In a 10,000 exacta pool a 1% combination holds about $100, so one $100 ticket halves its
   * probable; thinner pools swing further on single bets. The defaults drop that early-betting
   * noise and keep every pool that matters near post. On a simulated day (@totewatch/simulator) the smallest race has
   * ~11,000 in win and ~9,000 in exacta 20 min out (steam's window), ~17,500 and ~13,400
   * 10 min out (overlay and cross-pool); an hour out, the average race has only ~5,000 and ~3,000.
   */
  minPool: section({
    win: z.number().nonnegative().default(10_000),
    exacta: z.number().nonnegative().default(10_000),
  }),
});

export type RuleSettings = z.output<typeof ruleSettingsSchema>;
/** A track's override: any subset of any rule's settings. */
export type RuleSettingsOverride = { [Rule in keyof RuleSettings]?: Partial<RuleSettings[Rule]> };

/**
 * The override schema: ruleSettingsSchema with every default removed and
 * every field optional, so an override only holds what the user wrote.
 * Cross-field refinements are checked on the merged result instead.
 */
export const ruleSettingsOverrideSchema = z.strictObject(
  Object.fromEntries(
    Object.entries(ruleSettingsSchema.shape).map(([rule, schema]) => [rule, orDefault(partialOf(schema))]),
  ),
) as unknown as z.ZodType<RuleSettingsOverride>;

/** Finds the strict object inside section() wrappers and makes its fields optional, defaults removed. */
function partialOf(schema: z.ZodType): z.ZodType {
  const inner = unwrap(schema);
  if (!(inner instanceof z.ZodObject)) return inner.optional();
  const shape = Object.fromEntries(
    Object.entries(inner.shape as Record<string, z.ZodType>).map(([key, field]) => [
      key,
      unwrap(field).optional(),
    ]),
  );
  return z.strictObject(shape).optional();
}

/** Rule settings with an override laid over them, one rule section at a time. */
export function mergeRuleSettings(
  base: RuleSettings,
  override: RuleSettingsOverride | undefined,
): RuleSettings {
  if (override === undefined) return base;
  const merged = { ...base } as Record<string, object>;
  for (const [rule, settings] of Object.entries(override)) {
    if (settings !== undefined) merged[rule] = { ...merged[rule], ...settings };
  }
  return merged as RuleSettings;
}
