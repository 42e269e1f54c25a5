/**
 * The `ingest` command line: replay, simulate and poll, sharing one write
 * path. `main` returns the exit code instead of exiting, so tests can call it.
 */
import { pathToFileURL } from "node:url";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { ConfigError, createLogger, loadConfig, type Logger, type LoadedConfig } from "@totewatch/config";
import { resolveUserPath, userArguments } from "@totewatch/cli-kit";
import { createDb, migrateDatabase, type Db } from "@totewatch/db";
import { isCalendarDate } from "@totewatch/tote";
import { createPoller } from "./poll/poller.js";
import { silentProgress, type IngestSummary } from "@totewatch/feed";
import { runSimulation } from "@totewatch/simulator";
import { createProgress, printSummaryTable } from "./progress.js";
import { replayFiles } from "./replay.js";

interface CommonOptions {
  config?: string;
  /** URL string; `false` only for simulate --no-db. */
  db?: string | false;
  strict?: boolean;
  quiet?: boolean;
}

interface RunContext {
  config: LoadedConfig;
  logger: Logger;
  db: Db | null;
  signal: AbortSignal;
  options: CommonOptions;
}

function withCommonOptions(command: Command): Command {
  return command
    .option("--config <file>", "config file (default: TOTEWATCH_CONFIG, else ./totewatch.yaml)")
    .option("--db <url>", "database file or file: URL (overrides the config and DATABASE_URL)")
    .option("--strict", "exit with status 1 if any message is invalid")
    .option("--quiet", "no progress display; log warnings and errors only");
}

function positiveNumber(name: string, allowZero = false) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
      throw new InvalidArgumentError(`${name} must be a ${allowZero ? "non-negative" : "positive"} number`);
    }
    return value;
  };
}

function wholeNumber(name: string) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0)
      throw new InvalidArgumentError(`${name} must be a whole number`);
    return value;
  };
}

function calendarDate(text: string): string {
  if (!isCalendarDate(text)) throw new InvalidArgumentError("must be a real date, YYYY-MM-DD");
  return text;
}

/** `12` or `8-12`. */
export function parseRunners(text: string): number | [number, number] {
  const range = /^(\d+)-(\d+)$/.exec(text);
  if (range) return [Number(range[1]), Number(range[2])];
  if (/^\d+$/.test(text)) return Number(text);
  throw new InvalidArgumentError('must be a count ("12") or a range ("8-12")');
}

function today(): string {
  // en-CA formats as YYYY-MM-DD, in the machine's zone.
  return new Date().toLocaleDateString("en-CA");
}

/** Loads config, migrates and opens the database, wires signals, runs, prints the summary. */
async function runCommand(
  title: string,
  options: CommonOptions,
  work: (context: RunContext) => Promise<IngestSummary>,
  opts: { needsDb?: boolean } = {},
): Promise<number> {
  let config: LoadedConfig;
  try {
    config = loadConfig({ file: options.config });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const logger = createLogger({ name: "ingest", level: options.quiet ? "warn" : config.log.level });
  const url = typeof options.db === "string" ? options.db : config.database.url;
  let db: Db | null = null;
  if (opts.needsDb !== false) {
    // Idempotent: a fresh file gets the schema, an up-to-date one is left alone.
    migrateDatabase(url, { quiet: true });
    db = createDb({ url });
  }
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (name: NodeJS.Signals) => {
    signals++;
    if (signals > 1) process.exit(130);
    logger.info({ signal: name }, "stopping after the write in flight (again to force)");
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const summary = await work({ config, logger, db, signal: controller.signal, options });
    logger.info({ ...summary }, `${title} finished`);
    printSummaryTable(title, summary);
    if (options.strict && summary.invalid > 0) {
      logger.error({ invalid: summary.invalid }, "--strict: invalid messages were found");
      return 1;
    }
    return 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await db?.close();
  }
}

export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command("ingest")
    .description(
      "Record tote odds into the Totewatch database: replay files, simulate a day, or poll endpoints.",
    )
    .showHelpAfterError()
    .exitOverride();

  const progressFor = (label: string, context: RunContext) =>
    context.options.quiet ? silentProgress : createProgress({ label, logger: context.logger });

  withCommonOptions(
    program
      .command("replay")
      .description(
        "apply recorded feed files (.jsonl or a .json array; folders: every such file inside) in time order",
      )
      .argument("<inputs...>", "feed files or folders")
      .addOption(
        new Option("--speed <n>", "N times real time (sleeps between message times); 0 = as fast as possible")
          .argParser(positiveNumber("--speed", true))
          .default(0),
      ),
  ).action(async (inputs: string[], options: CommonOptions & { speed: number }) => {
    setExitCode(
      await runCommand("replay", options, (context) =>
        replayFiles(
          context.db!,
          inputs.map((input) => resolveUserPath(input)),
          {
            // Their configured zones read local "HH:MM" post times in the files.
            tracks: context.config.tracks,
            speed: options.speed,
            logger: context.logger,
            progress: progressFor("replay", context),
            signal: context.signal,
          },
        ),
      ),
    );
  });

  withCommonOptions(
    program
      .command("simulate")
      .description("generate a realistic race day and write it through the same path (and/or to a feed file)")
      .addOption(
        new Option("--date <date>", "race date, YYYY-MM-DD (default: today)").argParser(calendarDate),
      )
      .addOption(new Option("--tracks <n>", "number of tracks").argParser(wholeNumber("--tracks")).default(1))
      .addOption(new Option("--races <n>", "races per track").argParser(wholeNumber("--races")).default(10))
      .addOption(
        new Option("--runners <n|min-max>", "runners per race, e.g. 12 or 8-12").argParser(parseRunners),
      )
      .addOption(
        new Option("--seed <n>", "random seed: same seed, same day")
          .argParser(wholeNumber("--seed"))
          .default(1),
      )
      .option("--no-exacta", "win pools only")
      .addOption(
        new Option("--speed <n>", "N times real time; 0 = as fast as possible")
          .argParser(positiveNumber("--speed", true))
          .default(0),
      )
      .option("--out <file>", "also write the messages to this JSON Lines file"),
  )
    .option("--no-db", "do not write to a database (only --out)")
    .action(
      async (
        options: CommonOptions & {
          date?: string;
          tracks: number;
          races: number;
          runners?: number | [number, number];
          seed: number;
          exacta: boolean;
          speed: number;
          out?: string;
        },
      ) => {
        if (options.db === false && options.out === undefined) {
          process.stderr.write(
            "ingest simulate: --no-db needs --out <file> (otherwise nothing is written)\n",
          );
          setExitCode(2);
          return;
        }
        const out = options.out === undefined ? undefined : resolveUserPath(options.out);
        setExitCode(
          await runCommand(
            "simulate",
            options,
            async (context) => {
              const summary = await runSimulation({
                simulation: {
                  date: options.date ?? today(),
                  tracks: options.tracks,
                  racesPerTrack: options.races,
                  runners: options.runners,
                  seed: options.seed,
                  exacta: options.exacta,
                },
                db: context.db,
                out,
                speed: options.speed,
                logger: context.logger,
                progress: progressFor("simulate", context),
                signal: context.signal,
              });
              if (out) context.logger.info({ file: out, messages: summary.recorded }, "feed file written");
              return summary;
            },
            { needsDb: options.db !== false },
          ),
        );
      },
    );

  withCommonOptions(
    program
      .command("poll")
      .description(
        "poll the configured tracks' endpoints day after day, as a daemon, until SIGINT/SIGTERM " +
          "(with --date: only that day, exiting once its races are off)",
      )
      .addOption(
        new Option(
          "--date <date>",
          "poll only this race date, YYYY-MM-DD, and exit when it is done (default: today in each track's zone, then every next day)",
        ).argParser(calendarDate),
      )
      .option("--no-retention", "do not prune old data while polling"),
  ).action(async (options: CommonOptions & { date?: string; retention: boolean }) => {
    setExitCode(
      await runCommand("poll", options, (context) => {
        const poller = createPoller({
          config: context.config,
          db: context.db!,
          logger: context.logger,
          date: options.date,
          retention: options.retention,
          progress: progressFor("poll", context),
        });
        context.signal.addEventListener("abort", () => poller.stop(), { once: true });
        return poller.run();
      }),
    );
  });

  return program;
}

/** Runs the CLI with `argv` (node, script, ...args); resolves with the exit code. */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  let exitCode = 0;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    // argv is (node, script, ...args); drop the '--' pnpm passes through.
    await program.parseAsync([...argv.slice(0, 2), ...userArguments(argv.slice(2))]);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`ingest: ${(error as Error).message}\n`);
    return 1;
  }
  return exitCode;
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`ingest: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
