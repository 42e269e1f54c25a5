/**
 * Server time of the race page's two big reads through the real Hono app
 * (`app.request()`: routing, the security headers, the db reads, the JSON
 * views and compression, as a browser asks with Accept-Encoding), on a
 * read-only client of the bench database; and, as the in-run baseline, the
 * db reads of GET /api/races/:id alone (raceBoard + raceOverview +
 * dashboardAlerts, exactly what the handler calls), so the HTTP + JSON
 * share of the request shows.
 */
import { createLogger } from "@totewatch/config";
import { createDb, dashboardAlerts, raceBoard, raceOverview } from "@totewatch/db";
import { createDashboardApp } from "../../src/app.js";
import { buildAssets } from "../../src/assets.js";
import { startLiveFeed } from "../../src/live.js";
import { allRaces } from "./fill.js";
import { progress, stopIfAsked } from "./common.js";

/** As the handler asks (api/routes.ts RACE_ALERTS). */
const RACE_ALERTS = 200;
const WARM_UP = 20;
/** What Chromium sends. */
const BROWSER_HEADERS = { "Accept-Encoding": "gzip, deflate, br, zstd", Accept: "application/json" };

export interface ServerTimings {
  /** Milliseconds per request, every round's samples together. */
  board: number[];
  history: number[];
  /** The db reads of the board request alone. */
  boardDb: number[];
  requests: number;
  /** Bytes of a history response as sent (compressed), the last one measured. */
  historyBytes: number;
}

export async function timeServer(
  file: string,
  options: { requests: number; rounds: number },
  signal: AbortSignal,
): Promise<ServerTimings> {
  const db = createDb({ url: file, readOnly: true });
  const logger = createLogger({ name: "bench", level: "warn", stream: process.stderr });
  const live = await startLiveFeed(db, { logger });
  try {
    const app = createDashboardApp({ live, assets: await buildAssets() });
    const races = await allRaces(db);
    // Spread over the whole file, so each race's rows sit among all the others'.
    const sample = Array.from(
      { length: options.requests },
      (_, j) => races[Math.floor(((j + 0.5) * races.length) / options.requests)]!.raceId,
    );
    const warmUp = Array.from({ length: WARM_UP }, (_, j) => races[(j * 7919) % races.length]!.raceId);

    const request = async (url: string): Promise<{ ms: number; bytes: number }> => {
      const started = performance.now();
      const response = await app.request(url, { headers: BROWSER_HEADERS });
      const body = await response.arrayBuffer();
      const ms = performance.now() - started;
      if (response.status !== 200)
        throw new Error(`GET ${url}: ${response.status} ${new TextDecoder().decode(body)}`);
      return { ms, bytes: body.byteLength };
    };
    const dbReads = async (raceId: number): Promise<number> => {
      const started = performance.now();
      const board = await raceBoard(db, raceId);
      const overview = await raceOverview(db, raceId);
      await dashboardAlerts(db, { raceId, limit: RACE_ALERTS });
      const ms = performance.now() - started;
      if (board === null || overview === null || board.runners.length === 0)
        throw new Error(`race ${raceId}: no board`);
      return ms;
    };

    for (const raceId of warmUp) {
      await request(`/api/races/${raceId}`);
      await request(`/api/races/${raceId}/history`);
      await dbReads(raceId);
    }
    const timings: ServerTimings = {
      board: [],
      history: [],
      boardDb: [],
      requests: sample.length,
      historyBytes: 0,
    };
    // Each round asks every sampled race once of each kind, interleaved, so a busy machine skews all alike.
    for (let round = 1; round <= options.rounds; round++) {
      await stopIfAsked(signal);
      for (const raceId of sample) {
        timings.boardDb.push(await dbReads(raceId));
        timings.board.push((await request(`/api/races/${raceId}`)).ms);
        const history = await request(`/api/races/${raceId}/history`);
        timings.history.push(history.ms);
        timings.historyBytes = history.bytes;
      }
      progress(
        `  server round ${round}/${options.rounds}: ${sample.length} races x (db reads, board, history)`,
      );
    }
    return timings;
  } finally {
    await live.close();
    await db.close();
  }
}
