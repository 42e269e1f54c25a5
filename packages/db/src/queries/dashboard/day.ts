/**
 * The dashboard's day page: the dates that have races, and a race day at a glance (per race
 * its newest win board, pools, favourite and how many alerts it raised).
 *
 * Invariants: reads only. raceDayOverview is one read transaction (its statements agree while
 * ingest commits) and never scans odds_snapshot or exacta_probable: a race's newest board is one
 * seek on idx_odds_race_time, its newest exacta grid one on idx_exacta_race_time, each runner's
 * newest snapshot one on idx_odds_entry (as LATEST_ODDS_SQL), so its cost grows with the day's
 * races and runners, not with the tables (day.int.test.ts checks the plans). Races come in
 * racesOnDate's order (track, then race number).
 */
import { compareProgramNumbers } from "@totewatch/tote";
import type { Db } from "../../client.js";
import { InvalidInputError } from "../../errors.js";
import type { Entry, ExactaProbable, Horse, OddsSnapshot } from "../../generated/prisma/client.js";
import { readRaw, readTransaction, type Sql, type SqlRow } from "../../sql.js";
import { fromDbTime } from "../../time.js";
import { RACE_SUMMARY_SQL, toRaceSummary, type RaceSummary } from "../race-reads.js";

/** The runner a race's newest prices make favourite. */
export type RaceFavourite = Pick<Entry, "programNumber"> & {
  entryId: Entry["id"];
  horse: Horse["name"];
  /** Odds-to-1 on the runner's own newest snapshot. */
  winOdds: NonNullable<OddsSnapshot["winOdds"]>;
};

/** A race of a day with its newest market figures. */
export interface RaceOverview extends RaceSummary {
  /** When the race's newest win board was fetched (its newest odds row); null before the first. */
  lastBoardAt: OddsSnapshot["fetchedAt"] | null;
  /** The win pool total on that newest board (null: no board, or the board gave none). */
  totalWinPool: OddsSnapshot["totalWinPool"];
  /** The exacta pool total on the race's newest exacta grid (null: no grid, or none given). */
  totalExactaPool: ExactaProbable["totalExactaPool"];
  /**
   * The runner not scratched with the lowest odds on its own newest snapshot; on equal odds
   * the first in program order (1 before 1A before 2). Null when no such runner has odds.
   */
  favourite: RaceFavourite | null;
  /** Alerts stored for the race. */
  alerts: number;
}

/** Dates (YYYY-MM-DD, track-local) that have races; a covering scan of idx_race_date. */
export const RACE_DATES_SQL = `SELECT DISTINCT race_date AS "raceDate" FROM race ORDER BY race_date DESC LIMIT ?`;

// Per race: its newest odds row by a seek on idx_odds_race_time (race_id, fetched_at DESC),
// which gives both the board's time and its pool (every row of a board carries the total); the
// newest exacta row likewise on idx_exacta_race_time; the alert count on idx_alert_race.
const racesSql = (where: RaceFilter) => `
  SELECT s.*, b.fetched_at AS "lastBoardAt", b.total_win_pool AS "totalWinPool",
         (SELECT x.total_exacta_pool FROM exacta_probable x INDEXED BY idx_exacta_race_time
          WHERE x.race_id = s."raceId" ORDER BY x.fetched_at DESC LIMIT 1) AS "totalExactaPool",
         (SELECT count(*) FROM alert a WHERE a.race_id = s."raceId") AS alerts
  FROM (${RACE_SUMMARY_SQL} WHERE ${where} = ?) s
  LEFT JOIN odds_snapshot b ON b.snapshot_id = (
    SELECT o.snapshot_id FROM odds_snapshot o INDEXED BY idx_odds_race_time
    WHERE o.race_id = s."raceId" ORDER BY o.fetched_at DESC LIMIT 1)
  ORDER BY s.track, s."raceNumber"`;

// Every runner of the day not scratched, with the odds of its newest snapshot (a seek on
// idx_odds_entry each). A LEFT JOIN keeps the snapshot the inner side, so the planner cannot
// start from odds_snapshot; runners without odds are dropped in code.
const pricesSql = (where: RaceFilter) => `
  SELECT e.race_id AS "raceId", e.entry_id AS "entryId", e.program_number AS "programNumber", h.name AS horse,
         o.win_odds AS "winOdds"
  FROM race r
  JOIN entry e ON e.race_id = r.race_id
  JOIN horse h ON h.horse_id = e.horse_id
  LEFT JOIN odds_snapshot o ON o.snapshot_id = (
    SELECT s.snapshot_id FROM odds_snapshot s INDEXED BY idx_odds_entry
    WHERE s.entry_id = e.entry_id ORDER BY s.fetched_at DESC LIMIT 1)
  WHERE ${where} = ? AND NOT e.scratched`;

/** Which races an overview reads: a day's, or one. */
type RaceFilter = "r.race_date" | "r.race_id";

export const DAY_RACES_SQL = racesSql("r.race_date");
export const DAY_PRICES_SQL = pricesSql("r.race_date");
const OVERVIEW_SQL: Record<RaceFilter, { races: string; prices: string }> = {
  "r.race_date": { races: DAY_RACES_SQL, prices: DAY_PRICES_SQL },
  "r.race_id": { races: racesSql("r.race_id"), prices: pricesSql("r.race_id") },
};

type DayRaceRow = SqlRow<Omit<RaceOverview, "favourite">>;
type PriceRow = Omit<RaceFavourite, "winOdds"> & Pick<OddsSnapshot, "raceId" | "winOdds">;

/** Dates that have races, newest first; `limit` (a whole number >= 1) keeps the newest few. */
export async function raceDates(db: Db, options: { limit?: number } = {}): Promise<string[]> {
  const { limit } = options;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new InvalidInputError(`raceDates: limit must be a whole number >= 1, got ${limit}`);
  }
  return readRaw(db, async (sql) =>
    // No limit asked: a limit past any count (LIMIT -1 is SQLite only; PostgreSQL refuses it).
    (await sql.all<{ raceDate: string }>(RACE_DATES_SQL, limit ?? Number.MAX_SAFE_INTEGER)).map(
      (row) => row.raceDate,
    ),
  );
}

/** The races of a (track-local) date, by track then race number, each with its newest figures. */
export async function raceDayOverview(db: Db, raceDate: string): Promise<RaceOverview[]> {
  return readTransaction(db, (sql) => overviews(sql, "r.race_date", raceDate));
}

/** One race with its newest figures (the day page's row of it), or null. */
export async function raceOverview(db: Db, raceId: number): Promise<RaceOverview | null> {
  return readTransaction(db, async (sql) => (await overviews(sql, "r.race_id", raceId))[0] ?? null);
}

async function overviews(sql: Sql, where: RaceFilter, value: string | number): Promise<RaceOverview[]> {
  const favourites = new Map<number, RaceFavourite>();
  for (const price of await sql.all<PriceRow>(OVERVIEW_SQL[where].prices, value)) {
    if (price.winOdds === null) continue;
    const best = favourites.get(price.raceId);
    const better =
      !best ||
      price.winOdds < best.winOdds ||
      (price.winOdds === best.winOdds && compareProgramNumbers(price.programNumber, best.programNumber) < 0);
    if (better) {
      const { entryId, programNumber, horse, winOdds } = price;
      favourites.set(price.raceId, { entryId, programNumber, horse, winOdds });
    }
  }
  return (await sql.all<DayRaceRow>(OVERVIEW_SQL[where].races, value)).map((row) => ({
    ...toRaceSummary(row),
    lastBoardAt: row.lastBoardAt !== null ? fromDbTime(row.lastBoardAt) : null,
    totalWinPool: row.totalWinPool,
    totalExactaPool: row.totalExactaPool,
    favourite: favourites.get(row.raceId) ?? null,
    alerts: row.alerts,
  }));
}
