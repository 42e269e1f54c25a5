/**
 * `totewatch`: the one command. `totewatch <command> ...` runs that command's
 * own command line (commands.ts) as a child process with the rest of the
 * arguments, and exits with its exit code; `--help`, `--version` and `help`
 * are answered here, and `demo --live` runs several commands at once here
 * (live-run.ts) as children still. Exit codes are cli-kit's EXIT everywhere: 0 done, 1
 * failed, 2 bad option or configuration, 130 stopped at once by a second Ctrl-C.
 */
import { readFileSync } from "node:fs";
import { EXIT, resolveUserPath, userArguments } from "@totewatch/cli-kit";
import { COMMANDS, DB_COMMANDS, launchOf, type Command, type Launch, type ScriptRef } from "./commands.js";
import { runChild } from "./launch.js";
import { LiveDemoUsageError, liveDemoHelp, parseLiveDemoArgs } from "./live-demo.js";
import { runLiveDemo } from "./live-run.js";

export interface CliIo {
  stdout?: Pick<NodeJS.WritableStream, "write">;
  stderr?: Pick<NodeJS.WritableStream, "write">;
  /** Runs a child command and resolves with its exit code; default runChild. */
  run?: (launch: Launch) => Promise<number>;
  /** The user's folder (paths they type resolve against it); default cli-kit's (INIT_CWD, else cwd). */
  cwd?: string;
}

const HELP_FLAGS = new Set(["-h", "--help"]);
const VERSION_FLAGS = new Set(["-V", "--version"]);

/** Runs `totewatch` with the user's arguments; resolves with the exit code (never exits the process). */
export async function main(argv: readonly string[], io: CliIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const run = io.run ?? runChild;
  const usageError = (message: string) => {
    stderr.write(`${message}\n`);
    return EXIT.usage;
  };
  const runScript = async (name: string, ref: ScriptRef, args: readonly string[]) => {
    let launch: Launch;
    try {
      launch = launchOf(ref, args);
    } catch (error) {
      stderr.write(`totewatch: cannot run ${name}: ${(error as Error).message}\n`);
      return EXIT.failed;
    }
    try {
      return await run(launch);
    } catch (error) {
      stderr.write(`totewatch: cannot start ${name}: ${(error as Error).message}\n`);
      return EXIT.failed;
    }
  };

  const args = userArguments(argv);
  const [first, ...rest] = args;
  if (first === undefined || HELP_FLAGS.has(first)) {
    stdout.write(mainHelp());
    return EXIT.ok;
  }
  if (VERSION_FLAGS.has(first)) {
    stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  if (first.startsWith("-")) {
    return usageError(`totewatch: unknown option '${first}' (totewatch --help lists the commands)`);
  }
  // `totewatch help <command> [sub]` is `totewatch <command> [sub] --help`.
  const [name, commandArgs] = first === "help" ? [rest[0], [...rest.slice(1), "--help"]] : [first, rest];
  if (name === undefined) {
    stdout.write(mainHelp());
    return EXIT.ok;
  }
  if (name === "db") {
    const [sub, ...subArgs] = commandArgs;
    if (sub === undefined || HELP_FLAGS.has(sub) || sub === "help") {
      stdout.write(dbHelp());
      return EXIT.ok;
    }
    const command = DB_COMMANDS.find((c) => c.name === sub);
    if (!command) {
      return usageError(
        `totewatch db: unknown command '${sub}' (one of: ${DB_COMMANDS.map((c) => c.name).join(", ")})`,
      );
    }
    return runScript(`db ${sub}`, command.runs, subArgs);
  }
  // `demo --live` is this app's own: several commands at once (live-run.ts), not one child.
  if (name === "demo" && commandArgs.includes("--live")) {
    let options;
    try {
      options = parseLiveDemoArgs(commandArgs, io.cwd ?? resolveUserPath("."));
    } catch (error) {
      if (!(error instanceof LiveDemoUsageError)) throw error;
      return usageError(
        `totewatch demo --live: ${error.message} (totewatch demo --live --help lists the options)`,
      );
    }
    if (options.help) {
      stdout.write(liveDemoHelp());
      return EXIT.ok;
    }
    return runLiveDemo(options, { stdout, stderr, cwd: io.cwd ?? resolveUserPath(".") });
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command?.runs) {
    return usageError(`totewatch: unknown command '${name}' (totewatch --help lists the commands)`);
  }
  return runScript(name, command.runs, commandArgs);
}

/** The version in this app's package.json. */
export function version(): string {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return manifest.version;
}

type Row = readonly [left: string, right: string];

/** Two columns, the left one as wide as the widest entry of `rows` and `alignWith`. */
function columns(rows: readonly Row[], alignWith: readonly Row[] = []): string[] {
  const width = Math.max(...[...rows, ...alignWith].map(([left]) => left.length)) + 2;
  return rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`);
}

const commandRow = (c: Command) => [`${c.name} ${c.usage}`, c.summary] as const;

export function mainHelp(): string {
  return [
    "Usage: totewatch <command> [options]",
    "",
    "Records a race day's tote odds and tells you when something worth acting on happens.",
    "",
    "Commands:",
    ...columns(COMMANDS.map(commandRow)),
    "",
    "Options:",
    ...columns(
      [
        ["-h, --help", "this help"],
        ["-V, --version", "the version"],
      ],
      COMMANDS.map(commandRow),
    ),
    "",
    "Exit codes, the same for every command:",
    "  0    done",
    "  1    the work failed (or --strict found invalid messages)",
    "  2    a bad option or configuration: nothing was done",
    "  130  stopped at once by a second Ctrl-C (the first lets the step in flight finish)",
    "",
    "`totewatch <command> --help` says more. In the repository: pnpm totewatch <command> ...",
    "",
  ].join("\n");
}

export function dbHelp(): string {
  return [
    "Usage: totewatch db <command> [options]",
    "",
    "The database every command uses: --db, else DATABASE_URL, else totewatch.yaml's database.url,",
    "else data/horses.db.",
    "",
    "Commands:",
    ...columns(DB_COMMANDS.map(commandRow)),
    "",
    "`totewatch db <command> --help` says more.",
    "",
  ].join("\n");
}
