/**
 * The shape of totewatch.yaml. Every object is strict (a misspelt key is an
 * error, not a silently ignored setting) and every field has a default, so an
 * empty file is a complete config. A section left empty in YAML (`database:`
 * with its children commented out) parses as null; `section()` treats that
 * like an absent section instead of failing with "expected object".
 *
 * One file per concern: tracks.ts (tracks and endpoints), polling.ts (cadence,
 * http), rules.ts (alert rules and overrides), alerts.ts (suppression,
 * channels, delivery); database, log and retention are small enough to stay
 * here with the checks that span sections.
 */
import { z } from "zod";
import { databaseUrlProblem } from "../database-url.js";
import { alertsSchema } from "./alerts.js";
import { checkChannelTracks } from "./channels.js";
import { dashboardSchema } from "./dashboard.js";
import { orDefault, positiveInt, section } from "./helpers.js";
import { cadenceSchema, httpSchema } from "./polling.js";
import { mergeRuleSettings, ruleSettingsSchema, type RuleSettings } from "./rules.js";
import { trackSchema } from "./tracks.js";

export { unwrap } from "./helpers.js";
export { MIN_DASHBOARD_TOKEN_LENGTH } from "./dashboard.js";
export { ALERT_TYPES, type AlertTypeName, type ChannelOnly } from "./channels.js";
export {
  mergeRuleSettings,
  ruleSettingsOverrideSchema,
  ruleSettingsSchema,
  type RuleSettings,
  type RuleSettingsOverride,
} from "./rules.js";
export {
  ENDPOINT_FORMATS,
  POOLS,
  TEMPLATE_PLACEHOLDERS,
  fillEndpointTemplate,
  type AdaptedKind,
  type CardMapping,
  type EndpointAdapter,
  type EndpointFormat,
  type ExactaMapping,
  type Pool,
  type TemplateValues,
  type WinMapping,
} from "./tracks.js";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error"] as const;

const configObjectSchema = z.strictObject({
  database: section({
    /** `file:` URL or path to the SQLite file; relative to the config file's folder. */
    url: z
      .string()
      .trim()
      .min(1, "must not be empty")
      .superRefine((url, ctx) => {
        const problem = databaseUrlProblem(url);
        if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
      })
      .optional(),
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
    /**
     * The local hour (machine's zone) `ingest poll` prunes at, daily. Never at start-up: a day
     * just replayed from an old recording must not vanish the moment polling starts.
     */
    hourOfDay: z.int().min(0).max(23).default(4),
  }),
  alerts: alertsSchema,
  dashboard: dashboardSchema,
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

  if (failedExactly("alerts")) return;
  if (tracksUsable && !failed("alerts", "channels")) {
    checkChannelTracks(config.alerts.channels, new Set(trackNames.keys()), ctx);
  }
  if (failedExactly("alerts", "trackOverrides")) return;
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
