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
 * - A function that throws, rejects, returns something else, or has not settled within the
 *   time limit (http.timeoutMs) is one AdapterProblem naming the module (its `query`) and no
 *   records, `ok: true` with `fault`, as adapt.ts treats a mapping that throws: not retried at
 *   once, and the poller goes on (a module that never settles cannot hold up its track, and the
 *   stop signal ends the wait at once). Each problem the module returns is reported the same way
 *   (field, text, reason), counted like an unreadable cell.
 * - The module is told the track's name, code, oddsFormat and dividendUnit only: never its
 *   endpoint URLs (which may carry a password).
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
  /** The track: its name, code, board odds format and dividend unit (no endpoint URLs). */
  track: Pick<AdapterContext["track"], "name" | "code" | "oddsFormat" | "dividendUnit">;
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

/** How long a module may take over one body, and the signal that ends the wait (stop). */
export interface ModuleLimits {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Runs a module endpoint's function on one body; never throws (see the header). */
export async function runModuleAdapter(
  module: LoadedModule,
  kind: ModuleAdapterContext["kind"],
  body: string,
  ctx: AdapterContext,
  limits?: ModuleLimits,
): Promise<Extract<AdaptResult, { ok: true }>> {
  const problem = (field: string, text: string | undefined, reason: string): AdapterProblem => ({
    url: ctx.url,
    field,
    query: `module ${module.written}`,
    text,
    reason,
  });
  const fault = (reason: string): Extract<AdaptResult, { ok: true }> => ({
    ok: true,
    records: [],
    problems: [problem(`${kind} module`, undefined, reason)],
    fault: true,
  });
  const { name, code, oddsFormat, dividendUnit } = ctx.track;
  let result: unknown;
  try {
    const settled = await settleWithin(
      () =>
        module.adapt(body, {
          url: ctx.url,
          kind,
          track: { name, ...(code === undefined ? {} : { code }), oddsFormat, dividendUnit },
          date: ctx.date,
          ...(ctx.race === undefined ? {} : { race: ctx.race }),
          fetchedAt: ctx.fetchedAt,
        }),
      limits,
    );
    if (settled.kind === "timeout")
      return fault(`did not finish within ${limits?.timeoutMs} ms (http.timeoutMs)`);
    if (settled.kind === "stopped") return fault("stopped");
    result = settled.value;
  } catch (error) {
    return fault(`threw: ${firstLine(error)}`);
  }
  const { messages, problems } = Array.isArray(result)
    ? { messages: result as unknown[], problems: [] }
    : typeof result === "object" && result !== null
      ? (result as { messages?: unknown; problems?: unknown })
      : { messages: undefined, problems: undefined };
  if (!Array.isArray(messages)) {
    return fault("returned neither an array of messages nor { messages: [...] }");
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

/**
 * The module's result, or `timeout` / `stopped` if the limit passes or the signal aborts first
 * (the module's own work is left to itself: a promise cannot be cancelled).
 */
async function settleWithin<T>(
  run: () => T | Promise<T>,
  limits: ModuleLimits | undefined,
): Promise<{ kind: "value"; value: T } | { kind: "timeout" } | { kind: "stopped" }> {
  if (limits === undefined) return { kind: "value", value: await run() };
  const { timeoutMs, signal } = limits;
  if (signal?.aborted) return { kind: "stopped" };
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const limit = new Promise<{ kind: "timeout" } | { kind: "stopped" }>((resolve) => {
    timer = setTimeout(() => resolve({ kind: "timeout" }), timeoutMs);
    onAbort = () => resolve({ kind: "stopped" });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([
      Promise.resolve()
        .then(run)
        .then((value) => ({ kind: "value" as const, value })),
      limit,
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] ?? message;
}
