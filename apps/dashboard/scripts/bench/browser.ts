/**
 * The race page in Chromium (Debian's, through playwright-core: test/browser.ts), against the
 * real server (startDashboard: read-only client, live feed, port 0) on a
 * copy of the bench database (the updates write to it; the cache stays as
 * built):
 *
 * - page weight: the encoded (as sent, compressed) body bytes of every
 *   response of the first load, the long-lived /api/events stream left out,
 *   in a fresh context (nothing cached), counted once the page has rendered
 *   every part (body[data-updated-at]) and no request has been in flight for
 *   QUIET_MS;
 * - update latency: from just before a win board is written (recordWinSnapshot
 *   on a writer client, as ingest writes) until #board's
 *   data-board-fetched-at equals the new board's fetchedAt. A MutationObserver
 *   in the page stamps the moment the attribute takes the value; both clocks
 *   are this machine's wall clock (Date.now()).
 */
import { copyFileSync, existsSync } from "node:fs";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import type { Browser, Page, Request } from "playwright-core";
import { createLogger, parseConfig } from "@totewatch/config";
import { createDb, findRace, raceBoard, recordWinSnapshot, type Db, type RaceKey } from "@totewatch/db";
import { scratchDir } from "@totewatch/db/testing";
import { startDashboard } from "../../src/serve.js";
import { launchChromium, openPage } from "../../test/browser.js";
import { progress, stopIfAsked } from "./common.js";
import { BOARD_EVERY_MS, RUNNERS } from "./fill.js";

const LOAD_TIMEOUT_MS = 30_000;
/** An update not shown after this counts as missed (and fails the p99). */
const UPDATE_TIMEOUT_MS = 10_000;
/** The first load is over when no request has been in flight for this long. */
const QUIET_MS = 500;

export interface BrowserFigures {
  raceId: number;
  /** Encoded body bytes of the first load (null: the page did not load). */
  pageBytes: number | null;
  pageRequests: number;
  /** Per URL path, for the progress lines. */
  pageParts: Array<{ path: string; bytes: number }>;
  /** Milliseconds from write start to DOM, one per update shown. */
  latencies: number[];
  updates: number;
  missed: number;
  /** Why a part could not be measured (the page not behaving), or null. */
  problem: string | null;
}

const isEventStream = (request: Request) => new URL(request.url()).pathname === "/api/events";

/**
 * What the functions run in the page use, typed here: this package's Node settings have no DOM
 * types. They are functions, not strings: the page's CSP (script-src 'self') forbids the eval
 * Playwright would use for a string predicate.
 */
type Dataset = Record<string, string | undefined>;
interface PageWindow {
  document: { body: { dataset: Dataset } };
  MutationObserver: new (callback: (records: Array<{ target: { dataset?: Dataset } }>) => void) => {
    observe(target: unknown, options: object): void;
  };
  /** fetchedAt ISO string -> Date.now() when #board first carried it (the bench's observer). */
  __benchBoardSeen?: Record<string, number>;
}

/** Stamps, per fetchedAt ISO string, Date.now() when #board first carried it. */
function observeBoard(): void {
  const page = globalThis as unknown as PageWindow;
  const seen: Record<string, number> = {};
  page.__benchBoardSeen = seen;
  new page.MutationObserver((records) => {
    const now = Date.now();
    for (const record of records) {
      const value = record.target.dataset?.boardFetchedAt;
      if (value !== undefined && !(value in seen)) seen[value] = now;
    }
  }).observe(page.document.body, {
    subtree: true,
    attributes: true,
    attributeFilter: ["data-board-fetched-at"],
  });
}

/** When #board first showed the board fetched at `iso` (undefined: not yet). */
const boardSeenAt = (iso: string) => (globalThis as unknown as PageWindow).__benchBoardSeen?.[iso];

/** markUpdated(): the page has rendered the board, history, exacta grid and alerts once. */
const firstRenderDone = () =>
  (globalThis as unknown as PageWindow).document.body.dataset.updatedAt !== undefined;

export async function timeBrowser(
  file: string,
  raceKey: RaceKey,
  options: { updates: number; spacingMs: number },
  signal: AbortSignal,
): Promise<BrowserFigures> {
  const copy = path.join(scratchDir("totewatch-dashboard-bench-live-"), "live.db");
  progress(`copying the database for the live part (${copy})`);
  copyFileSync(file, copy);
  if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);

  const logger = createLogger({ name: "dashboard", level: "warn", stream: process.stderr });
  const server = await startDashboard({
    databaseUrl: copy,
    host: "127.0.0.1",
    port: 0,
    config: parseConfig("", "<bench>", {}),
    logger,
  });
  let writer: Db | null = null;
  let browser: Browser | null = null;
  try {
    // Another client on the file, as ingest is (in this process, so it shares the file's lock).
    writer = createDb({ url: copy });
    const race = await findRace(writer, raceKey);
    if (race === null) throw new Error(`no race ${raceKey.track} ${raceKey.raceDate} R${raceKey.raceNumber}`);
    const board = await raceBoard(writer, race.raceId);
    if (board?.fetchedAt == null) throw new Error(`race ${race.raceId} has no board`);
    const figures: BrowserFigures = {
      raceId: race.raceId,
      pageBytes: null,
      pageRequests: 0,
      pageParts: [],
      latencies: [],
      updates: 0,
      missed: 0,
      problem: null,
    };

    // Debian's Chromium with the flags the browser tests use (test/browser.ts; TOTEWATCH_CHROMIUM elsewhere).
    browser = await launchChromium();
    // A fresh context: nothing cached, so the first load is a first visit. It records page errors.
    const { page, errors: pageErrors } = await openPage(browser);

    const url = `${server.url}race/${race.raceId}`;
    progress(`opening ${url} in Chromium`);
    const load = await firstLoad(page, url);
    figures.pageBytes = load.bytes;
    figures.pageRequests = load.parts.length;
    figures.pageParts = load.parts;
    if (load.problem !== null) {
      figures.problem = `${load.problem}${pageErrors.length ? ` (page errors: ${pageErrors.join("; ")})` : ""}`;
      return figures;
    }
    const shown = await page.getAttribute("#board", "data-board-fetched-at");
    if (shown !== board.fetchedAt.toISOString()) {
      figures.problem =
        `after the first load #board has data-board-fetched-at=${JSON.stringify(shown)}, ` +
        `not the race's newest board ${board.fetchedAt.toISOString()}`;
      return figures;
    }

    await page.evaluate(observeBoard);

    const newest = board.fetchedAt.getTime();
    for (let u = 1; u <= options.updates; u++) {
      await stopIfAsked(signal);
      const fetchedAt = new Date(newest + u * BOARD_EVERY_MS);
      const iso = fetchedAt.toISOString();
      const totalWinPool = 100_000 + u * 500;
      const started = Date.now();
      await recordWinSnapshot(writer, {
        ...raceKey,
        fetchedAt,
        totalWinPool,
        runners: RUNNERS.map((programNumber, i) => {
          const winOdds = 2 + ((i * 5 + u) % 30) / 2;
          return { programNumber, winOdds, winPoolAmount: Math.round(totalWinPool / (winOdds + 1) / 1.6) };
        }),
      });
      figures.updates++;
      try {
        const handle = await page.waitForFunction(boardSeenAt, iso, { timeout: UPDATE_TIMEOUT_MS });
        figures.latencies.push(((await handle.jsonValue()) as number) - started);
      } catch {
        figures.missed++;
        progress(`  update ${u}: #board did not show ${iso} within ${UPDATE_TIMEOUT_MS} ms`);
        if (figures.missed >= 3 && figures.latencies.length === 0) {
          figures.problem = `the page never showed a new board (${figures.missed} updates missed)`;
          break;
        }
      }
      if (u % 10 === 0 || u === options.updates) progress(`  updates: ${u}/${options.updates}`);
      await delay(options.spacingMs);
    }
    if (pageErrors.length > 0) progress(`  page errors: ${pageErrors.join("; ")}`);
    return figures;
  } finally {
    await browser?.close();
    await server.close();
    await writer?.close();
  }
}

/** Loads the page in `page` (fresh context); the encoded body bytes of everything but the event stream. */
async function firstLoad(
  page: Page,
  url: string,
): Promise<{ bytes: number; parts: Array<{ path: string; bytes: number }>; problem: string | null }> {
  const inFlight = new Set<Request>();
  const finished: Request[] = [];
  let lastActivity = Date.now();
  page.on("request", (request) => {
    if (isEventStream(request)) return;
    inFlight.add(request);
    lastActivity = Date.now();
  });
  const done = (request: Request) => {
    if (!inFlight.delete(request)) return;
    finished.push(request);
    lastActivity = Date.now();
  };
  page.on("requestfinished", done);
  page.on("requestfailed", done);

  let problem: string | null = null;
  try {
    await page.goto(url, { waitUntil: "load", timeout: LOAD_TIMEOUT_MS });
    await page.waitForFunction(firstRenderDone, undefined, { timeout: LOAD_TIMEOUT_MS });
  } catch (error) {
    problem = `the race page did not finish its first load: ${(error as Error).message.split("\n")[0]}`;
  }
  const deadline = Date.now() + LOAD_TIMEOUT_MS;
  while ((inFlight.size > 0 || Date.now() - lastActivity < QUIET_MS) && Date.now() < deadline)
    await delay(50);
  const parts = await Promise.all(
    finished.map(async (request) => ({
      path: new URL(request.url()).pathname,
      bytes: request.failure() === null ? (await request.sizes()).responseBodySize : 0,
    })),
  );
  return { bytes: parts.reduce((sum, part) => sum + part.bytes, 0), parts, problem };
}
