/**
 * `tracks:` in totewatch.yaml: each track's name, code, zone, pools, the
 * endpoint templates its odds are polled from (endpoints.ts: how each is read), and how its board quotes odds and money.
 */
import {
  DEFAULT_BOARD_ODDS_FORMAT,
  DEFAULT_CURRENCY,
  DEFAULT_TIME_ZONE,
  isCurrencyCode,
  isIanaTimeZone,
  ODDS_FORMATS,
} from "@totewatch/tote";
import { z } from "zod";
import {
  adaptedEndpoint,
  adapterOf,
  urlTemplate,
  type AdaptedKind,
  type EndpointAdapter,
  type EndpointInput,
} from "./endpoints.js";
import { orDefault, positiveInt, section } from "./helpers.js";

export {
  ENDPOINT_FORMATS,
  RENDER_MODES,
  TEMPLATE_PLACEHOLDERS,
  fillEndpointTemplate,
  type AdaptedKind,
  type BrowserRender,
  type CardMapping,
  type EndpointAdapter,
  type EndpointFormat,
  type ExactaMapping,
  type TemplateValues,
  type WinMapping,
} from "./endpoints.js";

export const POOLS = ["win", "exacta"] as const;
export type Pool = (typeof POOLS)[number];

export const trackSchema = z
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
      card: adaptedEndpoint("card").optional(),
      win: adaptedEndpoint("win").optional(),
      exacta: adaptedEndpoint("exacta").optional(),
      /** Always the feed format. */
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
    /**
     * How the track's board quotes win odds when a win message does not say (its
     * `odds_format`): "odds_to_one" (5-2, North America) or "decimal" (3.5: the dividend per
     * `dividendUnit` staked, stake included). Morning lines on cards are odds-to-1 either way.
     */
    oddsFormat: z.enum(ODDS_FORMATS).default(DEFAULT_BOARD_ODDS_FORMAT.oddsFormat),
    /** The stake a decimal dividend is quoted for: 1, or 10 where boards quote per $10 (Hong Kong). */
    dividendUnit: z.number().positive().default(DEFAULT_BOARD_ODDS_FORMAT.dividendUnit),
    /**
     * The money its pools and payouts are in (ISO 4217: USD, GBP, EUR, HKD, AUD...): how alerts
     * and the dashboard write amounts ("£45.40"). Default dollars.
     */
    currency: z
      .string()
      .trim()
      .refine(isCurrencyCode, "must be an ISO 4217 currency code in capitals, e.g. USD, GBP, EUR, HKD")
      .default(DEFAULT_CURRENCY),
  })
  .superRefine((track, ctx) => {
    if (track.oddsFormat !== "decimal" && track.dividendUnit !== DEFAULT_BOARD_ODDS_FORMAT.dividendUnit) {
      ctx.addIssue({
        code: "custom",
        path: ["dividendUnit"],
        message: `applies only to oddsFormat: decimal (this track's odds are ${track.oddsFormat})`,
      });
    }
    for (const [kind, endpoint] of Object.entries(track.endpoints)) {
      const template = typeof endpoint === "string" ? endpoint : endpoint?.url;
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
    const card = track.endpoints.card as EndpointInput | string | undefined;
    if ((typeof card === "string" ? card : card?.url)?.includes("{race}") && track.races === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["races"],
        message: "required when endpoints.card uses {race} (the card is fetched race by race)",
      });
    }
  })
  .transform(({ endpoints, ...track }) => {
    const adapters: Partial<Record<AdaptedKind, EndpointAdapter>> = {};
    for (const kind of ["card", "win", "exacta"] as const) {
      const endpoint = endpoints[kind];
      const adapter = endpoint && adapterOf(kind, endpoint);
      if (adapter) adapters[kind] = adapter;
    }
    /** Each endpoint's URL template. */
    const urls: Partial<Record<AdaptedKind | "status", string>> = {};
    for (const kind of ["card", "win", "exacta"] as const) {
      const url = endpoints[kind]?.url;
      if (url !== undefined) urls[kind] = url;
    }
    if (endpoints.status !== undefined) urls.status = endpoints.status;
    return {
      ...track,
      endpoints: urls,
      /** The page adapter of each endpoint whose format is html or json; absent when all are feed. */
      ...(Object.keys(adapters).length > 0 ? { adapters } : {}),
    } as typeof track & {
      endpoints: Partial<Record<AdaptedKind | "status", string>>;
      adapters?: Partial<Record<AdaptedKind, EndpointAdapter>>;
    };
  });
