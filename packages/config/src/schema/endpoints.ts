/**
 * A track's endpoints in totewatch.yaml (tracks.ts): URL templates and their placeholders, and how
 * each card / win / exacta response is read: the feed format, an html or json mapping (with
 * `render: browser` for html), or a module of the user's (`format: module`, docs/adapters.md).
 */
import { z } from "zod";
import { isHttpUrl } from "./helpers.js";

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

export const urlTemplate = z.string().superRefine((template, ctx) => {
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

/**
 * How an endpoint's response is read: the feed format (docs/feed.md), an HTML page or a site's own
 * JSON (by a mapping), or a module: a TS/JS file of the user's exporting one function from the
 * body to feed messages (docs/adapters.md), for a site no mapping fits.
 */
export const ENDPOINT_FORMATS = ["feed", "html", "json", "module"] as const;
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

/** How an html page is loaded: fetched as served (default), or rendered by a browser first. */
export const RENDER_MODES = ["fetch", "browser"] as const;

/**
 * Set on an html endpoint with `render: browser`: the page is loaded in Chromium (its scripts
 * run) and the mapping reads the page as built; `waitFor`, a CSS selector, is waited for first.
 */
export interface BrowserRender {
  waitFor?: string;
}

/**
 * A configured page adapter: the endpoint's kind, format and mapping (html, json; `render` only
 * on html with `render: browser`), or (module) the module's path as written, relative to the
 * config file's folder unless absolute: ingest resolves and imports it when it starts.
 */
export type EndpointAdapter =
  | { kind: "card"; format: "html" | "json"; mapping: CardMapping; render?: BrowserRender }
  | { kind: "win"; format: "html" | "json"; mapping: WinMapping; render?: BrowserRender }
  | { kind: "exacta"; format: "html" | "json"; mapping: ExactaMapping; render?: BrowserRender }
  | { kind: AdaptedKind; format: "module"; module: string };

/** An endpoint as configured, before it is split into its URL and its adapter. */
export type EndpointInput = { url: string; format: EndpointFormat } & Record<string, unknown>;

/** Keys beside the mapping: the module's path (format: module), how an html page is loaded. */
const LOADING_KEYS = ["module", "render", "waitFor"];

/**
 * An endpoint: a URL template (the feed format) or `{ url, format, ...mapping }`. A plain string
 * is `{ url, format: feed }`, so errors name their key (`endpoints.win.rows`).
 */
export function adaptedEndpoint(kind: AdaptedKind) {
  const objectSchema = z
    .strictObject({
      url: urlTemplate,
      format: z.enum(ENDPOINT_FORMATS).default("feed"),
      /** format: module: the module's path (relative to the config file's folder, or absolute). */
      module: z.string().trim().min(1, "must not be empty").optional(),
      /** format: html: `browser` loads the page in Chromium first (pages built by JavaScript). */
      render: z.enum(RENDER_MODES).optional(),
      /** With render: browser: a CSS selector waited for before the page is read. */
      waitFor: selector.optional(),
      ...MAPPINGS[kind],
    })
    .superRefine((endpoint: EndpointInput, ctx) => {
      const given = Object.keys(endpoint).filter(
        (key) => key !== "url" && key !== "format" && endpoint[key] !== undefined,
      );
      const issue = (key: string, message: string) => ctx.addIssue({ code: "custom", path: [key], message });
      if (endpoint.format !== "module" && endpoint.module !== undefined)
        issue("module", "only for format: module");
      if (endpoint.format !== "html" && endpoint.render !== undefined)
        issue("render", "only for format: html");
      if (endpoint.waitFor !== undefined && endpoint.render !== "browser")
        issue("waitFor", "only with render: browser");
      if (endpoint.format === "feed") {
        for (const key of given.filter((key) => !LOADING_KEYS.includes(key)))
          issue(key, "only for format: html or json");
        return;
      }
      if (endpoint.format === "module") {
        if (endpoint.module === undefined)
          issue("module", "required for format: module (the path of a TS/JS module; docs/adapters.md)");
        for (const key of given.filter((key) => !LOADING_KEYS.includes(key)))
          issue(key, "not for format: module (the module reads the page itself)");
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

/** Splits an endpoint into its URL template and (html, json, module) its adapter. */
export function adapterOf(kind: AdaptedKind, endpoint: EndpointInput): EndpointAdapter | undefined {
  if (endpoint.format === "feed") return undefined;
  const { url: _url, format, module, render, waitFor, ...mapping } = endpoint;
  if (format === "module") return { kind, format, module: module as string };
  const browser: BrowserRender | undefined =
    render === "browser" ? (waitFor === undefined ? {} : { waitFor: waitFor as string }) : undefined;
  return { kind, format, mapping, ...(browser ? { render: browser } : {}) } as EndpointAdapter;
}
