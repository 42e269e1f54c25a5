import { DEFAULT_TIME_ZONE, isIanaTimeZone } from "@totewatch/tote";
import { z } from "zod";

/*
 * The shape of totewatch.yaml. Every object is strict (a misspelt key is an
 * error, not a silently ignored setting) and every field has a default, so an
 * empty file is a complete config. A section left empty in YAML (`database:`
 * with its children commented out) parses as null; `section()` treats that
 * like an absent section instead of failing with "expected object".
 */

/** Null (an emptied YAML section) means "use the default". */
function orDefault<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === null ? undefined : value), schema);
}

/** A strict object whose missing or null value becomes its all-defaults form. */
function section<Shape extends z.ZodRawShape>(shape: Shape) {
  // `{}` is valid input because every field has a default; the generic type cannot show that.
  return orDefault(z.strictObject(shape).prefault({} as z.input<z.ZodObject<Shape, z.core.$strict>>));
}

const positiveInt = z.int().positive();
const nonNegativeInt = z.int().nonnegative();

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error"] as const;
export const POOLS = ["win", "exacta"] as const;
export type Pool = (typeof POOLS)[number];

// ---------------------------------------------------------------- tracks

/** Placeholders an endpoint template may use. */
export const TEMPLATE_PLACEHOLDERS = ["track", "code", "date", "race"] as const;
export type TemplateValues = Partial<Record<(typeof TEMPLATE_PLACEHOLDERS)[number], string | number>>;

const PLACEHOLDER = /\{([^{}]*)\}/g;

/**
 * Fills an endpoint template; each value is URL-encoded (track names have
 * spaces). Placeholders without a value are left as they are.
 */
export function fillEndpointTemplate(template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name as keyof TemplateValues];
    return value === undefined ? whole : encodeURIComponent(String(value));
  });
}

const urlTemplate = z.string().superRefine((template, ctx) => {
  for (const [, name] of template.matchAll(PLACEHOLDER)) {
    if (!(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name ?? "")) {
      ctx.addIssue({
        code: "custom",
        message: `unknown placeholder {${name}} (allowed: ${TEMPLATE_PLACEHOLDERS.map((p) => `{${p}}`).join(" ")})`,
      });
      return;
    }
  }
  const sample = fillEndpointTemplate(template, { track: "T", code: "C", date: "2025-01-01", race: 1 });
  if (!isHttpUrl(sample))
    ctx.addIssue({ code: "custom", message: `must be an http(s) URL, got "${template}"` });
});

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

const httpUrl = z.string().refine(isHttpUrl, { message: "must be an http(s) URL" });

const trackSchema = z
  .strictObject({
    name: z.string().trim().min(1, "must not be empty"),
    /** Short code used in endpoint URLs, e.g. BEL. */
    code: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, "must be letters, digits, - or _")
      .optional(),
    timezone: z
      .string()
      .refine(isIanaTimeZone, { message: "not an IANA time zone (e.g. America/New_York)" })
      .default(DEFAULT_TIME_ZONE),
    enabled: z.boolean().default(true),
    endpoints: section({
      card: urlTemplate.optional(),
      win: urlTemplate.optional(),
      exacta: urlTemplate.optional(),
      status: urlTemplate.optional(),
    }),
    pools: orDefault(
      z
        .array(z.enum(POOLS))
        .min(1, "list at least one pool")
        .refine((pools) => new Set(pools).size === pools.length, { message: "lists a pool twice" })
        .default(["win", "exacta"]),
    ),
    /** How many races to poll when no card endpoint lists them (none, or one per race with {race}). */
    races: positiveInt.optional(),
  })
  .superRefine((track, ctx) => {
    for (const [kind, template] of Object.entries(track.endpoints)) {
      if (template?.includes("{code}") && track.code === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["endpoints", kind],
          message: "uses {code} but the track has no code",
        });
      }
    }
    // A disabled track may be half-configured; an enabled one must be pollable.
    if (!track.enabled) return;
    for (const pool of track.pools) {
      if (track.endpoints[pool] === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["endpoints", pool],
          message: `required: pools includes "${pool}" (or remove it from pools, or set enabled: false)`,
        });
      }
    }
    if (track.endpoints.card === undefined && track.races === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["races"],
        message: "required when endpoints.card is not set (how many races to poll)",
      });
    }
    // A per-race card URL can only be filled for races the poller already knows of.
    if (track.endpoints.card?.includes("{race}") && track.races === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["races"],
        message: "required when endpoints.card uses {race} (the card is fetched race by race)",
      });
    }
  });

// ---------------------------------------------------------------- rules

const oddsToOne = z.number().positive();
const nullableOdds = z.union([oddsToOne, z.null()]);
const percent = z.number().positive();

/** Exacta combination `first-second` by program number, e.g. `1-2` or `1A-4`. */
const exactaCombination = z
  .string()
  .regex(/^\d{1,2}[A-Za-z]?-\d{1,2}[A-Za-z]?$/, 'must look like "1-2" (first-second program numbers)')
  .refine((combo) => {
    const [first, second] = combo.toUpperCase().split("-");
    return first !== second;
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
  /** Alert when odds move by at least minPercent between consecutive snapshots. */
  oddsChange: section({
    enabled: z.boolean().default(true),
    minPercent: percent.default(30),
  }),
  /** Heavy late money: a big fall in odds within a short window close to post. */
  steam: section({
    enabled: z.boolean().default(true),
    probabilityPoints: z.number().positive().max(100).default(5),
    oddsDropPercent: percent.max(100).default(35),
    windowMinutes: z.number().positive().default(10),
    withinMinutesToPost: z.number().positive().default(20),
  }),
  /** Odds at least `ratio` times the morning line. */
  overlay: section({
    enabled: z.boolean().default(true),
    ratio: z.number().positive().default(2),
    withinMinutesToPost: z.number().positive().default(10),
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
   * Pools smaller than these (in currency units) are ignored by every rule.
   * In a 10,000 exacta pool a 1% combination holds about $100, so one $100 ticket halves its
   * probable; thinner pools swing further on single bets. The defaults drop that early-betting
   * noise and keep every pool that matters near post. On a simulated day (apps/ingest/src/simulate) the smallest race has
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

/** Strips preprocess pipes, defaults and prefaults down to the value schema. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (;;) {
    if (current instanceof z.ZodPipe) {
      const { in: input, out } = current.def;
      current = (input instanceof z.ZodTransform ? out : input) as z.ZodType;
    } else if (current instanceof z.ZodDefault || current instanceof z.ZodPrefault) {
      current = current.def.innerType as z.ZodType;
    } else {
      return current;
    }
  }
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

// ---------------------------------------------------------------- whole file

const cadenceSchema = section({
  defaultIntervalSeconds: positiveInt.default(300),
  nearPostIntervalSeconds: positiveInt.default(60),
  nearPostThresholdSeconds: positiveInt.default(600),
  finalIntervalSeconds: positiveInt.default(20),
  finalThresholdSeconds: positiveInt.default(120),
  cardRefreshSeconds: positiveInt.default(900),
}).superRefine((cadence, ctx) => {
  if (cadence.finalIntervalSeconds > cadence.nearPostIntervalSeconds) {
    ctx.addIssue({
      code: "custom",
      path: ["finalIntervalSeconds"],
      message: `must not exceed nearPostIntervalSeconds (${cadence.nearPostIntervalSeconds})`,
    });
  }
  if (cadence.nearPostIntervalSeconds > cadence.defaultIntervalSeconds) {
    ctx.addIssue({
      code: "custom",
      path: ["nearPostIntervalSeconds"],
      message: `must not exceed defaultIntervalSeconds (${cadence.defaultIntervalSeconds})`,
    });
  }
  if (cadence.finalThresholdSeconds > cadence.nearPostThresholdSeconds) {
    ctx.addIssue({
      code: "custom",
      path: ["finalThresholdSeconds"],
      message: `must not exceed nearPostThresholdSeconds (${cadence.nearPostThresholdSeconds})`,
    });
  }
});

/** Adds an issue when a backoff's base is above its cap. */
function backoffOrder(value: { backoffBaseMs: number; backoffMaxMs: number }, ctx: z.RefinementCtx): void {
  if (value.backoffBaseMs > value.backoffMaxMs) {
    ctx.addIssue({
      code: "custom",
      path: ["backoffBaseMs"],
      message: `must not exceed backoffMaxMs (${value.backoffMaxMs})`,
    });
  }
}

const httpSchema = section({
  timeoutMs: positiveInt.default(10_000),
  /** Politeness gap between two requests to the same host. */
  minHostDelayMs: nonNegativeInt.default(1000),
  retries: nonNegativeInt.default(4),
  backoffBaseMs: positiveInt.default(1000),
  backoffMaxMs: positiveInt.default(60_000),
  /** Consecutive failures of one endpoint before it is logged as a warning. */
  failureLogAfter: positiveInt.default(3),
  userAgent: z.string().min(1, "must not be empty").default("totewatch/0.1"),
}).superRefine(backoffOrder);

const webhookSchema = section({
  enabled: z.boolean().default(false),
  url: httpUrl.optional(),
  /** Shared secret used to sign each delivery. */
  secret: z.string().min(1, "must not be empty").optional(),
  timeoutMs: positiveInt.default(5000),
}).superRefine((webhook, ctx) => {
  if (!webhook.enabled) return;
  if (webhook.url === undefined)
    ctx.addIssue({ code: "custom", path: ["url"], message: "required when enabled" });
  if (webhook.secret === undefined) {
    ctx.addIssue({ code: "custom", path: ["secret"], message: "required when enabled" });
  }
});

const emailAddress = z.string().refine((text) => /\S@\S/.test(text), { message: "not an email address" });

const emailSchema = section({
  enabled: z.boolean().default(false),
  host: z.string().min(1, "must not be empty").optional(),
  port: z.int().min(1).max(65535).default(587),
  /** Implicit TLS from the first byte (port 465). */
  secure: z.boolean().default(false),
  /** Refuse to send unless the server upgrades with STARTTLS. */
  requireTls: z.boolean().default(true),
  user: z.string().optional(),
  pass: z.string().optional(),
  from: emailAddress.optional(),
  // A single address is accepted for `to:` as well as a list.
  to: orDefault(
    z.preprocess((value) => (typeof value === "string" ? [value] : value), z.array(emailAddress).default([])),
  ),
  subjectPrefix: z.string().default("[Totewatch]"),
}).superRefine((email, ctx) => {
  if ((email.user === undefined) !== (email.pass === undefined)) {
    ctx.addIssue({
      code: "custom",
      path: [email.user === undefined ? "user" : "pass"],
      message: "user and pass go together",
    });
  }
  if (!email.enabled) return;
  if (email.host === undefined)
    ctx.addIssue({ code: "custom", path: ["host"], message: "required when enabled" });
  if (email.from === undefined)
    ctx.addIssue({ code: "custom", path: ["from"], message: "required when enabled" });
  if (email.to.length === 0) {
    ctx.addIssue({ code: "custom", path: ["to"], message: "required when enabled (at least one address)" });
  }
});

const alertsSchema = section({
  pollIntervalMs: positiveInt.default(1000),
  rules: orDefault(ruleSettingsSchema.prefault({})),
  /** Per-track changes to `rules`, keyed by track name. */
  trackOverrides: orDefault(
    z
      .record(
        z.string(),
        z.preprocess((value) => value ?? {}, ruleSettingsOverrideSchema),
      )
      .default({}),
  ),
  suppression: section({
    /** The same alert for the same runner is not repeated within this window (0 = never suppress). */
    duplicateWindowMinutes: z.number().nonnegative().default(30),
    /** Alerts one race may raise in all. */
    maxPerRace: positiveInt.default(20),
    /** Alerts one rule (alert type) may raise for one race, so one noisy rule cannot use up maxPerRace. */
    maxPerRacePerRule: positiveInt.default(3),
  }),
  channels: section({
    console: section({ enabled: z.boolean().default(true) }),
    webhook: webhookSchema,
    email: emailSchema,
  }),
  delivery: section({
    maxAttempts: positiveInt.default(10),
    backoffBaseMs: positiveInt.default(1000),
    backoffMaxMs: positiveInt.default(300_000),
  }).superRefine(backoffOrder),
});

const configObjectSchema = z.strictObject({
  database: section({
    /** `file:` URL or path to the SQLite file; relative to the config file's folder. */
    url: z.string().trim().min(1, "must not be empty").optional(),
  }),
  log: section({ level: z.enum(LOG_LEVELS).default("info") }),
  tracks: orDefault(z.array(trackSchema).default([])),
  cadence: cadenceSchema,
  http: httpSchema,
  retention: section({
    oddsDays: positiveInt.default(30),
    alertsDays: positiveInt.default(90),
    /** Rows deleted per transaction when pruning. */
    batchSize: positiveInt.default(5000),
  }),
  alerts: alertsSchema,
});

export const totewatchConfigSchema = configObjectSchema
  // Cross-section checks. They run even when unrelated fields failed, so one
  // pass reports every problem; each part skips data that failed its own parse.
  .superRefine(crossSectionChecks, { when: () => true });

function crossSectionChecks(config: z.output<typeof configObjectSchema>, ctx: z.RefinementCtx): void {
  const failed = (...prefix: PropertyKey[]) =>
    ctx.issues.some((issue) => prefix.every((key, index) => issue.path?.[index] === key));
  const failedExactly = (...keyPath: PropertyKey[]) =>
    ctx.issues.some((issue) => (issue.path ?? []).length === keyPath.length && failed(...keyPath));

  // Track names are the keys of trackOverrides and of stored odds, so they must be unique.
  const trackNames = new Map<string, number>();
  const tracksUsable =
    !failedExactly("tracks") &&
    config.tracks.every((_, index) => !failedExactly("tracks", index) && !failed("tracks", index, "name"));
  if (tracksUsable) {
    config.tracks.forEach((track, index) => {
      const first = trackNames.get(track.name);
      if (first === undefined) trackNames.set(track.name, index);
      else {
        ctx.addIssue({
          code: "custom",
          path: ["tracks", index, "name"],
          message: `duplicate track name "${track.name}" (also tracks[${first}])`,
        });
      }
    });
  }

  if (failedExactly("alerts") || failedExactly("alerts", "trackOverrides")) return;
  const rulesUsable = !failed("alerts", "rules");
  for (const [trackName, override] of Object.entries(config.alerts.trackOverrides)) {
    const path = ["alerts", "trackOverrides", trackName];
    if (tracksUsable && !trackNames.has(trackName)) {
      const names = [...trackNames.keys()].map((name) => `"${name}"`).join(", ");
      const known = names ? `tracks: ${names}` : "no tracks are configured";
      ctx.addIssue({ code: "custom", path, message: `no track named "${trackName}" (${known})` });
    }
    // Fields were checked one by one; now check the combination (e.g. below < above).
    if (!rulesUsable || failed(...path)) continue;
    const merged = ruleSettingsSchema.safeParse(mergeRuleSettings(config.alerts.rules, override));
    for (const issue of merged.error?.issues ?? []) {
      ctx.addIssue({ code: "custom", path: [...path, ...issue.path], message: issue.message });
    }
  }
}

export type TotewatchConfig = z.output<typeof totewatchConfigSchema>;
/** What a user may write: everything optional. */
export type TotewatchConfigInput = z.input<typeof totewatchConfigSchema>;
export type TrackConfig = TotewatchConfig["tracks"][number];
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The settings every rule uses at `trackName`: `alerts.rules` with that track's override laid over. */
export function resolveRuleSettings(config: TotewatchConfig, trackName: string): RuleSettings {
  return mergeRuleSettings(config.alerts.rules, config.alerts.trackOverrides[trackName]);
}
