#!/usr/bin/env -S npx tsx
/**
 * `alerts` CLI: run (the daemon), backtest, list, report late-changes. Every command migrates the
 * database first, so it works on a new file and after an upgrade.
 */
import { Command, Option } from "commander";
import { createLogger, loadConfig, type LoadedConfig, type Logger } from "@totewatch/config";
import { calendarDate, positiveNumber, runIfEntryPoint, runProgram, wholeNumber } from "@totewatch/cli-kit";
import { createDb, listAlerts, migrateDatabase, type Db } from "@totewatch/db";
import { isCalendarDate, resolvePostTime } from "@totewatch/tote";
import { formatLateChangeReport, lateChangeReport } from "./backtest/late-changes.js";
import { runBacktest, type InstantWindow, type RaceDateWindow } from "./backtest/backtest.js";
import { createChannels } from "./delivery/index.js";
import { runDaemon } from "./engine/daemon.js";
import { alertListTable, backtestReport, terminalWidth } from "./engine/report.js";

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Environment for the config (tests pass their own); default: @totewatch/config reads process.env. */
  env?: NodeJS.ProcessEnv;
  /** Stops `run` (the CLI wires SIGINT/SIGTERM to it). */
  signal?: AbortSignal;
}

interface CommonOptions {
  config?: string;
  db?: string;
}

/** One end of a backtest window as written: a race date, or an instant. */
export type RangeBound = { kind: "raceDate"; date: string } | { kind: "instant"; at: Date };

/**
 * `--from` / `--to`: a date (YYYY-MM-DD), meaning races dated that day on their own track's
 * calendar, or an ISO-8601 instant with an offset.
 */
export function parseRangeBound(text: string, bound: "from" | "to"): RangeBound {
  const value = text.trim();
  if (isCalendarDate(value)) return { kind: "raceDate", date: value };
  try {
    // Only a full instant: a bare "13:00" would silently mean 1970.
    if (!value.includes("T")) throw new RangeError("neither a date nor a date-time");
    return { kind: "instant", at: resolvePostTime(value, "1970-01-01", "UTC") };
  } catch (error) {
    throw new RangeError(
      `--${bound} ${JSON.stringify(text)}: expected YYYY-MM-DD or an ISO-8601 instant with an offset ` +
        `(e.g. 2025-06-01T13:00:00Z): ${(error as Error).message}`,
    );
  }
}

/**
 * The backtest window of `--from` and `--to`: both dates (races dated from..to, each on its
 * track's calendar, so one date covers a whole race day across zones) or both instants.
 */
export function backtestWindow(fromText: string, toText: string): InstantWindow | RaceDateWindow {
  const from = parseRangeBound(fromText, "from");
  const to = parseRangeBound(toText, "to");
  if (from.kind === "raceDate" && to.kind === "raceDate") {
    if (from.date > to.date) throw new RangeError(`--from (${from.date}) is after --to (${to.date})`);
    return { raceDates: { from: from.date, to: to.date } };
  }
  if (from.kind === "instant" && to.kind === "instant") {
    if (from.at.getTime() > to.at.getTime()) {
      throw new RangeError(`--from (${from.at.toISOString()}) is after --to (${to.at.toISOString()})`);
    }
    return { from: from.at, to: to.at };
  }
  throw new RangeError(
    `--from ${JSON.stringify(fromText)} and --to ${JSON.stringify(toText)}: give two dates (race dates) ` +
      "or two instants, not one of each",
  );
}

/** "races dated 2025-06-01 .. 2025-06-01" or "2025-06-01T11:00:00.000Z .. 2025-06-01T12:00:00.000Z". */
function windowLabel(window: InstantWindow | RaceDateWindow): string {
  return "raceDates" in window
    ? `races dated ${window.raceDates.from} .. ${window.raceDates.to} (each on its track's calendar)`
    : `${window.from.toISOString()} .. ${window.to.toISOString()}`;
}

interface Opened {
  config: LoadedConfig;
  logger: Logger;
  db: Db;
}

async function open(
  options: CommonOptions,
  io: CliIo,
  opts: { logToStderr?: boolean } = {},
): Promise<Opened> {
  // A --db path is the user's: loadConfig makes it absolute against the folder they ran the command in.
  const config = loadConfig({ file: options.config, databaseUrl: options.db, env: io.env });
  const logger = createLogger({
    name: "alerts",
    level: config.log.level,
    // Commands that print a table keep stdout for it.
    ...(opts.logToStderr ? { stream: io.stderr } : {}),
  });
  await migrateDatabase(config.database.url, { quiet: true });
  return { config, logger, db: createDb({ url: config.database.url }) };
}

export function buildProgram(io: CliIo): Command {
  const program = new Command("alerts")
    .description("Totewatch alerts: evaluate tote snapshots against the rules, store and deliver alerts")
    .showHelpAfterError("(--help for usage)")
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride();

  const common = (command: Command) =>
    command
      .option("--config <file>", "totewatch.yaml to use (default: TOTEWATCH_CONFIG, else ./totewatch.yaml)")
      .option(
        "--db <url>",
        "database: a SQLite file (path or file: URL) or a postgresql:// URL (default: the config's database.url)",
      );

  common(
    program
      .command("run")
      .description(
        "the daemon: evaluate new snapshots after the stored high-water mark, store alerts, deliver them; " +
          "runs beside `ingest poll` on the same database",
      )
      .option("--once", "process everything pending (evaluation and delivery of what is due) and exit")
      .option("--dry-run", "send nothing: channels only log what they would send"),
  ).action(async (options: CommonOptions & { once?: boolean; dryRun?: boolean }) => {
    const { config, logger, db } = await open(options, io);
    try {
      const channels = createChannels(config.alerts.channels, {
        dryRun: options.dryRun ?? false,
        stdout: io.stdout,
        logger,
      });
      logger.info(
        {
          db: db.path,
          channels: channels.map((channel) => channel.name),
          once: options.once ?? false,
          dryRun: options.dryRun ?? false,
        },
        "alerts daemon starting",
      );
      const summary = await runDaemon(db, {
        config,
        logger,
        channels,
        once: options.once,
        signal: io.signal,
      });
      logger.info(summary, "alerts daemon stopped");
    } finally {
      await db.close();
    }
  });

  common(
    program
      .command("backtest")
      .description(
        "evaluate the rules over stored history; stores and sends nothing; prints what would have fired",
      )
      .requiredOption(
        "--from <when>",
        "start: YYYY-MM-DD (races dated from that day, on each track's own calendar) " +
          "or an ISO-8601 instant with an offset",
      )
      .requiredOption(
        "--to <when>",
        "end: YYYY-MM-DD (races dated up to that day, inclusive) or an ISO-8601 instant with an offset",
      )
      .option("--track <name>", "only this track")
      .addOption(
        new Option("--top <n>", "strongest alerts shown per rule")
          .default(5)
          .argParser(wholeNumber("--top", { min: 1 })),
      ),
  ).action(async (options: CommonOptions & { from: string; to: string; track?: string; top: number }) => {
    // Bad dates fail before the database is touched.
    const window = backtestWindow(options.from, options.to);
    const { config, db } = await open(options, io, { logToStderr: true });
    try {
      const result = await runBacktest(db, config, { ...window, track: options.track });
      io.stdout.write(`Backtest ${windowLabel(window)}${options.track ? ` at ${options.track}` : ""}\n`);
      // At a terminal, fitted to its width; on a pipe or into a file, the wide tables as ever.
      io.stdout.write(`${backtestReport(result, { top: options.top, width: terminalWidth(io.stdout) })}\n`);
    } finally {
      await db.close();
    }
  });

  common(
    program
      .command("list")
      .description("recent alerts, newest first")
      .option("--unsent", "only alerts not yet delivered on every channel")
      .addOption(
        new Option("--limit <n>", "how many").default(20).argParser(wholeNumber("--limit", { min: 1 })),
      ),
  ).action(async (options: CommonOptions & { unsent?: boolean; limit: number }) => {
    const { db } = await open(options, io, { logToStderr: true });
    try {
      const alerts = await listAlerts(db, { unsentOnly: options.unsent ?? false, limit: options.limit });
      io.stdout.write(`${alertListTable(alerts, { width: terminalWidth(io.stdout) })}\n`);
    } finally {
      await db.close();
    }
  });

  const report = program.command("report").description("reports over stored history; store and send nothing");
  common(
    report
      .command("late-changes")
      .description(
        "per race that went off: runners whose final odds moved from the last board before the off, " +
          "by how much, and how much money merged into the win pool after the gates opened",
      )
      .requiredOption(
        "--from <date>",
        "first race date, YYYY-MM-DD (each track's own calendar)",
        calendarDate,
      )
      .requiredOption("--to <date>", "last race date, YYYY-MM-DD (inclusive)", calendarDate)
      .option("--track <name>", "only this track")
      .addOption(
        new Option(
          "--min-percent <n>",
          "list moves at least this big, in percent of decimal odds (default: the track's lateChange.minPercent)",
        ).argParser(positiveNumber("--min-percent", { allowZero: true })),
      ),
  ).action(
    async (options: CommonOptions & { from: string; to: string; track?: string; minPercent?: number }) => {
      if (options.from > options.to)
        throw new RangeError(`--from (${options.from}) is after --to (${options.to})`);
      const { config, db } = await open(options, io, { logToStderr: true });
      try {
        const result = await lateChangeReport(db, config, options);
        io.stdout.write(`Late odds changes, races dated ${options.from} .. ${options.to}\n\n`);
        io.stdout.write(`${formatLateChangeReport(result)}\n`);
      } finally {
        await db.close();
      }
    },
  );

  return program;
}

/** Runs the CLI on the user's arguments (without pnpm's leading "--"); resolves to the exit code. */
export async function main(argv: readonly string[], io?: Partial<CliIo>): Promise<number> {
  const fullIo: CliIo = { stdout: process.stdout, stderr: process.stderr, ...io };
  return runProgram(buildProgram(fullIo), argv, { name: "alerts", stderr: fullIo.stderr });
}

runIfEntryPoint(import.meta.url, "alerts", (args, signal) => main(args, { signal }));
