/**
 * The JSON API under /api (types.ts has the shapes, the README the contract).
 * Reads only: every handler is a GET answered from @totewatch/db's read
 * functions; nothing here can change the database. A bad parameter is a 400
 * naming it, an unknown race a 404, both as `{ error }`.
 */
import { Hono, type Context } from "hono";
import {
  alertFacets,
  dashboardAlerts,
  latestExactaGrid,
  oddsHistoryForRace,
  raceBoard,
  raceDates,
  raceDayOverview,
  raceOverview,
  type Db,
} from "@totewatch/db";
import {
  DEFAULT_BOARD_ODDS_FORMAT,
  DEFAULT_EXACTA_TAKEOUT,
  exactaValueGrid,
  isCalendarDate,
  localDateOf,
  type BoardOddsFormat,
} from "@totewatch/tote";
import type { AlertsResponse, ExactaResponse, RaceDayResponse } from "./types.js";
import { alertMark, alertRow, raceHistory, raceResponse, raceRow } from "./views.js";

export interface ApiOptions {
  /** The client to read with, asked per request (the live feed swaps it when the file is replaced). */
  db: () => Db;
  /** How each track's board quotes odds, by track name (config tracks[]); others are odds-to-1. */
  boards?: ReadonlyMap<string, BoardOddsFormat>;
  /** Exacta takeout for fair prices (config alerts.rules.crossPool.exactaTakeout). */
  exactaTakeout?: number;
  /** The clock (tests fix it): which date `/api/races` shows when none is asked for. */
  now?: () => Date;
  /** The zone "today" is read in (default the machine's). */
  timeZone?: string;
}

/** Dates offered for browsing. */
const DATES_LISTED = 60;
/** Alerts a race page lists. */
const RACE_ALERTS = 200;

class BadRequest extends Error {}

function positiveId(c: Context, name: string, text: string | undefined): number | undefined {
  if (text === undefined || text === "") return undefined;
  if (!/^\d{1,15}$/.test(text) || Number(text) < 1) {
    throw new BadRequest(`${name} must be a whole number >= 1, got ${JSON.stringify(text.slice(0, 40))}`);
  }
  return Number(text);
}

function dateParam(name: string, text: string | undefined): string | undefined {
  if (text === undefined || text === "") return undefined;
  if (!isCalendarDate(text))
    throw new BadRequest(`${name} must be a date YYYY-MM-DD, got ${JSON.stringify(text.slice(0, 40))}`);
  return text;
}

const DELIVERY_FILTERS = ["delivered", "pending", "failing", "none"] as const;

export function apiRoutes(options: ApiOptions): Hono {
  const { db: currentDb } = options;
  const boards = options.boards ?? new Map<string, BoardOddsFormat>();
  const now = options.now ?? (() => new Date());
  const timeZone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const displayOf = (track: string) => boards.get(track) ?? DEFAULT_BOARD_ODDS_FORMAT;
  const takeout = options.exactaTakeout ?? DEFAULT_EXACTA_TAKEOUT;
  const api = new Hono();

  api.onError((error, c) => {
    if (error instanceof BadRequest) return c.json({ error: error.message }, 400);
    throw error;
  });

  /** The race, or a 404 response. */
  const boardOf = async (c: Context, db: Db) => {
    const raceId = positiveId(c, "race id", c.req.param("id"))!;
    const board = await raceBoard(db, raceId);
    return board ?? null;
  };

  api.get("/races", async (c) => {
    const db = currentDb();
    const asked = dateParam("date", c.req.query("date"));
    const dates = await raceDates(db, { limit: DATES_LISTED });
    const today = localDateOf(now(), timeZone);
    const date = asked ?? dates.find((d) => d <= today) ?? dates.at(-1) ?? today;
    const races = await raceDayOverview(db, date);
    const body: RaceDayResponse = {
      date,
      dates,
      races: races.map((race) => raceRow(race, displayOf(race.track))),
    };
    return c.json(body);
  });

  api.get("/races/:id", async (c) => {
    const db = currentDb();
    const board = await boardOf(c, db);
    if (board === null) return c.json({ error: `no race ${c.req.param("id")}` }, 404);
    const overview = await raceOverview(db, board.race.raceId);
    const alerts = await dashboardAlerts(db, { raceId: board.race.raceId, limit: RACE_ALERTS });
    return c.json(raceResponse(board, overview!, alerts, displayOf(board.race.track)));
  });

  api.get("/races/:id/history", async (c) => {
    const db = currentDb();
    const board = await boardOf(c, db);
    if (board === null) return c.json({ error: `no race ${c.req.param("id")}` }, 404);
    const points = await oddsHistoryForRace(db, board.race.raceId);
    const alerts = await dashboardAlerts(db, { raceId: board.race.raceId, limit: RACE_ALERTS });
    return c.json(raceHistory(board, points, alerts, displayOf(board.race.track)));
  });

  api.get("/races/:id/exacta", async (c) => {
    const db = currentDb();
    const board = await boardOf(c, db);
    if (board === null) return c.json({ error: `no race ${c.req.param("id")}` }, 404);
    const grid = await latestExactaGrid(db, board.race.raceId);
    const alerts = await dashboardAlerts(db, { raceId: board.race.raceId, limit: RACE_ALERTS });
    const priced = board.runners.filter(
      (runner) =>
        !runner.scratched &&
        runner.winOdds !== null &&
        board.fetchedAt !== null &&
        runner.fetchedAt?.getTime() === board.fetchedAt.getTime(),
    );
    const value =
      priced.length >= 2
        ? exactaValueGrid(
            priced.map((runner) => ({
              entryId: runner.entryId,
              programNumber: runner.programNumber,
              horse: runner.horse,
              morningLine: runner.morningLineOdds,
              winOdds: runner.winOdds!,
              winPoolAmount: runner.winPoolAmount,
            })),
            grid?.probables ?? [],
            { takeout },
          )
        : null;
    const body: ExactaResponse = {
      raceId: board.race.raceId,
      fetchedAt: grid?.fetchedAt.toISOString() ?? null,
      totalExactaPool: grid?.totalExactaPool ?? null,
      winFetchedAt: board.fetchedAt?.toISOString() ?? null,
      probabilitySource: value?.source ?? null,
      takeout,
      interests: value?.interests ?? [],
      // An exacta alert's subject is its interest combination, "1-4": the cell's own key.
      cells: (value?.cells ?? []).map((cell) => ({
        ...cell,
        alerts: alerts.filter((alert) => alert.subject === `${cell.first}-${cell.second}`).map(alertMark),
      })),
    };
    return c.json(body);
  });

  api.get("/alerts", async (c) => {
    const db = currentDb();
    const q = (name: string) => {
      const value = c.req.query(name);
      return value === undefined || value.trim() === "" ? undefined : value.trim();
    };
    const raceDate = dateParam("date", q("date"));
    const state = q("state");
    if (state !== undefined && !(DELIVERY_FILTERS as readonly string[]).includes(state)) {
      throw new BadRequest(
        `state must be one of ${DELIVERY_FILTERS.join(", ")}, got ${JSON.stringify(state.slice(0, 40))}`,
      );
    }
    const limit = positiveId(c, "limit", q("limit")) ?? 100;
    if (limit > 1000) throw new BadRequest(`limit must be at most 1000, got ${limit}`);
    const alerts = await dashboardAlerts(db, {
      raceDate,
      track: q("track"),
      alertType: q("type"),
      delivery: state as (typeof DELIVERY_FILTERS)[number] | undefined,
      raceId: positiveId(c, "race", q("race")),
      beforeId: positiveId(c, "before", q("before")),
      limit,
    });
    const facets = await alertFacets(db, { raceDate });
    const body: AlertsResponse = {
      alerts: alerts.map(alertRow),
      types: facets.types,
      tracks: facets.tracks,
      nextBefore: alerts.length === limit ? alerts.at(-1)!.alertId : null,
    };
    return c.json(body);
  });

  return api;
}
