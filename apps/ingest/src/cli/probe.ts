/**
 * `ingest probe <url|file> --track NAME --kind card|win|exacta [--race N] [--date D]`: runs the
 * track's adapter for that endpoint once, on a URL (fetched as `poll` fetches: basic auth, the
 * body cap, the user agent) or a local file, and prints the messages it made as a table, each
 * checked by the feed's own validation, plus every field it could not read. It touches no
 * database, so a user tunes a track's selectors in minutes. An endpoint in the feed format is
 * read as the feed format; a module endpoint by its module (imported first: a missing one is a
 * usage error naming it); an html endpoint with `render: browser` given a URL is loaded in
 * Chromium as poll loads it, robots.txt asked first (http.robots) and the host's gap kept (a file
 * is read as saved).
 *
 * Exit codes: 0 every field read and every message valid; 1 a field unreadable, a message
 * invalid, or the body unusable; 2 a bad argument or config.
 */
import { readFileSync } from "node:fs";
import {
  ConfigError,
  fillEndpointTemplate,
  realSleep,
  systemClock,
  type AdaptedKind,
  type TotewatchConfig,
  type TrackConfig,
} from "@totewatch/config";
import { parseFeedBody, parseFeedMessage, type FeedRecord } from "@totewatch/feed";
import { localDateOf } from "@totewatch/tote";
import { describeProblem, type AdapterProblem } from "../adapters/adapt.js";
import { loadAdapterModules, type ModuleLimits, type ModuleRegistry } from "../adapters/module-adapter.js";
import { readPage } from "../adapters/read-page.js";
import { BrowserRenderer } from "../poll/browser-render.js";
import { FeedHttpClient } from "../poll/http.js";
import { oddsFormatLookup } from "../tracks.js";

export interface ProbeRequest {
  /** An http(s) URL ({race} etc. filled in), or a file path (already resolved). */
  source: string;
  track: TrackConfig;
  kind: AdaptedKind;
  race?: number;
  date: string;
  fetchedAt: number;
}

export interface ProbeReport {
  /** One row per runner / combination of each message; `check` is "ok" or why the feed refuses it. */
  rows: string[][];
  problems: AdapterProblem[];
  invalid: number;
  /** Set when the body could not be used at all (not JSON, fetch failed). */
  failure?: string;
}

const HEADER = ["msg", "kind", "race", "key", "value", "amount", "detail", "check"];

/** Reads `body` as the track's `kind` endpoint would be read, and checks each message. */
export async function probeBody(
  request: ProbeRequest,
  body: string,
  shown: string,
  modules: ModuleRegistry = new Map(),
  /** A module's time limit (http.timeoutMs) and the stop signal. */
  limits?: ModuleLimits,
): Promise<ProbeReport> {
  const adapter = request.track.adapters?.[request.kind];
  let records: FeedRecord[];
  let problems: AdapterProblem[] = [];
  if (adapter === undefined) {
    const parsed = parseFeedBody(body, shown);
    if (!parsed.ok) return { rows: [], problems, invalid: 0, failure: parsed.reason };
    records = parsed.records;
  } else {
    const adapted = await readPage(
      adapter,
      modules,
      body,
      {
        url: shown,
        track: request.track,
        date: request.date,
        race: request.race,
        fetchedAt: request.fetchedAt,
      },
      limits,
    );
    if (!adapted.ok) return { rows: [], problems, invalid: 0, failure: adapted.reason };
    records = adapted.records;
    problems = adapted.problems;
  }
  const oddsFormatOf = oddsFormatLookup([request.track]);
  const rows: string[][] = [];
  let invalid = 0;
  records.forEach((record, index) => {
    const check = record.ok ? parseFeedMessage(record.raw, record.position, { oddsFormatOf }) : record;
    const verdict = check.ok ? "ok" : `invalid: ${check.error.reason}`;
    if (!check.ok) invalid++;
    const raw = (record.ok ? record.raw : {}) as Record<string, unknown>;
    const base = [String(index), String(raw.kind ?? "?"), String(raw.race ?? "")];
    const lines = messageLines(raw);
    if (lines.length === 0) rows.push([...base, "", "", "", "", verdict]);
    lines.forEach((line, i) => rows.push([...base, ...line, i === 0 ? verdict : ""]));
  });
  return { rows, problems, invalid };
}

/** key, value, amount, detail of each runner or combination of a raw message. */
function messageLines(raw: Record<string, unknown>): string[][] {
  const text = (value: unknown) => (value === undefined || value === null ? "" : String(value as string));
  if (raw.kind === "card" && Array.isArray(raw.entries)) {
    return (raw.entries as Record<string, unknown>[]).map((entry) => [
      text(entry.program_number),
      text(entry.morning_line),
      "",
      [text(entry.horse), entry.scratched ? "SCRATCHED" : "", text(entry.jockey), text(entry.trainer)]
        .filter((part) => part !== "")
        .join(" / "),
    ]);
  }
  if (raw.kind === "win" && Array.isArray(raw.horses)) {
    const total = raw.total_win_pool === undefined ? "" : `pool ${text(raw.total_win_pool)}`;
    return (raw.horses as Record<string, unknown>[]).map((horse) => [
      text(horse.program_number),
      text(horse.win_odds),
      text(horse.win_pool_amount),
      total,
    ]);
  }
  if (raw.kind === "exacta" && raw.probables !== null && typeof raw.probables === "object") {
    const detail = `base ${text(raw.base_amount ?? 2)}${raw.total_exacta_pool === undefined ? "" : `, pool ${text(raw.total_exacta_pool)}`}`;
    return Object.entries(raw.probables as Record<string, unknown>).map(([key, payout]) => [
      key,
      text(payout),
      "",
      detail,
    ]);
  }
  return [];
}

/** The report as text: the table, then every unreadable field, then a count line. */
export function formatProbeReport(report: ProbeReport): string {
  const lines: string[] = [];
  if (report.failure !== undefined) lines.push(`body not usable: ${report.failure}`);
  if (report.rows.length > 0) {
    const table = [HEADER, ...report.rows];
    const widths = HEADER.map((_, c) => Math.max(...table.map((row) => (row[c] ?? "").length)));
    for (const row of table)
      lines.push(
        row
          .map((cell, c) => cell.padEnd(widths[c]!))
          .join("  ")
          .trimEnd(),
      );
  } else if (report.failure === undefined) {
    lines.push("no messages");
  }
  if (report.problems.length > 0) {
    lines.push("", `could not read ${report.problems.length} field(s):`);
    for (const problem of report.problems) lines.push(`  ${describeProblem(problem)}`);
  }
  const messages = new Set(report.rows.map((row) => row[0])).size;
  lines.push(
    "",
    `${messages} message(s), ${report.invalid} invalid, ${report.problems.length} unreadable field(s)`,
  );
  return `${lines.join("\n")}\n`;
}

export interface ProbeOptions {
  track: string;
  kind: AdaptedKind;
  race?: number;
  date?: string;
}

/** Runs a probe from the command line's options; resolves with the report, or a usage error. */
export async function runProbe(
  /** `source`: the config file read (a LoadedConfig's): a module's relative path starts in its folder. */
  config: Pick<TotewatchConfig, "tracks" | "http"> & { source?: string | null },
  source: string,
  options: ProbeOptions,
  signal?: AbortSignal,
): Promise<{ ok: true; report: ProbeReport } | { ok: false; usage: string }> {
  const track = config.tracks.find((candidate) => candidate.name === options.track);
  if (track === undefined) {
    const names = config.tracks.map((candidate) => candidate.name).join(", ") || "none";
    return { ok: false, usage: `no track named "${options.track}" in the config (configured: ${names})` };
  }
  const fetchedAt = systemClock.now();
  const date = options.date ?? localDateOf(new Date(fetchedAt), track.timezone);
  const request: ProbeRequest = { source, track, kind: options.kind, race: options.race, date, fetchedAt };
  const limits: ModuleLimits = { timeoutMs: config.http.timeoutMs, signal };
  let modules: ModuleRegistry;
  try {
    modules = await loadAdapterModules(config, { only: (candidate) => candidate === track });
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, usage: error.message };
    throw error;
  }
  if (!/^https?:\/\//i.test(source)) {
    let body: string;
    try {
      body = readFileSync(source, "utf8");
    } catch (error) {
      return { ok: false, usage: `cannot read ${source}: ${(error as Error).message}` };
    }
    return { ok: true, report: await probeBody(request, body, source, modules, limits) };
  }
  const url = fillEndpointTemplate(source, { track: track.name, code: track.code, date, race: options.race });
  const failed = (failure: string): ProbeReport => ({ rows: [], problems: [], invalid: 0, failure });
  const adapter = track.adapters?.[options.kind];
  const http = new FeedHttpClient({
    http: { ...config.http, retries: 0 },
    clock: systemClock,
    sleep: realSleep,
    signal,
  });
  if (adapter?.format === "html" && adapter.render !== undefined) {
    // As poll loads it: robots.txt asked first (http.robots), the host's gap kept.
    const allowed = await http.allowedByRobots(url);
    if (!allowed.ok) return { ok: true, report: failed(allowed.error) };
    await http.waitForHost(url);
    const renderer = new BrowserRenderer({ http: config.http, signal });
    try {
      const rendered = await renderer.render(url, adapter.render.waitFor);
      if (!rendered.ok) return { ok: true, report: failed(rendered.error) };
      return { ok: true, report: await probeBody(request, rendered.html, rendered.shown, modules, limits) };
    } catch (error) {
      // No Chromium: the report says how to get one.
      return { ok: true, report: failed((error as Error).message) };
    } finally {
      await renderer.close();
    }
  }
  let fetchedBody: { text: string; shown: string } | undefined;
  const fetched = await http.fetchFeed(url, (text, shown) => {
    fetchedBody = { text, shown };
    return { ok: true, records: [] };
  });
  if (!fetched.ok) return { ok: true, report: failed(fetched.error) };
  if (fetchedBody === undefined) return { ok: true, report: failed("no body (not modified)") };
  return {
    ok: true,
    report: await probeBody(request, fetchedBody.text, fetchedBody.shown, modules, limits),
  };
}
