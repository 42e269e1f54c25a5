#!/usr/bin/env -S npx tsx
/**
 * `pnpm demo`: the whole loop on the built-in defaults. Migrates the database,
 * simulates a race day into it at full speed through the feed write path
 * (@totewatch/simulator) while the alerts daemon evaluates alongside (its own database client,
 * as `alerts run` beside `ingest` would), prints alerts on the console as they
 * are delivered, then a summary: races, snapshots, alerts by rule, the five
 * strongest alerts.
 */
import path from "node:path";
import { Writable } from "node:stream";
import { Command, Option } from "commander";
import { calendarDate, runIfEntryPoint, runProgram, wholeNumber, wrapLine } from "@totewatch/cli-kit";
import {
  absoluteDatabaseUrl,
  createLogger,
  DEFAULT_DATABASE_PATH,
  isPostgresUrl,
  loadConfig,
  parseConfig,
  redactUrl,
  type Logger,
  type TotewatchConfig,
  userCwd,
} from "@totewatch/config";
import {
  alertCountsByType,
  createDb,
  listAlerts,
  migrateDatabase,
  oddsActivity,
  resetDatabase,
  type OddsActivity,
  type StoredAlert,
} from "@totewatch/db";
import type { IngestSummary } from "@totewatch/feed";
import { createChannels } from "./delivery/index.js";
import { runAlongside } from "./engine/alongside.js";
import type { DaemonSummary } from "./engine/daemon.js";
import { DEMO_WIDTH, keyValueTable, strongestAlertsTable } from "./engine/report.js";

export interface DemoOptions {
  /** Database URL or path (`pnpm demo`: data/demo.db unless --db; never the config's database). */
  db: string;
  /** Delete the database first. */
  reset?: boolean;
  /** A totewatch.yaml to use instead of the built-in defaults. */
  configFile?: string;
  tracks?: number;
  races?: number;
  /** Runners per race (default: the simulator's 6..12). */
  runners?: number;
  seed?: number;
  /** Race date, YYYY-MM-DD; default today (UTC). */
  date?: string;
  /** The daemon's poll interval while the day is simulated. */
  pollIntervalMs?: number;
  /** Where alerts and the summary go; default stdout. */
  stdout?: NodeJS.WritableStream;
  /** Print alerts as they are delivered (console channel); default true. */
  showAlerts?: boolean;
  logger?: Logger;
  signal?: AbortSignal;
}

export interface DemoSummary {
  database: string;
  date: string;
  ingest: IngestSummary;
  daemon: DaemonSummary;
  activity: OddsActivity;
  alertsByRule: Array<{ alertType: string; count: number }>;
  strongest: StoredAlert[];
  wallSeconds: number;
}

export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const started = performance.now();
  const out = options.stdout ?? process.stdout;
  const logger = options.logger ?? createLogger({ name: "demo", level: "warn" });
  const date = options.date ?? new Date().toISOString().slice(0, 10);
  const config: TotewatchConfig = options.configFile
    ? loadConfig({ file: options.configFile })
    : parseConfig("", "<defaults>");
  if (options.reset) await resetDatabase(options.db, { quiet: true });
  else await migrateDatabase(options.db, { quiet: true });
  const file = options.db;

  const ingestDb = createDb({ url: file });
  const alertsDb = createDb({ url: file });
  try {
    out.write(
      `Totewatch demo: simulating ${options.tracks ?? 2} track(s) x ${options.races ?? 8} race(s) on ${date}\n` +
        `with the alerts daemon evaluating alongside (console delivery; times on each track's clock).\n` +
        `Database: ${databaseArgument(file, userCwd())}\n\n`,
    );
    // Quiet still delivers (to nowhere), so the day's alerts end up sent like any other.
    const consoleOut =
      options.showAlerts === false
        ? new Writable({ write: (_chunk, _enc, done) => done() })
        : wrappingStream(out, DEMO_WIDTH);
    const channels = createChannels(
      { ...config.alerts.channels, console: { enabled: true } },
      { stdout: consoleOut, logger },
    );
    const { ingest, daemon: daemonSummary } = await runAlongside({
      simulation: {
        date,
        tracks: options.tracks ?? 2,
        racesPerTrack: options.races ?? 8,
        seed: options.seed ?? 1,
        exacta: true,
        ...(options.runners === undefined ? {} : { runners: options.runners }),
      },
      ingestDb,
      alertsDb,
      config,
      channels,
      logger,
      pollIntervalMs: options.pollIntervalMs ?? 50,
      signal: options.signal,
    });

    const activity = await oddsActivity(alertsDb, { raceDate: date });
    const alertsByRule = await alertCountsByType(alertsDb, { raceDate: date });
    const strongest = await listAlerts(alertsDb, { raceDate: date, order: "strongest", limit: 5 });
    const summary: DemoSummary = {
      database: file,
      date,
      ingest,
      daemon: daemonSummary,
      activity,
      alertsByRule,
      strongest,
      wallSeconds: (performance.now() - started) / 1000,
    };
    out.write(`\n${formatDemoSummary(summary)}\n`);
    return summary;
  } finally {
    await Promise.all([ingestDb.close(), alertsDb.close()]);
  }
}

/**
 * The console channel's lines, each wrapped to `width` columns (continuations indented) on `out`:
 * the demo is read in a terminal, where a 160-column alert line would break wherever it hit the edge.
 */
function wrappingStream(out: NodeJS.WritableStream, width: number): Writable {
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      const text = String(chunk);
      const lines = text.replace(/\n$/, "").split("\n");
      const wrapped = lines.flatMap((line) => wrapLine(line, width)).join("\n");
      out.write(`${wrapped}${text.endsWith("\n") ? "\n" : ""}`, (error) => done(error ?? undefined));
    },
  });
}

/**
 * How to name the demo's database in a command typed where the user ran the demo: relative when
 * it is inside that folder ("data/demo.db"), else absolute; quoted for the shell when it needs it.
 * A PostgreSQL url as given, with its password masked.
 */
export function databaseArgument(file: string, cwd: string): string {
  // A server url is no path; its password (if any) is not printed.
  if (isPostgresUrl(file)) return `'${redactUrl(file).replaceAll("'", "'\\''")}'`;
  const relative = path.relative(cwd, file);
  const shown = relative === "" || relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
  return /^[\w./@:+-]+$/.test(shown) ? shown : `'${shown.replaceAll("'", "'\\''")}'`;
}

/** A command to copy, indented, its `--db` on a continuation line when it would pass 100 columns (a long url). */
function commandLine(command: string, db: string): string {
  const line = `  ${command} --db ${db}`;
  return [...line].length <= 100 ? line : `  ${command} \\\n    --db ${db}`;
}

export function formatDemoSummary(summary: DemoSummary, options: { cwd?: string } = {}): string {
  const { activity, ingest, daemon } = summary;
  const total = summary.alertsByRule.reduce((sum, row) => sum + row.count, 0);
  // The alerts commands read the config's database (data/horses.db) unless told this one.
  const db = databaseArgument(summary.database, options.cwd ?? userCwd());
  const lines = [
    `Summary for ${summary.date} (${db})`,
    keyValueTable(null, [
      ["races", activity.races],
      ["win snapshots", `${activity.winSnapshots} (${activity.winRows} runner rows)`],
      ["exacta grids", `${activity.exactaGrids} (${activity.exactaRows} probables)`],
      ["feed messages", `${ingest.messages} (${ingest.applied} applied, ${ingest.unchanged} already stored)`],
      ["evaluated this run", `${daemon.winSnapshots} win snapshots, ${daemon.exactaGrids} exacta grids`],
      ["alerts raised this run", `${daemon.raised} (${daemon.delivered} deliveries)`],
      ["alerts stored for the day", total],
      ["wall time", `${summary.wallSeconds.toFixed(1)} s`],
    ]),
    "",
    "Alerts by rule",
    summary.alertsByRule.length === 0
      ? "No alerts."
      : keyValueTable(
          ["rule", "alerts"],
          summary.alertsByRule.map((row) => [row.alertType, row.count]),
        ),
    "",
    "The five strongest alerts",
    strongestAlertsTable(summary.strongest),
  ];
  if (ingest.applied === 0 && ingest.messages > 0) {
    lines.push(
      "",
      "This day was already in the database; run with --reset (or another --date/--seed)",
      "to simulate afresh.",
    );
  }
  lines.push(
    "",
    "Next, on this database:",
    commandLine(`pnpm alerts list`, db),
    commandLine(`pnpm alerts backtest --from ${summary.date} --to ${summary.date}`, db),
    "",
    "See it in the dashboard (boards, odds charts, exacta heat map, alerts):",
    commandLine(`pnpm dashboard`, db),
    `  then open http://127.0.0.1:8080/?date=${summary.date}`,
    "Or watch a day play live: pnpm demo --live",
  );
  return lines.join("\n");
}

/** `pnpm demo [options]`: the user's arguments (without pnpm's leading "--"); resolves to the exit code. */
export async function main(argv: readonly string[], signal?: AbortSignal): Promise<number> {
  const program = new Command("demo")
    .description(
      "simulate a race day into the database with the alerts daemon running alongside, then summarize " +
        "(`totewatch demo --live`: a sample day played live in the dashboard instead)",
    )
    .option(
      "--db <url>",
      "database (file: URL or path, or a postgresql:// URL); default data/demo.db, recreated on every run so your own data/horses.db is never touched",
    )
    .option("--reset", "delete the --db database first")
    .option("--config <file>", "use this totewatch.yaml instead of the built-in defaults")
    .addOption(new Option("--tracks <n>", "tracks").default(2).argParser(wholeNumber("--tracks", { min: 1 })))
    .addOption(
      new Option("--races <n>", "races per track").default(8).argParser(wholeNumber("--races", { min: 1 })),
    )
    .addOption(new Option("--seed <n>", "simulation seed").default(1).argParser(wholeNumber("--seed")))
    .addOption(new Option("--date <YYYY-MM-DD>", "race date (default today, UTC)").argParser(calendarDate))
    .option("--quiet", "do not print each alert, only the summary")
    .action(async () => {
      const o = program.opts<{
        db?: string;
        reset?: boolean;
        config?: string;
        tracks: number;
        races: number;
        seed: number;
        date?: string;
        quiet?: boolean;
      }>();
      // Without --db the demo gets a scratch database of its own, fresh each run
      // (never DATABASE_URL: that may be the user's real data).
      const ownDatabase = o.db === undefined;
      await runDemo({
        // A typed --db is relative to the folder the user ran pnpm in.
        db:
          o.db === undefined
            ? path.join(path.dirname(DEFAULT_DATABASE_PATH), "demo.db")
            : absoluteDatabaseUrl(o.db, userCwd()),
        reset: ownDatabase || o.reset,
        configFile: o.config,
        tracks: o.tracks,
        races: o.races,
        seed: o.seed,
        date: o.date,
        showAlerts: !o.quiet,
        signal,
      });
    });
  return runProgram(program, argv, { name: "demo" });
}

runIfEntryPoint(import.meta.url, "demo", main);
