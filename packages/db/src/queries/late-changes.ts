/**
 * Late odds changes (`alerts report late-changes`): for each race that went
 * off, the last win board fetched at or before its off and the final board
 * fetched after it. US races go off minutes after scheduled post and the pools
 * keep merging after the gates open, so the final odds differ from the last
 * board a player could bet into; this read puts the two side by side.
 *
 * Invariants: the races and the off are the ones the late_change rule judges
 * (the alerts' offTimeOf): a cancelled race is never listed; the off is the
 * stored off time, else, for a race known to have run (status in tote's
 * RUN_STATUSES: off, official) without one, its scheduled post time; a race
 * with neither is not listed. One read transaction (a consistent view of the
 * database), on the same Sql session as the evaluation reader, whose row
 * shapes and board read it reuses.
 */
import { RUN_STATUSES } from "@totewatch/tote";
import type { Db } from "../client.js";
import { InvalidInputError } from "../errors.js";
import type { Race } from "../generated/prisma/client.js";
import { readTransaction, type Sql, type SqlRow } from "../sql.js";
import { fromDbTime, type DbTime } from "../time.js";
import { boardAt, reader } from "./evaluation/reader.js";
import type { EvaluationEntry, WinOddsRow } from "./evaluation/view.js";
import type { AlertRace } from "./stored-alert.js";

/** Which races: race dates `from`..`to` inclusive (YYYY-MM-DD, each on its track's calendar), optionally one track. */
export interface LateChangeRange {
  from: string;
  to: string;
  track?: string;
}

/** One race that went off, with its card and its boards either side of the off. */
export interface LateChangeBoards {
  /** `offAt`: the effective off (the stored off time, else post time for a race that ran without one). */
  race: AlertRace & { offAt: Date };
  /** The card by entry id (scratched runners included). */
  entries: Map<number, EvaluationEntry>;
  /** The rows of the latest win board with fetched_at <= the off, by entry id; [] when none was recorded. */
  lastPreOff: WinOddsRow[];
  /** The rows of the latest win board with fetched_at > the off, by entry id; [] when none was recorded. */
  final: WinOddsRow[];
}

const RACE_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Every race that went off in the range, by race date, track name and race
 * number: one with a stored off time, or with status off or official and a
 * post time (which is then its off); cancelled races are left out. A race
 * without a board after its off (not polled past the off) is still listed,
 * with `final` []; one without a board before it has `lastPreOff` []. Boards
 * are win snapshots with at least one runner's odds.
 */
export async function lateChangeBoards(db: Db, range: LateChangeRange): Promise<LateChangeBoards[]> {
  for (const [name, date] of [
    ["from", range.from],
    ["to", range.to],
  ] as const) {
    if (!RACE_DATE.test(date))
      throw new InvalidInputError(`late changes: ${name} must be YYYY-MM-DD (got "${date}")`);
  }
  return readTransaction(db, (sql) => read(sql, range));
}

type OffRaceRow = SqlRow<AlertRace & { offAt: NonNullable<Race["offAt"]> }>;

// The run statuses are bound as one JSON array, read back as a set (SQLite's json_each, PostgreSQL's jsonb_array_elements_text).
const offRacesSql = (runStatuses: string) => `SELECT * FROM (
       SELECT r.race_id AS "raceId", t.name AS track, t.timezone, r.race_date AS "raceDate", r.race_number AS "raceNumber",
              r.post_time AS "postTime",
              coalesce(r.off_at, CASE WHEN r.status IN (${runStatuses}) THEN r.post_time END) AS "offAt"
       FROM race r JOIN track t ON t.track_id = r.track_id
       WHERE r.race_date >= ? AND r.race_date <= ? AND r.status <> 'cancelled' AND (CAST(? AS TEXT) IS NULL OR t.name = ?)) AS s
     WHERE "offAt" IS NOT NULL
     ORDER BY "raceDate", track, "raceNumber"`;
const OFF_RACES_SQL = offRacesSql(`SELECT value FROM json_each(?)`);
const OFF_RACES_SQL_PG = offRacesSql(`SELECT jsonb_array_elements_text(CAST(? AS jsonb))`);

async function read(sql: Sql, range: LateChangeRange): Promise<LateChangeBoards[]> {
  const races = await sql.all<OffRaceRow>(
    sql.dialect === "postgres" ? OFF_RACES_SQL_PG : OFF_RACES_SQL,
    JSON.stringify([...RUN_STATUSES]),
    range.from,
    range.to,
    range.track ?? null,
    range.track ?? null,
  );
  if (races.length === 0) return [];
  const cards = await reader(sql).races(races.map((race) => race.raceId));
  const boards: LateChangeBoards[] = [];
  for (const race of races) {
    boards.push({
      race: {
        ...race,
        postTime: race.postTime === null ? null : fromDbTime(race.postTime),
        offAt: fromDbTime(race.offAt),
      },
      entries: cards.get(race.raceId)?.entries ?? new Map(),
      lastPreOff: await boardAt(sql, race.raceId, await latestAtOrBefore(sql, race.raceId, race.offAt)),
      final: await boardAt(sql, race.raceId, await latestAfter(sql, race.raceId, race.offAt)),
    });
  }
  return boards;
}

/** The instant of the race's latest win board with fetched_at <= `at` (stored), or null. */
async function latestAtOrBefore(sql: Sql, raceId: number, at: DbTime): Promise<DbTime | null> {
  const row = await sql.get<{ fetchedAt: DbTime }>(
    `SELECT fetched_at AS "fetchedAt" FROM odds_snapshot INDEXED BY idx_odds_race_time
     WHERE race_id = ? AND fetched_at <= ? AND win_odds IS NOT NULL ORDER BY fetched_at DESC LIMIT 1`,
    raceId,
    at,
  );
  return row?.fetchedAt ?? null;
}

/** The instant of the race's latest win board with fetched_at > `at` (stored), or null. */
async function latestAfter(sql: Sql, raceId: number, at: DbTime): Promise<DbTime | null> {
  const row = await sql.get<{ fetchedAt: DbTime }>(
    `SELECT fetched_at AS "fetchedAt" FROM odds_snapshot INDEXED BY idx_odds_race_time
     WHERE race_id = ? AND fetched_at > ? AND win_odds IS NOT NULL ORDER BY fetched_at DESC LIMIT 1`,
    raceId,
    at,
  );
  return row?.fetchedAt ?? null;
}
