/**
 * Races and cards read back: race summaries (by date, natural key or id)
 * and a race's card in program order.
 *
 * Invariants: reads only, each in one statement (a consistent view);
 * instants come back as Dates and flags as booleans; cards sort by program
 * number as a program does (1, 1A, 2, 10).
 */
import { compareProgramNumbers } from "@totewatch/tote";
import type { Db } from "../client.js";
import type { Entry, Horse, Race, Track } from "../generated/prisma/client.js";
import { readRaw, type SqlParam, type SqlRow } from "../sql.js";
import { fromDbTime } from "../time.js";
import type { RaceKey } from "./races.js";

/** A race with its track and how many runners its card lists; `offAt` is when it went off (null: not known). */
export interface RaceSummary extends Pick<Race, "raceDate" | "raceNumber" | "postTime" | "status" | "offAt"> {
  raceId: Race["id"];
  track: Track["name"];
  trackCode: Track["code"];
  timezone: Track["timezone"];
  runners: number;
  scratched: number;
}

/** Race summaries (race r joined with track t), under RaceSummary's field names; add WHERE and ORDER BY. */
export const RACE_SUMMARY_SQL = `
  SELECT r.race_id AS "raceId", t.name AS track, t.code AS "trackCode", t.timezone, r.race_date AS "raceDate",
         r.race_number AS "raceNumber", r.post_time AS "postTime", r.status, r.off_at AS "offAt",
         (SELECT count(*) FROM entry e WHERE e.race_id = r.race_id) AS runners,
         (SELECT count(*) FROM entry e WHERE e.race_id = r.race_id AND e.scratched) AS scratched
  FROM race r JOIN track t ON t.track_id = r.track_id`;

/** A row of RACE_SUMMARY_SQL as read back (instants as Dates). */
export function toRaceSummary(row: SqlRow<RaceSummary>): RaceSummary {
  return {
    ...row,
    postTime: row.postTime !== null ? fromDbTime(row.postTime) : null,
    offAt: row.offAt !== null ? fromDbTime(row.offAt) : null,
  };
}

/** Race summaries matching `where` (over race r and track t), by track then race number. */
function raceSummaries(db: Db, where: string, params: SqlParam[]): Promise<RaceSummary[]> {
  return readRaw(db, async (sql) =>
    (
      await sql.all<SqlRow<RaceSummary>>(
        `${RACE_SUMMARY_SQL} WHERE ${where} ORDER BY t.name, r.race_number`,
        ...params,
      )
    ).map(toRaceSummary),
  );
}

/** The races run on a (track-local) date, by track then race number. */
export async function racesOnDate(
  db: Db,
  raceDate: string,
  opts: { track?: string } = {},
): Promise<RaceSummary[]> {
  return opts.track
    ? raceSummaries(db, "r.race_date = ? AND t.name = ?", [raceDate, opts.track])
    : raceSummaries(db, "r.race_date = ?", [raceDate]);
}

/** One race by natural key, or null. */
export async function findRace(db: Db, key: RaceKey): Promise<RaceSummary | null> {
  const [race] = await raceSummaries(db, "t.name = ? AND r.race_date = ? AND r.race_number = ?", [
    key.track,
    key.raceDate,
    key.raceNumber,
  ]);
  return race ?? null;
}

/** One race by id, or null. */
export async function raceById(db: Db, raceId: number): Promise<RaceSummary | null> {
  const [race] = await raceSummaries(db, "r.race_id = ?", [raceId]);
  return race ?? null;
}

/** A runner of a card, with its horse's name. */
export interface EntryDetail extends Pick<
  Entry,
  "programNumber" | "morningLineOdds" | "jockey" | "trainer" | "scratched"
> {
  entryId: Entry["id"];
  horse: Horse["name"];
}

/** The card of a race: its entries in program order. */
export async function entriesForRace(db: Db, raceId: number): Promise<EntryDetail[]> {
  return readRaw(db, async (sql) =>
    (
      await sql.all<SqlRow<EntryDetail>>(
        `SELECT e.entry_id AS "entryId", e.program_number AS "programNumber", h.name AS horse,
                e.morning_line_odds AS "morningLineOdds", e.jockey, e.trainer, e.scratched
         FROM entry e JOIN horse h ON h.horse_id = e.horse_id WHERE e.race_id = ?`,
        raceId,
      )
    )
      .map((row) => ({ ...row, scratched: row.scratched === 1 }))
      .sort((a, b) => compareProgramNumbers(a.programNumber, b.programNumber)),
  );
}
