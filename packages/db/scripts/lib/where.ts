/**
 * How every db script starts, like the apps: a commander program with
 * `--config` and `--db`, run by cli-kit's runProgram (--help exits 0, a bad
 * option or config 2, a failure 1 with one line and no stack; a bad option is
 * commander's one line and "(--help for usage)", as the apps say it, never
 * the whole help), and the database @totewatch/config's loadConfig picks:
 * --db, else DATABASE_URL, else totewatch.yaml's database.url (--config,
 * TOTEWATCH_CONFIG or ./totewatch.yaml), else the default file. No script
 * reads the environment itself, and nothing printed holds a password
 * (messages name the file path; stderr, commander's errors included, goes
 * through redactUrl besides).
 */
import { EXIT, runProgram } from "@totewatch/cli-kit";
import { loadConfig, redactUrl, type LoadedConfig } from "@totewatch/config";
import type { Command } from "commander";
import { databasePathFromUrl, isPostgresUrl, redactDatabaseUrl } from "../../src/database-url.js";

export interface DatabaseOptions {
  config?: string;
  db?: string;
}

export interface ScriptSetup {
  config: LoadedConfig;
  /** The database's url, as createDb and migrateDatabase take it. */
  url: string;
  /** The database file (absolute), or the PostgreSQL url without its password: what messages show. */
  file: string;
  /** Whether the url names a PostgreSQL server. */
  postgres: boolean;
  /** Where that choice came from, in plain words. */
  source: string;
}

/** Adds the options every db script shares. */
export function withDatabaseOptions(command: Command): Command {
  return command
    .option("--config <file>", "totewatch.yaml to use (default: TOTEWATCH_CONFIG, else ./totewatch.yaml)")
    .option(
      "--db <url>",
      "the database: a SQLite file (a path or file: URL) or a postgresql:// URL (default: DATABASE_URL, else the config's database.url)",
    );
}

/** The loaded config and its database; a bad config throws ConfigError (runProgram: one line per problem, exit 2). */
export function scriptSetup(options: DatabaseOptions): ScriptSetup {
  // A --db or --config path is the user's: loadConfig makes it absolute against the folder they ran pnpm in.
  const config = loadConfig({ file: options.config, databaseUrl: options.db });
  const { url, urlFrom } = config.database;
  const source = {
    option: "from --db",
    DATABASE_URL: "from DATABASE_URL",
    "config file": `from database.url in ${config.source ?? "the config file"}`,
    default: "the default; set --db, DATABASE_URL or database.url in totewatch.yaml to use another file",
  }[urlFrom];
  const postgres = isPostgresUrl(url);
  return {
    config,
    url,
    file: postgres ? redactDatabaseUrl(url) : databasePathFromUrl(url),
    source,
    postgres,
  };
}

const redactedStderr = { write: (text: string) => process.stderr.write(redactUrl(text)) };

/**
 * Parses `args` for `program` and runs `action` with its options; resolves
 * with the exit code (the action's, or runProgram's for help, usage and errors).
 */
export async function runScript<T extends object>(
  program: Command,
  args: readonly string[],
  action: (options: T) => Promise<number> | number,
): Promise<number> {
  let code: number = EXIT.ok;
  program
    .showHelpAfterError("(--help for usage)")
    // Commander's own errors echo what was typed (`--dburl=postgres://user:password@...`).
    .configureOutput({ writeErr: (text) => redactedStderr.write(text) })
    .action(async () => {
      code = await action(program.opts<T>());
    });
  const parsed = await runProgram(program, args, { name: program.name(), stderr: redactedStderr });
  return parsed === EXIT.ok ? code : parsed;
}
