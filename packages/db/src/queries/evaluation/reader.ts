/**
 * The reads of an evaluation pass (view.ts): prepared statements on the raw
 * connection, inside the caller's transaction. Hot: a pass runs them per race
 * it evaluates, while holding the write lock.
 */
import { statement, type Connection, type SqlRow } from "../../sql.js";
import { fromDbTime, toDbTime, type DbTime } from "../../time.js";
import { cursorPosition } from "../cursors.js";
import { exactaGridAt } from "../exacta.js";
import { nextBatch } from "./batches.js";
import type { AlertRef } from "../alerts.js";
import type { EvaluationEntry, EvaluationRace, EvaluationReader, WinOddsRow } from "./view.js";

/** The columns of a WinOddsRow, under its field names (also read by late-changes.ts). */
export const WIN_COLUMNS = `snapshot_id AS "snapshotId", race_id AS "raceId", entry_id AS "entryId", fetched_at AS "fetchedAt",
  win_odds AS "winOdds", win_pool_amount AS "winPoolAmount", total_win_pool AS "totalWinPool"`;

export const toWinOddsRow = (row: SqlRow<WinOddsRow>): WinOddsRow => ({
  ...row,
  fetchedAt: fromDbTime(row.fetchedAt),
});

/** The win rows (with odds) of one board of a race, by entry id; [] for no board (`fetchedAt` null). */
export function boardAt(sql: Connection, raceId: number, fetchedAt: DbTime | null): WinOddsRow[] {
  if (fetchedAt === null) return [];
  return (
    statement(
      sql,
      `SELECT ${WIN_COLUMNS} FROM odds_snapshot INDEXED BY idx_odds_race_time
       WHERE race_id = ? AND fetched_at = ? AND win_odds IS NOT NULL ORDER BY entry_id`,
    ).all(raceId, fetchedAt) as Array<SqlRow<WinOddsRow>>
  ).map(toWinOddsRow);
}

export function reader(sql: Connection): EvaluationReader {
  const q = (text: string) => statement(sql, text);
  return {
    cursor: (name) => cursorPosition(sql, name),
    nextBatch: (marks, limits) => nextBatch(sql, marks, limits),
    races(raceIds) {
      const result = new Map<number, EvaluationRace>();
      if (raceIds.length === 0) return result;
      const ids = JSON.stringify([...new Set(raceIds)]);
      const races = q(
        `SELECT r.race_id AS "raceId", t.name AS track, t.timezone, r.race_date AS "raceDate", r.race_number AS "raceNumber",
                r.post_time AS "postTime", r.status, r.off_at AS "offAt"
         FROM race r JOIN track t ON t.track_id = r.track_id WHERE r.race_id IN (SELECT value FROM json_each(?))`,
      ).all(ids) as Array<SqlRow<Omit<EvaluationRace, "entries">>>;
      for (const race of races) {
        result.set(race.raceId, {
          ...race,
          postTime: race.postTime === null ? null : fromDbTime(race.postTime),
          offAt: race.offAt === null ? null : fromDbTime(race.offAt),
          entries: new Map(),
        });
      }
      const entries = q(
        `SELECT e.race_id AS "raceId", e.entry_id AS "entryId", e.program_number AS "programNumber", h.name AS horse,
                e.morning_line_odds AS "morningLineOdds", e.scratched, e.scratched_at AS "scratchedAt"
         FROM entry e JOIN horse h ON h.horse_id = e.horse_id WHERE e.race_id IN (SELECT value FROM json_each(?))`,
      ).all(ids) as Array<SqlRow<EvaluationEntry> & { raceId: number }>;
      for (const { raceId, scratched, scratchedAt, ...entry } of entries) {
        result.get(raceId)?.entries.set(entry.entryId, {
          ...entry,
          scratched: scratched === 1,
          scratchedAt: scratchedAt === null ? null : fromDbTime(scratchedAt),
        });
      }
      return result;
    },
    winRowsBetween(raceId, from, to) {
      return (
        q(
          `SELECT ${WIN_COLUMNS} FROM odds_snapshot INDEXED BY idx_odds_race_time
           WHERE race_id = ? AND fetched_at >= ? AND fetched_at <= ? AND win_odds IS NOT NULL
           ORDER BY fetched_at, entry_id`,
        ).all(raceId, toDbTime(from), toDbTime(to)) as Array<SqlRow<WinOddsRow>>
      ).map(toWinOddsRow);
    },
    winSnapshotBefore(raceId, before) {
      const latest = q(
        `SELECT fetched_at FROM odds_snapshot INDEXED BY idx_odds_race_time
         WHERE race_id = ? AND fetched_at < ? ORDER BY fetched_at DESC LIMIT 1`,
      ).get(raceId, toDbTime(before)) as { fetched_at: DbTime } | undefined;
      return boardAt(sql, raceId, latest?.fetched_at ?? null);
    },
    lastBoardListing(raceId, entryId, atOrBefore) {
      // The instant by the runner's own rows (idx_odds_entry), then that board of the race.
      const listed = q(
        `SELECT fetched_at FROM odds_snapshot INDEXED BY idx_odds_entry
         WHERE entry_id = ? AND fetched_at <= ? AND race_id = ? AND win_odds IS NOT NULL
         ORDER BY fetched_at DESC LIMIT 1`,
      ).get(entryId, toDbTime(atOrBefore), raceId) as { fetched_at: DbTime } | undefined;
      return boardAt(sql, raceId, listed?.fetched_at ?? null);
    },
    exactaGrid(raceId, fetchedAt) {
      return exactaGridAt(sql, raceId, toDbTime(fetchedAt));
    },
    exactaInstantsBetween(raceId, from, to) {
      return (
        q(
          `SELECT DISTINCT fetched_at AS "fetchedAt" FROM exacta_probable
           WHERE race_id = ? AND fetched_at >= ? AND fetched_at <= ? ORDER BY fetched_at`,
        ).all(raceId, toDbTime(from), toDbTime(to)) as Array<{ fetchedAt: DbTime }>
      ).map((row) => fromDbTime(row.fetchedAt));
    },
    racesWithSnapshotsBetween(from, to, track) {
      const bounds = [toDbTime(from), toDbTime(to)];
      const rows = q(
        `SELECT r.race_id AS "raceId" FROM race r JOIN track t ON t.track_id = r.track_id
         WHERE (? IS NULL OR t.name = ?) AND (
           EXISTS (SELECT 1 FROM odds_snapshot o INDEXED BY idx_odds_race_time
                   WHERE o.race_id = r.race_id AND o.fetched_at >= ? AND o.fetched_at <= ?)
           OR EXISTS (SELECT 1 FROM exacta_probable x INDEXED BY idx_exacta_race_time
                   WHERE x.race_id = r.race_id AND x.fetched_at >= ? AND x.fetched_at <= ?))
         ORDER BY r.race_id`,
      ).all(track ?? null, track ?? null, ...bounds, ...bounds) as Array<{ raceId: number }>;
      return rows.map((row) => row.raceId);
    },
    raceAlertsBetween(raceId, from, to) {
      return (
        q(
          `SELECT alert_type AS "alertType", subject, triggered_at AS "triggeredAt" FROM alert INDEXED BY idx_alert_race
           WHERE race_id = ? AND triggered_at >= ? AND triggered_at <= ?`,
        ).all(raceId, toDbTime(from), toDbTime(to)) as Array<SqlRow<AlertRef>>
      ).map((row) => ({ ...row, triggeredAt: fromDbTime(row.triggeredAt) }));
    },
    alertExists(dedupeKey) {
      return q(`SELECT 1 FROM alert WHERE dedupe_key = ?`).get(dedupeKey) !== undefined;
    },
  };
}
