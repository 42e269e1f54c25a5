// pnpm bench [--rows 10m] [--requests N] [--rounds N] [--updates N]: the dashboard
// on a big odds table. Prints one `name: value` per line on stdout; progress goes to stderr.
//
// - dashboard_board_ms_<rows> / _history_ms_<rows>: server time of GET /api/races/:id (card
//   and newest board) and GET /api/races/:id/history (120 boards x 12 runners) through the real
//   Hono app's app.request(), median over `requests` races spread over the file x `rounds`
//   (p95 beside it), on --rows odds rows (bench/server.ts).
// - dashboard_board_ratio_vs_db: the db reads of the board request alone (raceBoard +
//   raceOverview + dashboardAlerts) over the whole request, in the same run: the share the
//   database takes; the rest is routing, JSON and compression.
// - dashboard_page_kb: encoded bytes of a race page's first load, the event stream left out;
//   dashboard_update_ms_p50 / _p99: from a win board's write (recordWinSnapshot, another client)
//   to the open page's #board showing it, in Chromium on the real server (bench/browser.ts).
//
// The database (bench/fill.ts) is built once and cached under the OS temp folder by migrations
// fingerprint and size; the live part runs on a copy, so the cache stays as built.
import {
  abbreviatedCount,
  benchLine,
  commanderExitCode,
  EXIT,
  runIfEntryPoint,
  wholeNumber,
  type BenchTarget,
} from "@totewatch/cli-kit";
import { databaseBytes } from "@totewatch/db/testing";
import { Command, CommanderError, Option } from "commander";
import { timeBrowser } from "./bench/browser.js";
import { ascending, BenchStopped, countLabel, percentile, progress } from "./bench/common.js";
import { benchDatabase, pageRaceKey } from "./bench/fill.js";
import { timeServer } from "./bench/server.js";

interface BenchOptions {
  rows: number;
  requests: number;
  rounds: number;
  updates: number;
  spacing: number;
}

/** The targets. */
const TARGETS = {
  boardMs: { op: "<=", value: 20 },
  historyMs: { op: "<=", value: 50 },
  updateMsP99: { op: "<=", value: 1000 },
  pageKb: { op: "<=", value: 150 },
} as const satisfies Record<string, BenchTarget>;

const print = (name: string, value: number | string, target?: BenchTarget) =>
  console.log(benchLine(name, value, target));
const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : "n/a");

function parseOptions(args: string[]): BenchOptions | number {
  const count = (flag: string, description: string, fallback: number) =>
    new Option(`--${flag} <count>`, description).argParser(abbreviatedCount(`--${flag}`)).default(fallback);
  const whole = (flag: string, description: string, fallback: number, min: number) =>
    new Option(`--${flag} <n>`, description).argParser(wholeNumber(`--${flag}`, { min })).default(fallback);
  const program = new Command("dashboard bench")
    .description(
      "race page server times on a big odds table, its weight, and commit-to-screen delay in Chromium",
    )
    .addOption(count("rows", "odds rows in the database (1,440 a race; 10m is the issue's size)", 10_000_000))
    .addOption(whole("requests", "races asked for per round (spread over the file)", 200, 1))
    .addOption(whole("rounds", "rounds of the server timings (all samples pooled)", 3, 1))
    .addOption(whole("updates", "win boards written while the page is open", 50, 1))
    .addOption(whole("spacing", "milliseconds between one update showing and the next write", 200, 0))
    .exitOverride();
  try {
    program.parse(args, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return commanderExitCode(error);
    throw error;
  }
  const options = program.opts<BenchOptions>();
  if (options.rows < 1) {
    process.stderr.write("dashboard bench: --rows must be at least 1\n");
    return EXIT.usage;
  }
  return options;
}

async function main(args: string[], signal: AbortSignal): Promise<number> {
  const options = parseOptions(args);
  if (typeof options === "number") return options;
  const label = countLabel(options.rows);
  try {
    const database = await benchDatabase(options.rows, signal);
    print("dashboard_odds_rows", database.oddsRows);
    print("dashboard_races", database.races);
    print("dashboard_db_bytes", databaseBytes(database.file));

    progress(`server timings: ${options.requests} races x ${options.rounds} rounds`);
    const server = await timeServer(database.file, options, signal);
    const board = ascending(server.board);
    const history = ascending(server.history);
    const boardDb = ascending(server.boardDb);
    progress(`  a history response: ${(server.historyBytes / 1000).toFixed(1)} kB compressed`);
    print(`dashboard_board_ms_${label}`, ms(percentile(board, 50)), TARGETS.boardMs);
    print(`dashboard_board_ms_${label}_p95`, ms(percentile(board, 95)));
    print(`dashboard_board_db_ms_${label}`, ms(percentile(boardDb, 50)));
    print("dashboard_board_ratio_vs_db", (percentile(boardDb, 50) / percentile(board, 50)).toFixed(2));
    print(`dashboard_history_ms_${label}`, ms(percentile(history, 50)), TARGETS.historyMs);
    print(`dashboard_history_ms_${label}_p95`, ms(percentile(history, 95)));

    progress(`live page: ${options.updates} win boards, ${options.spacing} ms apart`);
    const browser = await timeBrowser(
      database.file,
      pageRaceKey(database.races),
      { updates: options.updates, spacingMs: options.spacing },
      signal,
    );
    for (const part of browser.pageParts)
      progress(`  ${part.path.padEnd(40)} ${(part.bytes / 1000).toFixed(1).padStart(7)} kB`);
    print(
      "dashboard_page_kb",
      browser.pageBytes === null ? "n/a" : (browser.pageBytes / 1000).toFixed(1),
      TARGETS.pageKb,
    );
    print("dashboard_page_requests", browser.pageRequests);
    const latencies = ascending(browser.latencies);
    // A missed update has no latency: it makes the p99 n/a (FAIL) rather than vanish from it.
    const missed = browser.missed > 0 || browser.latencies.length === 0;
    print("dashboard_update_ms_p50", latencies.length > 0 ? Math.round(percentile(latencies, 50)) : "n/a");
    print(
      "dashboard_update_ms_p99",
      missed ? "n/a" : Math.round(percentile(latencies, 99)),
      TARGETS.updateMsP99,
    );
    print("dashboard_updates", browser.updates);
    print("dashboard_updates_missed", browser.missed);
    if (browser.problem !== null) {
      progress(`dashboard bench: the race page in Chromium: ${browser.problem}`);
      return EXIT.failed;
    }
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof BenchStopped)) throw error;
    progress(`dashboard bench: ${error.message}`);
    return EXIT.failed;
  }
}

void runIfEntryPoint(import.meta.url, "dashboard bench", main);
