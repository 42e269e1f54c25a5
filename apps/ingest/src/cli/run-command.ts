/**
 * What every ingest command does around its work: the common options, the
 * config, a migrated database, the stop signal announced as a log line, the summary
 * (a "finished" log line, and a table on a terminal) and the exit code.
 * Invariant: the database is closed and the stop listener removed however
 * the work ends; a bad config exits 2 before anything is opened, and so does a
 * ConfigError the work finds before it starts (poll importing a module endpoint).
 * --strict fails on invalid messages, on feed files without messages (replay), and
 * on fields a page adapter could not read (poll's `unreadable`).
 */
import type { Command } from "commander";
import { EXIT } from "@totewatch/cli-kit";
import { ConfigError, createLogger, loadConfig, type LoadedConfig, type Logger } from "@totewatch/config";
import { checkSelectors } from "../adapters/selectors.js";
import { createDb, migrateDatabase, type Db } from "@totewatch/db";
import { silentProgress, type IngestSummary, type ProgressSink } from "@totewatch/feed";
import { ingestProgress, printIngestSummary } from "./progress.js";

export interface CommonOptions {
  config?: string;
  /** URL string; `false` only for simulate --no-db. */
  db?: string | false;
  strict?: boolean;
  quiet?: boolean;
}

export interface RunContext {
  config: LoadedConfig;
  logger: Logger;
  /** Null only when the command runs without a database (simulate --no-db). */
  db: Db | null;
  /** Aborted by the first SIGINT/SIGTERM: stop after the write in flight. */
  signal: AbortSignal;
  /** The run's progress display; silent with --quiet. */
  progress: ProgressSink;
}

export function withCommonOptions(command: Command): Command {
  return command
    .option("--config <file>", "config file (default: TOTEWATCH_CONFIG, else ./totewatch.yaml)")
    .option(
      "--db <url>",
      "database: a SQLite file (path or file: URL) or a postgresql:// URL (overrides the config and DATABASE_URL)",
    )
    .option(
      "--strict",
      "exit with status 1 if any message is invalid (replay: or any file holds no messages; " +
        "poll: or a page adapter could not read a field)",
    )
    .option("--quiet", "no progress display; log warnings and errors only");
}

/** A command's counts; poll adds the fields its page adapters could not read (poller.ts). */
export type CommandSummary = IngestSummary & { unreadable?: number };

/** Loads config, migrates and opens the database, runs `work` until `signal` stops it, reports; resolves with the exit code. */
export async function runCommand(
  title: string,
  options: CommonOptions,
  signal: AbortSignal,
  work: (context: RunContext) => Promise<CommandSummary>,
  opts: { needsDb?: boolean } = {},
): Promise<number> {
  let config: LoadedConfig;
  try {
    // A --db path is the user's: loadConfig makes it absolute against the folder they ran the command in.
    // Every html selector compiled now: a bad one is a config error naming its path.
    config = checkSelectors(
      loadConfig({
        file: options.config,
        databaseUrl: typeof options.db === "string" ? options.db : undefined,
      }),
    );
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  const logger = createLogger({ name: "ingest", level: options.quiet ? "warn" : config.log.level });
  const url = config.database.url;
  let db: Db | null = null;
  if (opts.needsDb !== false) {
    // Idempotent: a fresh file gets the schema, an up-to-date one is left alone.
    await migrateDatabase(url, { quiet: true });
    db = createDb({ url });
  }
  // Announced as a log line: stdout stays JSON lines and stderr stays empty when piped.
  const announce = () => logger.info("stopping after the write in flight (again to force)");
  signal.addEventListener("abort", announce, { once: true });
  try {
    const progress = options.quiet ? silentProgress : ingestProgress(title, logger);
    let summary: CommandSummary;
    try {
      summary = await work({ config, logger, db, signal, progress });
    } catch (error) {
      // Found by the work before it did anything (a module endpoint that cannot be imported).
      if (!(error instanceof ConfigError)) throw error;
      process.stderr.write(`${error.message}\n`);
      return EXIT.usage;
    }
    logger.info({ ...summary }, `${title} finished`);
    printIngestSummary(title, summary);
    if (options.strict && summary.invalid > 0) {
      logger.error({ invalid: summary.invalid }, "--strict: invalid messages were found");
      return EXIT.failed;
    }
    if (options.strict && (summary.unreadable ?? 0) > 0) {
      logger.error(
        { unreadable: summary.unreadable },
        "--strict: page fields that could not be read were found",
      );
      return EXIT.failed;
    }
    if (options.strict && (summary.emptyFiles ?? 0) > 0) {
      logger.error({ emptyFiles: summary.emptyFiles }, "--strict: feed files without messages were found");
      return EXIT.failed;
    }
    return EXIT.ok;
  } finally {
    signal.removeEventListener("abort", announce);
    await db?.close();
  }
}
