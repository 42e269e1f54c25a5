/**
 * The reads of an evaluation pass (view.ts): async statements on the pass's
 * `Sql` session, inside the caller's transaction, in text both engines read
 * (engine/types.ts). Hot: a pass runs them per race it evaluates, while
 * holding the write lock.
 */
import type { Sql, SqlRow } from "../../sql.js";
import { fromDbTime, toDbTime, type DbTime } from "../../time.js";
import { cursorPosition } from "../cursors.js";
import { exactaGridAt } from "../exacta.js";
import { nextBatch } from "./batches.js";
import {
  exactaGrids,
  raceAlerts,
  WIN_COLUMNS,
  winOddsRow,
  winRowsBetweenEach,
  winSnapshotsBefore,
} from "./many.js";
import type { AlertRef } from "../alerts.js";
import type { EvaluationEntry, EvaluationRace, EvaluationReader, WinOddsRow } from "./view.js";

/** A subquery of the ids in one JSON array parameter (`[1, 2]`), in the session's dialect. */
const idsIn = (sql: Sql) =>
  sql.dialect === "postgres"
    ? `SELECT CAST(value AS BIGINT) FROM jsonb_array_elements_text(CAST(? AS jsonb))`
    : `SELECT value FROM json_each(?)`;

/** The win rows (with odds) of one board of a race, by entry id; [] for no board (`fetchedAt` null). */
export async function boardAt(sql: Sql, raceId: number, fetchedAt: DbTime | null): Promise<WinOddsRow[]> {
  if (fetchedAt === null) return [];
  return (
    await sql.all<SqlRow<WinOddsRow>>(
      `SELECT ${WIN_COLUMNS} FROM odds_snapshot INDEXED BY idx_odds_race_time
       WHERE race_id = ? AND fetched_at = ? AND win_odds IS NOT NULL ORDER BY entry_id`,
      raceId,
      fetchedAt,
    )
  ).map(winOddsRow);
}

export function reader(sql: Sql): EvaluationReader {
  return {
    cursor: (name) => cursorPosition(sql, name),
    nextBatch: (marks, limits) => nextBatch(sql, marks, limits),
    async races(raceIds) {
      // In race id order, each race's entries in program-number order (SQLite's index order, no
      // sort; PostgreSQL gives no order without ORDER BY): the maps iterate the same on both engines.
      const result = new Map<number, EvaluationRace>();
      if (raceIds.length === 0) return result;
      const ids = JSON.stringify([...new Set(raceIds)]);
      const races = await sql.all<SqlRow<Omit<EvaluationRace, "entries">>>(
        `SELECT r.race_id AS "raceId", t.name AS track, t.timezone, r.race_date AS "raceDate", r.race_number AS "raceNumber",
                r.post_time AS "postTime", r.status, r.off_at AS "offAt"
         FROM race r JOIN track t ON t.track_id = r.track_id WHERE r.race_id IN (${idsIn(sql)})
         ORDER BY r.race_id`,
        ids,
      );
      for (const race of races) {
        result.set(race.raceId, {
          ...race,
          postTime: race.postTime === null ? null : fromDbTime(race.postTime),
          offAt: race.offAt === null ? null : fromDbTime(race.offAt),
          entries: new Map(),
        });
      }
      const entries = await sql.all<SqlRow<EvaluationEntry> & { raceId: number }>(
        `SELECT e.race_id AS "raceId", e.entry_id AS "entryId", e.program_number AS "programNumber", h.name AS horse,
                e.morning_line_odds AS "morningLineOdds", e.scratched, e.scratched_at AS "scratchedAt"
         FROM entry e JOIN horse h ON h.horse_id = e.horse_id WHERE e.race_id IN (${idsIn(sql)})
         ORDER BY e.race_id, e.program_number`,
        ids,
      );
      for (const { raceId, scratched, scratchedAt, ...entry } of entries) {
        result.get(raceId)?.entries.set(entry.entryId, {
          ...entry,
          scratched: scratched === 1,
          scratchedAt: scratchedAt === null ? null : fromDbTime(scratchedAt),
        });
      }
      return result;
    },
    async winRowsBetween(raceId, from, to) {
      return (
        await sql.all<SqlRow<WinOddsRow>>(
          `SELECT ${WIN_COLUMNS} FROM odds_snapshot INDEXED BY idx_odds_race_time
           WHERE race_id = ? AND fetched_at >= ? AND fetched_at <= ? AND win_odds IS NOT NULL
           ORDER BY fetched_at, entry_id`,
          raceId,
          toDbTime(from),
          toDbTime(to),
        )
      ).map(winOddsRow);
    },
    async winSnapshotBefore(raceId, before) {
      const latest = await sql.get<{ fetched_at: DbTime }>(
        `SELECT fetched_at FROM odds_snapshot INDEXED BY idx_odds_race_time
         WHERE race_id = ? AND fetched_at < ? ORDER BY fetched_at DESC LIMIT 1`,
        raceId,
        toDbTime(before),
      );
      return boardAt(sql, raceId, latest?.fetched_at ?? null);
    },
    async lastBoardListing(raceId, entryId, atOrBefore) {
      // The instant by the runner's own rows (idx_odds_entry), then that board of the race.
      const listed = await sql.get<{ fetched_at: DbTime }>(
        `SELECT fetched_at FROM odds_snapshot INDEXED BY idx_odds_entry
         WHERE entry_id = ? AND fetched_at <= ? AND race_id = ? AND win_odds IS NOT NULL
         ORDER BY fetched_at DESC LIMIT 1`,
        entryId,
        toDbTime(atOrBefore),
        raceId,
      );
      return boardAt(sql, raceId, listed?.fetched_at ?? null);
    },
    exactaGrid(raceId, fetchedAt) {
      return exactaGridAt(sql, raceId, toDbTime(fetchedAt));
    },
    exactaGrids: (keys) => exactaGrids(sql, keys),
    winRowsBetweenEach: (spans) => winRowsBetweenEach(sql, spans),
    winSnapshotsBefore: (requests) => winSnapshotsBefore(sql, requests),
    async exactaInstantsBetween(raceId, from, to) {
      return (
        await sql.all<{ fetchedAt: DbTime }>(
          `SELECT DISTINCT fetched_at AS "fetchedAt" FROM exacta_probable
           WHERE race_id = ? AND fetched_at >= ? AND fetched_at <= ? ORDER BY fetched_at`,
          raceId,
          toDbTime(from),
          toDbTime(to),
        )
      ).map((row) => fromDbTime(row.fetchedAt));
    },
    async racesWithSnapshotsBetween(from, to, track) {
      const bounds = [toDbTime(from), toDbTime(to)];
      // CAST: PostgreSQL cannot type a parameter that is only compared with NULL.
      const rows = await sql.all<{ raceId: number }>(
        `SELECT r.race_id AS "raceId" FROM race r JOIN track t ON t.track_id = r.track_id
         WHERE (CAST(? AS TEXT) IS NULL OR t.name = ?) AND (
           EXISTS (SELECT 1 FROM odds_snapshot o INDEXED BY idx_odds_race_time
                   WHERE o.race_id = r.race_id AND o.fetched_at >= ? AND o.fetched_at <= ?)
           OR EXISTS (SELECT 1 FROM exacta_probable x INDEXED BY idx_exacta_race_time
                   WHERE x.race_id = r.race_id AND x.fetched_at >= ? AND x.fetched_at <= ?))
         ORDER BY r.race_id`,
        track ?? null,
        track ?? null,
        ...bounds,
        ...bounds,
      );
      return rows.map((row) => row.raceId);
    },
    async raceAlertsBetween(raceId, from, to) {
      return (
        await sql.all<SqlRow<AlertRef>>(
          `SELECT alert_type AS "alertType", subject, triggered_at AS "triggeredAt" FROM alert INDEXED BY idx_alert_race
           WHERE race_id = ? AND triggered_at >= ? AND triggered_at <= ?`,
          raceId,
          toDbTime(from),
          toDbTime(to),
        )
      ).map((row) => ({ ...row, triggeredAt: fromDbTime(row.triggeredAt) }));
    },
    raceAlerts: (raceIds) => raceAlerts(sql, raceIds),
    async alertExists(dedupeKey) {
      return (await sql.get(`SELECT 1 FROM alert WHERE dedupe_key = ?`, dedupeKey)) !== undefined;
    },
  };
}
