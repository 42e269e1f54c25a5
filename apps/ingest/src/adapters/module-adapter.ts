/**
 * `format: module` endpoints: a TS/JS module of the user's that turns one response body into feed
 * messages, for a site no CSS-selector or JSON-path mapping fits (docs/adapters.md has the
 * interface and a worked example, examples/adapters/plain-text-board.ts).
 *
 * The module exports one function, as its default export or as `adapt`:
 *
 *   (body: string, ctx: ModuleAdapterContext) =>
 *     unknown[] | { messages: unknown[]; problems?: ModuleProblem[] }   (or a Promise of either)
 *
 * Invariants:
 * - The path is resolved against the config file's folder (absolute paths as they are) and the
 *   module imported once, when `ingest poll` or `ingest probe` starts; a file that cannot be
 *   imported, or that exports no function, is a ConfigError naming the track, the endpoint kind
 *   and the path: nothing is polled.
 * - What the function returns is raw feed messages, validated downstream by the feed's own rules
 *   exactly like the html/json adapters' output (FeedRecord `{ ok: true, position, raw }`, the
 *   position's source the URL): a module cannot store what a feed file could not.
 * - A function that throws, rejects or returns something else is one AdapterProblem naming the
 *   module (its `query`) and no records, `ok: true`, as adapt.ts treats a mapping that throws: a
 *   fault of the code, which fails on every fetch alike, so the page is not re-fetched for it and
 *   the poller goes on. Each problem the module returns is reported the same way (field, text,
 *   reason), counted like an unreadable cell.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError, type ConfigProblem, type EndpointAdapter } from "@totewatch/config";
import type { FeedRecord } from "@totewatch/feed";
import type { AdapterContext, AdapterProblem, AdaptResult } from "./adapt.js";

/** What a module is told besides the body. */
export interface ModuleAdapterContext {
  /** The URL fetched, as shown (a password masked); problems and positions name it. */
  url: string;
  /** Which endpoint this is: the messages it should make (`card`, `win`, `exacta`). */
  kind: "card" | "win" | "exacta";
  track: AdapterContext["track"];
  /** The race date, YYYY-MM-DD (the track's local calendar). */
  date: string;
  /** The race the URL was filled with ({race}); absent for a whole-day card. */
  race?: number;
  /** When the body was fetched, epoch ms (a board's `fetched_at`). */
  fetchedAt: number;
}

/** A field the module could not read (reported as an unreadable field, with the URL and module). */
export interface ModuleProblem {
  field: string;
  text?: string;
  reason: string;
}

/** What the function may return: the messages, alone or with the fields it could not read. */
export type ModuleAdapterResult = unknown[] | { messages: unknown[]; problems?: ModuleProblem[] };

/** The function a module exports (default export, or named `adapt`). */
export type ModuleAdapterFunction = (
  body: string,
  ctx: ModuleAdapterContext,
) => ModuleAdapterResult | Promise<ModuleAdapterResult>;

/** An imported module endpoint: the function and its path as written and resolved. */
export interface LoadedModule {
  adapt: ModuleAdapterFunction;
  /** The path as configured (what problems name). */
  written: string;
  file: string;
}

type ModuleEndpoint = Extract<EndpointAdapter, { format: "module" }>;

/** The module endpoints of the loaded config, each imported once (keyed by its adapter object). */
export type ModuleRegistry = ReadonlyMap<ModuleEndpoint, LoadedModule>;

interface TracksWithModules {
  /** The config file read (its folder is where relative paths start); null: none. */
  source?: string | null;
  tracks: readonly { name: string; enabled?: boolean; adapters?: Partial<Record<string, EndpointAdapter>> }[];
}

/** `written` made absolute: against the config file's folder, else `cwd`. */
export function resolveModulePath(written: string, source: string | null | undefined, cwd: string): string {
  return path.resolve(source ? path.dirname(source) : cwd, written);
}

/**
 * Imports every module endpoint of `config`'s tracks (`only` those tracks: poll's enabled ones,
 * probe's one); throws one ConfigError listing each that cannot be imported or exports no
 * function, each with its path in the config. Relative paths start at `cwd` without a config file.
 */
export async function loadAdapterModules(
  config: TracksWithModules,
  options: { only?: (track: TracksWithModules["tracks"][number]) => boolean; cwd?: string } = {},
): Promise<ModuleRegistry> {
  const cwd = options.cwd ?? process.cwd();
  const registry = new Map<ModuleEndpoint, LoadedModule>();
  const problems: ConfigProblem[] = [];
  for (const [t, track] of config.tracks.entries()) {
    if (options.only && !options.only(track)) continue;
    for (const [kind, adapter] of Object.entries(track.adapters ?? {})) {
      if (adapter?.format !== "module") continue;
      const file = resolveModulePath(adapter.module, config.source, cwd);
      const loaded = await importAdapter(file);
      if (typeof loaded === "string") {
        problems.push({
          path: `tracks[${t}].endpoints.${kind}.module`,
          message: `track "${track.name}" ${kind} endpoint: module ${adapter.module}${file === adapter.module ? "" : ` (${file})`}: ${loaded}`,
        });
      } else registry.set(adapter, { adapt: loaded, written: adapter.module, file });
    }
  }
  if (problems.length > 0) throw new ConfigError(config.source ?? "<config>", problems);
  return registry;
}

/** The module's adapter function, or why there is none. */
async function importAdapter(file: string): Promise<ModuleAdapterFunction | string> {
  let exported: Record<string, unknown>;
  try {
    exported = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    return `cannot be imported: ${firstLine(error)}`;
  }
  const fn = typeof exported.default === "function" ? exported.default : exported.adapt;
  if (typeof fn !== "function")
    return "exports no function (a default export, or one named adapt: body, context -> feed messages)";
  return fn as ModuleAdapterFunction;
}

/** Runs a module endpoint's function on one body; never throws (see the header). */
export async function runModuleAdapter(
  module: LoadedModule,
  kind: ModuleAdapterContext["kind"],
  body: string,
  ctx: AdapterContext,
): Promise<Extract<AdaptResult, { ok: true }>> {
  const problem = (field: string, text: string | undefined, reason: string): AdapterProblem => ({
    url: ctx.url,
    field,
    query: `module ${module.written}`,
    text,
    reason,
  });
  let result: unknown;
  try {
    result = await module.adapt(body, {
      url: ctx.url,
      kind,
      track: { ...ctx.track },
      date: ctx.date,
      ...(ctx.race === undefined ? {} : { race: ctx.race }),
      fetchedAt: ctx.fetchedAt,
    });
  } catch (error) {
    return {
      ok: true,
      records: [],
      problems: [problem(`${kind} module`, undefined, `threw: ${firstLine(error)}`)],
    };
  }
  const { messages, problems } = Array.isArray(result)
    ? { messages: result as unknown[], problems: [] }
    : typeof result === "object" && result !== null
      ? (result as { messages?: unknown; problems?: unknown })
      : { messages: undefined, problems: undefined };
  if (!Array.isArray(messages)) {
    const reason = "returned neither an array of messages nor { messages: [...] }";
    return { ok: true, records: [], problems: [problem(`${kind} module`, undefined, reason)] };
  }
  const records: FeedRecord[] = messages.map((raw, index) => ({
    ok: true,
    position: { source: ctx.url, index },
    raw,
  }));
  const reported = (Array.isArray(problems) ? problems : []).map((item: unknown) => {
    const p = (item ?? {}) as Partial<Record<keyof ModuleProblem, unknown>>;
    return problem(
      `${kind} ${typeof p.field === "string" ? p.field : "(field)"}`,
      typeof p.text === "string" ? p.text : undefined,
      typeof p.reason === "string" ? p.reason : "unreadable",
    );
  });
  return { ok: true, records, problems: reported };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] ?? message;
}
