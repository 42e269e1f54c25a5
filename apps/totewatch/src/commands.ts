/**
 * What each `totewatch` command runs: a workspace package's own script, as
 * `pnpm --filter <package> <script>` would, but without pnpm in between. Apps
 * never import another app, so every command is a child process.
 *
 * A script of the form `tsx <file> [plain words]` (every app CLI and db script
 * today) becomes `node --import tsx <package>/<file> [words] <user args>`,
 * started in the user's folder (the scripts resolve the user's paths against
 * it, and their own files against themselves). Any other script text is run by
 * pnpm itself (`pnpm --silent --dir <package> run <script>`), which records the
 * user's folder in INIT_CWD as usual. The scripts are read when a command runs,
 * so a package that changes one changes what `totewatch` runs.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { NODE_PROCESS_FLAGS, nodeProcessEnv } from "@totewatch/cli-kit";

/** The repository root: this file is apps/totewatch/src/commands.ts. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** A workspace package's script. */
export interface ScriptRef {
  /** Folder of the package, relative to the repository root. */
  packageDir: string;
  script: string;
}

export interface Command {
  name: string;
  /** Its arguments, for the help's left column. */
  usage: string;
  summary: string;
}

/** The top-level commands, in help order; `db` has subcommands (DB_COMMANDS). */
export const COMMANDS: readonly (Command & { runs?: ScriptRef })[] = [
  {
    name: "demo",
    usage: "[options]",
    summary: "the whole loop on a simulated race day (data/demo.db); --live: watch it live",
    runs: { packageDir: "apps/alerts", script: "demo" },
  },
  {
    name: "ingest",
    usage: "<command>",
    summary: "record tote odds: replay files, simulate a day, poll endpoints, serve-sample",
    runs: { packageDir: "apps/ingest", script: "ingest" },
  },
  {
    name: "alerts",
    usage: "<command>",
    summary: "raise and deliver alerts: run (the daemon), backtest, list, report",
    runs: { packageDir: "apps/alerts", script: "alerts" },
  },
  {
    name: "dashboard",
    usage: "[options]",
    summary: "the web dashboard on 127.0.0.1:8080: boards, odds charts, exacta map, alerts",
    runs: { packageDir: "apps/dashboard", script: "dashboard" },
  },
  { name: "db", usage: "<command>", summary: "the database: migrate, status, reset, prune, vacuum, seed" },
  { name: "help", usage: "[command]", summary: "this help, or a command's own (same as <command> --help)" },
];

/** `totewatch db <name>` runs packages/db's script `script`. */
export const DB_COMMANDS: readonly (Command & { runs: ScriptRef })[] = [
  {
    name: "migrate",
    usage: "[options]",
    summary: "apply pending migrations, creating the database if missing",
    runs: { packageDir: "packages/db", script: "db:migrate" },
  },
  {
    name: "status",
    usage: "[options]",
    summary: "which database, which migrations are applied or pending",
    runs: { packageDir: "packages/db", script: "db:status" },
  },
  {
    name: "reset",
    usage: "[options]",
    summary: "delete the database and migrate from nothing",
    runs: { packageDir: "packages/db", script: "db:reset" },
  },
  {
    name: "prune",
    usage: "[options]",
    summary: "delete odds, exacta rows and alerts older than the retention settings",
    runs: { packageDir: "packages/db", script: "db:prune" },
  },
  {
    name: "vacuum",
    usage: "[options]",
    summary: "give the free space inside the database file back to the disk",
    runs: { packageDir: "packages/db", script: "db:vacuum" },
  },
  {
    name: "seed",
    usage: "[options]",
    summary: "write re-runnable sample data",
    runs: { packageDir: "packages/db", script: "seed" },
  },
];

/** A child process to start: the program, its arguments, and where. */
export interface Launch {
  command: string;
  args: string[];
  /** Undefined: the dispatcher's own folder (the user's). */
  cwd?: string;
  /** Undefined: this process's environment. */
  env?: NodeJS.ProcessEnv;
}

/** A script whose text is `tsx <file>` and plain words only: run it with node directly. */
const TSX_SCRIPT = /^tsx\s+([\w./-]+\.[cm]?[jt]s)((?:\s+[\w@%+=:,./-]+)*)\s*$/;

/** tsx's ESM loader, resolved from here so a command works from any folder. */
export function tsxLoaderUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
}

/** How to run `ref` with the user's `args`; throws Error when the package has no such script. */
export function launchOf(ref: ScriptRef, args: readonly string[], root = REPO_ROOT): Launch {
  const dir = path.join(root, ref.packageDir);
  const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
    scripts?: Record<string, string>;
  };
  const text = manifest.scripts?.[ref.script];
  if (typeof text !== "string") throw new Error(`${ref.packageDir} has no script "${ref.script}"`);
  const tsx = TSX_SCRIPT.exec(text.trim());
  if (tsx) {
    const words = tsx[2]!.trim() === "" ? [] : tsx[2]!.trim().split(/\s+/);
    return {
      command: process.execPath,
      // A command's node runs with Totewatch's memory settings (which and why: config's node-process.ts).
      args: [...NODE_PROCESS_FLAGS, "--import", tsxLoaderUrl(), path.join(dir, tsx[1]!), ...words, ...args],
      env: nodeProcessEnv(),
    };
  }
  return { command: "pnpm", args: ["--silent", "--dir", dir, "run", ref.script, ...args] };
}
