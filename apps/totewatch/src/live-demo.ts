/**
 * `totewatch demo --live`, the plan: its options, its help, its files and the
 * command line of each part it runs (live-run.ts runs them). Pure apart from
 * reading package.json scripts through launchOf.
 *
 * Invariants:
 * - Every part is a `totewatch` command run through launchOf (commands.ts), so
 *   this app still imports no app: the parts are the apps' own command lines.
 * - Its three files live in one folder (--data-dir, default the repository's
 *   data/) under fixed names, and every part gets absolute paths to them, so
 *   the parts agree whatever folder each starts in.
 * - A bad option is one line and exit 2 before anything starts or is written.
 */
import path from "node:path";
import { COMMANDS, DB_COMMANDS, launchOf, REPO_ROOT, type Launch, type ScriptRef } from "./commands.js";

export interface LiveDemoOptions {
  help: boolean;
  /** N times real time (> 0). */
  speed: number;
  tracks: number;
  races: number;
  /** Minutes from the start to the first race's post (> 0). */
  firstPost: number;
  /** The dashboard's port on 127.0.0.1; 0: any free port. */
  port: number;
  /** Absolute folder of the demo's files. */
  dataDir: string;
}

/** A refused option: the message is the whole line the user sees. */
export class LiveDemoUsageError extends Error {}

/**
 * serve-sample's own limits (apps/ingest's MAX_SAMPLE_TRACKS: the simulator's 16 built-in
 * tracks; MAX_SAMPLE_RACES: 30). Checked here too so a bad value is refused in one line before
 * the database is reset; serve-sample still checks them, so a change there cannot slip through.
 */
const MAX_TRACKS = 16;
const MAX_RACES = 30;

interface NumberOption {
  key: "speed" | "tracks" | "races" | "firstPost" | "port";
  parse: (text: string) => number | undefined;
  rule: string;
}

const positive = (text: string) => {
  const value = Number(text);
  return text.trim() !== "" && Number.isFinite(value) && value > 0 ? value : undefined;
};
const whole = (min: number, max: number) => (text: string) => {
  const value = Number(text);
  return /^\d+$/.test(text.trim()) && value >= min && value <= max ? value : undefined;
};

const NUMBER_OPTIONS: Readonly<Record<string, NumberOption>> = {
  "--speed": { key: "speed", parse: positive, rule: "a positive number" },
  "--tracks": { key: "tracks", parse: whole(1, MAX_TRACKS), rule: `a whole number from 1 to ${MAX_TRACKS}` },
  "--races": { key: "races", parse: whole(1, MAX_RACES), rule: `a whole number from 1 to ${MAX_RACES}` },
  "--first-post": { key: "firstPost", parse: positive, rule: "a positive number of minutes" },
  "--port": { key: "port", parse: whole(0, 65_535), rule: "a whole number from 0 to 65535" },
};

export const LIVE_DEMO_DEFAULTS = { speed: 30, tracks: 2, races: 6, firstPost: 2, port: 8080 } as const;

/**
 * `demo` arguments containing `--live`, parsed; `cwd` resolves --data-dir (the user's folder).
 * Throws LiveDemoUsageError for anything it does not know or cannot use.
 */
export function parseLiveDemoArgs(args: readonly string[], cwd: string): LiveDemoOptions {
  const options: LiveDemoOptions = {
    help: false,
    ...LIVE_DEMO_DEFAULTS,
    dataDir: path.join(REPO_ROOT, "data"),
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--live") continue;
    if (arg === "-h" || arg === "--help") {
      options.help = true;
      continue;
    }
    // `--name value` and `--name=value`, as commander takes them in the other commands.
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const known = NUMBER_OPTIONS[name] !== undefined || name === "--data-dir";
    if (!known) {
      throw new LiveDemoUsageError(
        arg.startsWith("-") ? `unknown option '${arg}'` : `unexpected argument '${arg}'`,
      );
    }
    const value = eq > 0 && name !== arg ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) throw new LiveDemoUsageError(`option '${name}' needs a value`);
    if (name === "--data-dir") {
      if (value.trim() === "") throw new LiveDemoUsageError("--data-dir must name a folder");
      options.dataDir = path.resolve(cwd, value);
      continue;
    }
    const spec = NUMBER_OPTIONS[name]!;
    const parsed = spec.parse(value);
    if (parsed === undefined) throw new LiveDemoUsageError(`${name} must be ${spec.rule}, got '${value}'`);
    options[spec.key] = parsed;
  }
  return options;
}

export interface LiveDemoFiles {
  /** The database every part uses, emptied at each start. */
  db: string;
  /** The config serve-sample writes (it polls the sample tote). */
  toteConfig: string;
  /** The one the other parts read: toteConfig plus quieter logs. */
  config: string;
}

export function liveDemoFiles(dataDir: string): LiveDemoFiles {
  return {
    db: path.join(dataDir, "live-demo.db"),
    toteConfig: path.join(dataDir, "live-demo-tote.yaml"),
    config: path.join(dataDir, "live-demo.yaml"),
  };
}

/** One long-running part: what the user is told it is, and how to start it. */
export interface LivePart {
  /** "the sample tote": names it in messages. */
  name: string;
  /** The command it is, as the user would type it ("ingest poll"). */
  command: string;
  launch: Launch;
  /**
   * Its stdout is dropped: serve-sample's carries only info lines, one of which tells the user
   * to start a poller in another terminal, which here is already running (errors go to stderr).
   */
  hideStdout?: boolean;
}

export interface LiveDemoPlan {
  /** `db reset --db <file>`: run to the end before anything else starts. */
  reset: Launch;
  /** Started first: the others need the config it writes. */
  tote: LivePart;
  /** Started together once that config is written: poll, the alerts daemon, the dashboard. */
  watchers: LivePart[];
}

function commandRef(name: string): ScriptRef {
  const ref = COMMANDS.find((c) => c.name === name)?.runs;
  if (!ref) throw new Error(`no command ${name}`);
  return ref;
}

/** The command line of every part; throws Error when a package lacks its script (launchOf). */
export function liveDemoPlan(options: LiveDemoOptions, root = REPO_ROOT): LiveDemoPlan {
  const files = liveDemoFiles(options.dataDir);
  const reset = DB_COMMANDS.find((c) => c.name === "reset")!.runs;
  const part = (name: string, command: string, args: string[], hideStdout?: true): LivePart => {
    const [app, ...rest] = command.split(" ");
    return { name, command, launch: launchOf(commandRef(app!), [...rest, ...args], root), hideStdout };
  };
  const shared = ["--config", files.config, "--db", files.db];
  return {
    reset: launchOf(reset, ["--db", files.db], root),
    tote: part(
      "the sample tote",
      "ingest serve-sample",
      [
        ...["--port", "0", "--speed", String(options.speed)],
        ...["--tracks", String(options.tracks), "--races", String(options.races)],
        ...["--first-post", String(options.firstPost), "--quiet", "--write-config", files.toteConfig],
      ],
      true,
    ),
    watchers: [
      part("the poller", "ingest poll", shared),
      part("the alerts daemon", "alerts run", shared),
      part("the dashboard", "dashboard", [...shared, "--port", String(options.port)]),
    ],
  };
}

/** The first line of every file serve-sample writes (apps/ingest SAMPLE_CONFIG_HEADER). */
export const TOTE_CONFIG_HEADER = "# Written by `totewatch ingest serve-sample`";
/** The first line of the config this command writes: only such a file is ever overwritten. */
export const LIVE_CONFIG_HEADER = "# Written by `totewatch demo --live`";

/**
 * The config poll, the alerts daemon and the dashboard read: the sample tote's, its database
 * pointed at the demo's, plus `log.level: warn` so info lines do not bury what the demo is for
 * (the alerts daemon's console channel prints each alert whatever the level).
 */
export function liveConfigYaml(toteYaml: string): string {
  if (/^log:/m.test(toteYaml)) throw new Error("the sample tote's config already has a log: section");
  const body = toteYaml
    // Its header comments speak of that file (and how to poll it by hand): not of this one.
    .replace(/^(#.*\n)+/, "")
    // serve-sample names its own database; the demo's is the one beside this file.
    .replace(/^( {2}url: )file:\.\/sample\.db\b.*$/m, "$1file:./live-demo.db # beside this file")
    .replace(/\n*$/, "\n");
  return (
    `${LIVE_CONFIG_HEADER}: live-demo-tote.yaml, which the sample tote wrote, plus quieter\n` +
    "# logs, for the poller, the alerts daemon and the dashboard (rewritten by every run).\n" +
    body +
    "log:\n  level: warn # poll and the alerts daemon print warnings only; alerts still print\n"
  );
}

/** `file` relative to `cwd` when inside it (what the user would type), else absolute. */
export function shownPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

export function liveDemoHelp(): string {
  return [
    "Usage: totewatch demo --live [options]",
    "",
    "A race day to watch as it happens: a sample tote on 127.0.0.1 whose odds move with the clock,",
    "the poller recording it, the alerts daemon printing each alert here, and the web dashboard,",
    "all at once until Ctrl-C. Its files: live-demo.db (emptied at each start), live-demo-tote.yaml",
    "and live-demo.yaml, in the repository's data/ folder unless --data-dir.",
    "",
    "Options:",
    `  --speed <n>             N times real time (default ${LIVE_DEMO_DEFAULTS.speed})`,
    `  --tracks <n>            tracks, 1 to ${MAX_TRACKS} (default ${LIVE_DEMO_DEFAULTS.tracks})`,
    `  --races <n>             races per track, 1 to ${MAX_RACES} (default ${LIVE_DEMO_DEFAULTS.races})`,
    `  --first-post <minutes>  minutes to the first race's post (default ${LIVE_DEMO_DEFAULTS.firstPost})`,
    `  --port <n>              the dashboard's port on 127.0.0.1 (default ${LIVE_DEMO_DEFAULTS.port}; 0: any free one)`,
    "  --data-dir <folder>     where its files go (default: data/ in the repository)",
    "  -h, --help              this help",
    "",
    "Exit codes: 0 stopped by Ctrl-C, 2 a bad option, else the code of the part that failed",
    "(130: a second Ctrl-C, more than a second after the first, stops everything at once).",
    "Without --live, `totewatch demo` runs the whole loop at full speed and prints a summary.",
    "",
  ].join("\n");
}

/** What the user reads first: what runs, where to look, how to stop. */
export function liveDemoIntro(options: LiveDemoOptions, cwd: string): string {
  const files = liveDemoFiles(options.dataDir);
  const day =
    `${options.tracks} track${options.tracks === 1 ? "" : "s"}, ` +
    `${options.races} race${options.races === 1 ? "" : "s"} each, ${options.speed}x real time`;
  const where =
    options.port === 0 ? "the address the dashboard prints below" : `http://127.0.0.1:${options.port}/`;
  const minutes = `${options.firstPost} minute${options.firstPost === 1 ? "" : "s"}`;
  return [
    `Totewatch live demo: a simulated race day (${day}),`,
    "recorded and watched as it happens by four parts running here, all in this terminal:",
    "  sample tote     a simulated tote on 127.0.0.1, odds moving with the clock (ingest serve-sample)",
    `  poller          records its boards into ${shownPath(files.db, cwd)} (ingest poll)`,
    "  alerts daemon   raises alerts and prints each one here (alerts run)",
    "  dashboard       the web pages on that database (dashboard)",
    `Open ${where} in a browser: the boards move and the alerts arrive`,
    `as the day runs. The first race goes off in about ${minutes}.`,
    "Ctrl-C stops everything.",
    "",
  ].join("\n");
}
