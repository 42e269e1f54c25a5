/**
 * `tracks:` in totewatch.yaml: each track's name, code, zone, pools, the
 * endpoint templates its odds are polled from, and how its board quotes odds.
 */
import { DEFAULT_BOARD_ODDS_FORMAT, DEFAULT_TIME_ZONE, isIanaTimeZone, ODDS_FORMATS } from "@totewatch/tote";
import { z } from "zod";
import { isHttpUrl, orDefault, positiveInt, section } from "./helpers.js";

export const POOLS = ["win", "exacta"] as const;
export type Pool = (typeof POOLS)[number];

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

/** How an endpoint's response is read: the feed format (docs/feed.md), an HTML page or a site's own JSON. */
export const ENDPOINT_FORMATS = ["feed", "html", "json"] as const;
export type EndpointFormat = (typeof ENDPOINT_FORMATS)[number];

/** An endpoint kind a page adapter can read (a status endpoint is always the feed format). */
export type AdaptedKind = "card" | "win" | "exacta";

/**
 * The mapping of an `html` or `json` endpoint. Each value is a CSS selector (html) or a dot path
 * with `*` over arrays (json); a row's fields are read inside its row (element or object).
 */
const selector = z.string().trim().min(1, "must not be empty");
const cardMapping = {
  /** One element / object per race; without it the whole response is one race (the {race} filled in). */
  races: selector.optional(),
  /** The race number inside a race; without it the {race} the URL was filled with. */
  number: selector.optional(),
  postTime: selector.optional(),
  /** One element / object per runner, inside a race. */
  entries: selector.optional(),
  program: selector.optional(),
  horse: selector.optional(),
  morningLine: selector.optional(),
  jockey: selector.optional(),
  trainer: selector.optional(),
  /** html: scratched when this matches the row or anything in it; json: a true / "SCR" / "Y" value. */
  scratched: selector.optional(),
};
const winMapping = {
  rows: selector.optional(),
  program: selector.optional(),
  odds: selector.optional(),
  pool: selector.optional(),
  /** The pool total, read from the whole response. */
  total: selector.optional(),
};
const exactaMapping = {
  /** html only: a probables table, second horse by column (its first row), first horse by row (first cell). */
  matrix: selector.optional(),
  /** A list: one element / object per combination. */
  rows: selector.optional(),
  /** In a list row: the combination ("1-2", or "1-2 $45.40" with its payout), or `first` and `second` apart. */
  combo: selector.optional(),
  first: selector.optional(),
  second: selector.optional(),
  payout: selector.optional(),
  total: selector.optional(),
  /** The ticket the payouts are for (default 2). */
  baseAmount: z.number().positive().optional(),
};
const MAPPINGS = { card: cardMapping, win: winMapping, exacta: exactaMapping } as const;
/** The keys an html or json endpoint of each kind must give. */
const REQUIRED: Record<AdaptedKind, string[]> = {
  card: ["entries", "program", "horse"],
  win: ["rows", "program", "odds"],
  exacta: [],
};

export type CardMapping = { [K in keyof typeof cardMapping]: z.output<(typeof cardMapping)[K]> };
export type WinMapping = { [K in keyof typeof winMapping]: z.output<(typeof winMapping)[K]> };
export type ExactaMapping = { [K in keyof typeof exactaMapping]: z.output<(typeof exactaMapping)[K]> };

/** A configured page adapter: the endpoint's kind, format and mapping. */
export type EndpointAdapter =
  | { kind: "card"; format: "html" | "json"; mapping: CardMapping }
  | { kind: "win"; format: "html" | "json"; mapping: WinMapping }
  | { kind: "exacta"; format: "html" | "json"; mapping: ExactaMapping };

/** An endpoint as configured, before it is split into its URL and its adapter. */
type EndpointInput = { url: string; format: EndpointFormat } & Record<string, unknown>;

/**
 * An endpoint: a URL template (the feed format) or `{ url, format, ...mapping }`. A plain string
 * is `{ url, format: feed }`, so errors name their key (`endpoints.win.rows`).
 */
function adaptedEndpoint(kind: AdaptedKind) {
  const objectSchema = z
    .strictObject({ url: urlTemplate, format: z.enum(ENDPOINT_FORMATS).default("feed"), ...MAPPINGS[kind] })
    .superRefine((endpoint: EndpointInput, ctx) => {
      const given = Object.keys(endpoint).filter((key) => key !== "url" && key !== "format");
      if (endpoint.format === "feed") {
        for (const key of given)
          ctx.addIssue({ code: "custom", path: [key], message: "only for format: html or json" });
        return;
      }
      for (const key of REQUIRED[kind])
        if (endpoint[key] === undefined)
          ctx.addIssue({ code: "custom", path: [key], message: `required for format: ${endpoint.format}` });
      if (kind !== "exacta") return;
      const e = endpoint as unknown as ExactaMapping;
      if (e.matrix !== undefined && endpoint.format === "json")
        ctx.addIssue({
          code: "custom",
          path: ["matrix"],
          message: "only for format: html (a json list uses rows)",
        });
      if ((e.matrix === undefined) === (e.rows === undefined))
        ctx.addIssue({ code: "custom", path: ["rows"], message: "give either matrix or rows (a list)" });
      if (e.rows !== undefined) {
        if (e.combo === undefined && (e.first === undefined || e.second === undefined))
          ctx.addIssue({
            code: "custom",
            path: ["combo"],
            message: "required with rows (or first and second)",
          });
      }
    });
  // A string is checked as the URL template it is (errors name `endpoints.win`), an object key by
  // key; refinement issues, so the track's own checks still run and report alongside.
  const check = (value: unknown) =>
    typeof value === "string" ? urlTemplate.safeParse(value) : objectSchema.safeParse(value);
  return z
    .unknown()
    .superRefine((value, ctx) => {
      const result = check(value);
      if (result.success) return;
      for (const issue of result.error.issues)
        ctx.addIssue({
          code: "custom",
          path: issue.path as PropertyKey[],
          message: issue.message,
          input: value,
        });
    })
    .transform((value): EndpointInput => {
      if (typeof value === "string") return { url: value, format: "feed" };
      return check(value).data as EndpointInput;
    });
}

/** Splits an endpoint into its URL template and (html, json) its adapter. */
function adapterOf(kind: AdaptedKind, endpoint: EndpointInput): EndpointAdapter | undefined {
  if (endpoint.format === "feed") return undefined;
  const { url: _url, format, ...mapping } = endpoint;
  return { kind, format, mapping } as EndpointAdapter;
}

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
