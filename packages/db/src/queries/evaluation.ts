/**
 * Data access for the alerts engine: reading new snapshots after a
 * high-water mark with the card and the history the rules need, the alerts
 * suppression looks at, and storing a pass's alerts, their delivery rows and
 * the high-water marks in ONE transaction (so a crash can neither lose an
 * alert nor evaluate a snapshot twice).
 *
 * The reader's methods are synchronous and valid only inside
 * `evaluationTransaction` / `evaluationReadTransaction`: every read of a pass
 * then sees one consistent state of the file, whatever ingest commits meanwhile.
 */
import type Database from "better-sqlite3";
import type { Db } from "../client.js";
import { parseAlertDetails } from "./alerts.js";
import { exactaGridAt } from "./odds.js";
import { InvalidInputError } from "../errors.js";
import { readRaw, statement, writeTransaction } from "../sql.js";
import { fromDbTime, toDbTime } from "../time.js";
import type { AlertInput } from "./alerts.js";

/** One runner's row of a stored win snapshot. */
export interface WinOddsRow {
  snapshotId: number;
  raceId: number;
  entryId: number;
  fetchedAt: Date;
  winOdds: number;
  winPoolAmount: number | null;
  totalWinPool: number | null;
}

/** A stored exacta grid (all probables of one race at one instant). */
export interface ExactaGridHead {
  raceId: number;
  fetchedAt: Date;
  /** Highest exacta_id among the grid's rows written after the mark. */
  lastExactaId: number;
}

export interface ExactaHeads {
  heads: ExactaGridHead[];
  truncated: boolean;
}

export interface StoredExactaGrid {
  raceId: number;
  fetchedAt: Date;
  totalExactaPool: number | null;
  probables: Array<{ first: string; second: string; payout: number }>;
}

export interface EvaluationEntry {
  entryId: number;
  programNumber: string;
  horse: string;
  morningLineOdds: number | null;
  scratched: boolean;
}

/** A race as the rules see it, with its card by entry id. */
export interface EvaluationRace {
  raceId: number;
  track: string;
  timezone: string;
  raceDate: string;
  raceNumber: number;
  postTime: Date | null;
  status: string;
  entries: Map<number, EvaluationEntry>;
}

/** A stored alert as suppression compares it. */
export interface StoredAlertRef {
  alertType: string;
  subject: string | null;
  triggeredAt: Date;
}

/** Synchronous reads (and, in a write transaction, writes) for one evaluation pass. */
export interface EvaluationReader {
  /** A named high-water mark (0 when never written). */
  cursor(name: string): number;
  /** Win odds rows with snapshot_id > afterSnapshotId, by id; at most `limit`. */
  winRowsAfter(afterSnapshotId: number, limit: number): WinOddsRow[];
  /**
   * Whole exacta grids with rows after the mark, by their last id: at most
   * `maxGrids`, read from at most `maxRows` rows after the mark (a grid the
   * row limit cuts off is left for the next read). `truncated`: more may follow.
   */
  exactaHeadsAfter(afterExactaId: number, limits: { maxGrids: number; maxRows: number }): ExactaHeads;
  /** Per race, the earliest fetched_at of win rows after the mark (what is still pending there). */
  pendingWinStarts(afterSnapshotId: number): Map<number, Date>;
  /** Per race, the earliest fetched_at of exacta rows after the mark. */
  pendingExactaStarts(afterExactaId: number): Map<number, Date>;
  /** Races (with track and card) by id; unknown ids are left out. */
  races(raceIds: readonly number[]): Map<number, EvaluationRace>;
  /** Every win row of a race with from <= fetched_at <= to, by time then entry. */
  winRowsBetween(raceId: number, from: Date, to: Date): WinOddsRow[];
  /** The rows of the race's latest win snapshot strictly before `before` ([] when none). */
  winSnapshotBefore(raceId: number, before: Date): WinOddsRow[];
  /** One exacta grid, all its rows. */
  exactaGrid(raceId: number, fetchedAt: Date): StoredExactaGrid;
  /** Exacta grid instants of a race within [from, to], oldest first. */
  exactaInstantsBetween(raceId: number, from: Date, to: Date): Date[];
  /** Races with a win or exacta snapshot within [from, to] (optionally at one track), by id. */
  racesWithSnapshotsBetween(from: Date, to: Date, track?: string): number[];
  /** A race's alerts triggered within [from, to]. */
  raceAlertsBetween(raceId: number, from: Date, to: Date): StoredAlertRef[];
}

/** The write side of a pass; only inside `evaluationTransaction`. */
export interface EvaluationWriter extends EvaluationReader {
  /**
   * Stores an alert unless its dedupe key is known, with one delivery row per
   * channel for a new alert. Returns the alert id and whether it was new.
   */
  storeAlert(
    input: AlertInput,
    channels: readonly string[],
    now: Date,
  ): { alertId: number; created: boolean };
  /** Moves a named high-water mark. */
  setCursor(name: string, position: number, now: Date): void;
}

interface WinRow {
  snapshot_id: number;
  race_id: number;
  entry_id: number;
  fetched_at: string;
  win_odds: number;
  win_pool_amount: number | null;
  total_win_pool: number | null;
}

const WIN_COLUMNS = `snapshot_id, race_id, entry_id, fetched_at, win_odds, win_pool_amount, total_win_pool`;

const toWinOddsRow = (row: WinRow): WinOddsRow => ({
  snapshotId: row.snapshot_id,
  raceId: row.race_id,
  entryId: row.entry_id,
  fetchedAt: fromDbTime(row.fetched_at),
  winOdds: row.win_odds,
  winPoolAmount: row.win_pool_amount,
  totalWinPool: row.total_win_pool,
});

function reader(sql: Database.Database): EvaluationReader {
  const q = (text: string) => statement(sql, text);
  return {
    cursor(name) {
      const row = q(`SELECT position FROM cursor WHERE name = ?`).get(name) as
        { position: number } | undefined;
      return row?.position ?? 0;
    },
    winRowsAfter(afterSnapshotId, limit) {
      return (
        q(`SELECT ${WIN_COLUMNS} FROM odds_snapshot WHERE snapshot_id > ? ORDER BY snapshot_id LIMIT ?`).all(
          afterSnapshotId,
          limit,
        ) as WinRow[]
      ).map(toWinOddsRow);
    },
    exactaHeadsAfter(afterExactaId, limits) {
      // Grouped over an id range (the primary key), never over the whole table.
      const read = (maxRows: number) =>
        q(
          `SELECT race_id, fetched_at, max(exacta_id) AS last_id, count(*) AS n FROM (
             SELECT race_id, fetched_at, exacta_id FROM exacta_probable WHERE exacta_id > ? ORDER BY exacta_id LIMIT ?)
           GROUP BY race_id, fetched_at ORDER BY last_id`,
        ).all(afterExactaId, maxRows) as Array<{
          race_id: number;
          fetched_at: string;
          last_id: number;
          n: number;
        }>;
      let maxRows = limits.maxRows;
      let groups = read(maxRows);
      let cut = groups.reduce((sum, group) => sum + group.n, 0) >= maxRows;
      // One grid bigger than the row limit: read more until it fits.
      while (cut && groups.length === 1) {
        maxRows *= 2;
        groups = read(maxRows);
        cut = groups.reduce((sum, group) => sum + group.n, 0) >= maxRows;
      }
      if (cut) groups.pop();
      const truncated = cut || groups.length > limits.maxGrids;
      return {
        heads: groups.slice(0, limits.maxGrids).map((row) => ({
          raceId: row.race_id,
          fetchedAt: fromDbTime(row.fetched_at),
          lastExactaId: row.last_id,
        })),
        truncated,
      };
    },
    pendingWinStarts(afterSnapshotId) {
      const rows = q(
        `SELECT race_id, min(fetched_at) AS first FROM odds_snapshot NOT INDEXED WHERE snapshot_id > ? GROUP BY race_id`,
      ).all(afterSnapshotId) as Array<{ race_id: number; first: string }>;
      return new Map(rows.map((row) => [row.race_id, fromDbTime(row.first)]));
    },
    pendingExactaStarts(afterExactaId) {
      const rows = q(
        `SELECT race_id, min(fetched_at) AS first FROM exacta_probable NOT INDEXED WHERE exacta_id > ? GROUP BY race_id`,
      ).all(afterExactaId) as Array<{ race_id: number; first: string }>;
      return new Map(rows.map((row) => [row.race_id, fromDbTime(row.first)]));
    },
    races(raceIds) {
      const result = new Map<number, EvaluationRace>();
      if (raceIds.length === 0) return result;
      const ids = JSON.stringify([...new Set(raceIds)]);
      const races = q(
        `SELECT r.race_id, t.name AS track, t.timezone, r.race_date, r.race_number, r.post_time, r.status
         FROM race r JOIN track t ON t.track_id = r.track_id WHERE r.race_id IN (SELECT value FROM json_each(?))`,
      ).all(ids) as Array<{
        race_id: number;
        track: string;
        timezone: string;
        race_date: string;
        race_number: number;
        post_time: string | null;
        status: string;
      }>;
      for (const race of races) {
        result.set(race.race_id, {
          raceId: race.race_id,
          track: race.track,
          timezone: race.timezone,
          raceDate: race.race_date,
          raceNumber: race.race_number,
          postTime: race.post_time === null ? null : fromDbTime(race.post_time),
          status: race.status,
          entries: new Map(),
        });
      }
      const entries = q(
        `SELECT e.race_id, e.entry_id, e.program_number, h.name AS horse, e.morning_line_odds, e.scratched
         FROM entry e JOIN horse h ON h.horse_id = e.horse_id WHERE e.race_id IN (SELECT value FROM json_each(?))`,
      ).all(ids) as Array<{
        race_id: number;
        entry_id: number;
        program_number: string;
        horse: string;
        morning_line_odds: number | null;
        scratched: number;
      }>;
      for (const entry of entries) {
        result.get(entry.race_id)?.entries.set(entry.entry_id, {
          entryId: entry.entry_id,
          programNumber: entry.program_number,
          horse: entry.horse,
          morningLineOdds: entry.morning_line_odds,
          scratched: entry.scratched === 1,
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
        ).all(raceId, toDbTime(from), toDbTime(to)) as WinRow[]
      ).map(toWinOddsRow);
    },
    winSnapshotBefore(raceId, before) {
      const latest = q(
        `SELECT fetched_at FROM odds_snapshot INDEXED BY idx_odds_race_time
         WHERE race_id = ? AND fetched_at < ? ORDER BY fetched_at DESC LIMIT 1`,
      ).get(raceId, toDbTime(before)) as { fetched_at: string } | undefined;
      if (!latest) return [];
      return (
        q(
          `SELECT ${WIN_COLUMNS} FROM odds_snapshot INDEXED BY idx_odds_race_time
           WHERE race_id = ? AND fetched_at = ? AND win_odds IS NOT NULL ORDER BY entry_id`,
        ).all(raceId, latest.fetched_at) as WinRow[]
      ).map(toWinOddsRow);
    },
    exactaGrid(raceId, fetchedAt) {
      return exactaGridAt(sql, raceId, toDbTime(fetchedAt));
    },
    exactaInstantsBetween(raceId, from, to) {
      return (
        q(
          `SELECT DISTINCT fetched_at FROM exacta_probable WHERE race_id = ? AND fetched_at >= ? AND fetched_at <= ?
           ORDER BY fetched_at`,
        ).all(raceId, toDbTime(from), toDbTime(to)) as Array<{ fetched_at: string }>
      ).map((row) => fromDbTime(row.fetched_at));
    },
    racesWithSnapshotsBetween(from, to, track) {
      const bounds = [toDbTime(from), toDbTime(to)];
      const rows = q(
        `SELECT r.race_id FROM race r JOIN track t ON t.track_id = r.track_id
         WHERE (? IS NULL OR t.name = ?) AND (
           EXISTS (SELECT 1 FROM odds_snapshot o INDEXED BY idx_odds_race_time
                   WHERE o.race_id = r.race_id AND o.fetched_at >= ? AND o.fetched_at <= ?)
           OR EXISTS (SELECT 1 FROM exacta_probable x INDEXED BY idx_exacta_race_time
                   WHERE x.race_id = r.race_id AND x.fetched_at >= ? AND x.fetched_at <= ?))
         ORDER BY r.race_id`,
      ).all(track ?? null, track ?? null, ...bounds, ...bounds) as Array<{ race_id: number }>;
      return rows.map((row) => row.race_id);
    },
    raceAlertsBetween(raceId, from, to) {
      return (
        q(
          `SELECT alert_type, subject, triggered_at FROM alert INDEXED BY idx_alert_race
           WHERE race_id = ? AND triggered_at >= ? AND triggered_at <= ?`,
        ).all(raceId, toDbTime(from), toDbTime(to)) as Array<{
          alert_type: string;
          subject: string | null;
          triggered_at: string;
        }>
      ).map((row) => ({
        alertType: row.alert_type,
        subject: row.subject,
        triggeredAt: fromDbTime(row.triggered_at),
      }));
    },
  };
}

function writer(sql: Database.Database): EvaluationWriter {
  const q = (text: string) => statement(sql, text);
  return {
    ...reader(sql),
    storeAlert(input, channels, now) {
      const at = toDbTime(now);
      const inserted = q(
        `INSERT INTO alert (triggered_at, race_id, entry_id, alert_type, threshold_value, actual_value, message,
                            dedupe_key, subject, details, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING alert_id`,
      ).get(
        toDbTime(input.triggeredAt),
        input.raceId ?? null,
        input.entryId ?? null,
        input.alertType,
        input.thresholdValue ?? null,
        input.actualValue ?? null,
        input.message,
        input.dedupeKey,
        input.subject ?? null,
        input.details ? JSON.stringify(input.details) : null,
        at,
      ) as { alert_id: number } | undefined;
      if (!inserted) {
        const existing = q(`SELECT alert_id FROM alert WHERE dedupe_key = ?`).get(input.dedupeKey) as {
          alert_id: number;
        };
        return { alertId: existing.alert_id, created: false };
      }
      const delivery = q(
        `INSERT INTO alert_delivery (alert_id, channel, created_at) VALUES (?, ?, ?)
         ON CONFLICT (alert_id, channel) DO NOTHING`,
      );
      for (const channel of new Set(channels)) delivery.run(inserted.alert_id, channel, at);
      return { alertId: inserted.alert_id, created: true };
    },
    setCursor(name, position, now) {
      if (!Number.isInteger(position) || position < 0) {
        throw new InvalidInputError(`cursor ${name}: position must be a whole number >= 0, got ${position}`);
      }
      q(
        `INSERT INTO cursor (name, position, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
      ).run(name, position, toDbTime(now));
    },
  };
}

/**
 * Runs one evaluation pass as a single `BEGIN IMMEDIATE` transaction: what it
 * reads is what it decides on, and its alerts, delivery rows and cursors commit
 * together or not at all. `work` must be synchronous (no awaits inside).
 */
export function evaluationTransaction<T>(db: Db, work: (tx: EvaluationWriter) => T): Promise<T> {
  return writeTransaction(db, (sql) => work(writer(sql)));
}

/** Runs read-only `work` in one read transaction (a consistent view of the file); writes nothing. */
export function evaluationReadTransaction<T>(db: Db, work: (tx: EvaluationReader) => T): Promise<T> {
  return readRaw(db, (sql) => sql.transaction(() => work(reader(sql))).deferred());
}

// ---------------------------------------------------------------- listings

/** A stored alert with its race and runner, for tables and summaries. */
export interface AlertListing {
  alertId: number;
  triggeredAt: Date;
  alertType: string;
  subject: string | null;
  message: string;
  thresholdValue: number | null;
  actualValue: number | null;
  details: Record<string, unknown> | null;
  sent: boolean;
  sentAt: Date | null;
  track: string | null;
  timezone: string | null;
  raceDate: string | null;
  raceNumber: number | null;
  horse: string | null;
  /** details.strength when the rule recorded one. */
  strength: number | null;
}

const LISTING_SQL = `
  SELECT a.alert_id, a.triggered_at, a.alert_type, a.subject, a.message, a.threshold_value, a.actual_value, a.details,
         a.sent, a.sent_at, t.name AS track, t.timezone, r.race_date, r.race_number, h.name AS horse,
         json_extract(CASE WHEN json_valid(a.details) THEN a.details END, '$.strength') AS strength
  FROM alert a
  LEFT JOIN race r ON r.race_id = a.race_id
  LEFT JOIN track t ON t.track_id = r.track_id
  LEFT JOIN entry e ON e.entry_id = a.entry_id
  LEFT JOIN horse h ON h.horse_id = e.horse_id`;

interface ListingRow {
  alert_id: number;
  triggered_at: string;
  alert_type: string;
  subject: string | null;
  message: string;
  threshold_value: number | null;
  actual_value: number | null;
  details: string | null;
  sent: number;
  sent_at: string | null;
  track: string | null;
  timezone: string | null;
  race_date: string | null;
  race_number: number | null;
  horse: string | null;
  strength: number | null;
}

const toListing = (row: ListingRow): AlertListing => ({
  alertId: row.alert_id,
  triggeredAt: fromDbTime(row.triggered_at),
  alertType: row.alert_type,
  subject: row.subject,
  message: row.message,
  thresholdValue: row.threshold_value,
  actualValue: row.actual_value,
  details: parseAlertDetails(row.details),
  sent: row.sent === 1,
  sentAt: row.sent_at === null ? null : fromDbTime(row.sent_at),
  track: row.track,
  timezone: row.timezone,
  raceDate: row.race_date,
  raceNumber: row.race_number,
  horse: row.horse,
  strength: typeof row.strength === "number" ? row.strength : null,
});

export interface ListAlertsOptions {
  /** Only alerts not yet delivered on every channel. */
  unsentOnly?: boolean;
  /** Only alerts of races run on this (track-local) date, YYYY-MM-DD. */
  raceDate?: string;
  /** Default 50. */
  limit?: number;
  /** "recent": newest first (default); "strongest": by details.strength, strongest first. */
  order?: "recent" | "strongest";
}

/** Stored alerts with race, track and horse. */
export async function listAlerts(db: Db, options: ListAlertsOptions = {}): Promise<AlertListing[]> {
  const limit = options.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InvalidInputError(`listAlerts: limit must be a whole number >= 1, got ${limit}`);
  }
  const order =
    options.order === "strongest"
      ? `ORDER BY strength IS NULL, strength DESC, a.triggered_at, a.alert_id`
      : `ORDER BY a.triggered_at DESC, a.alert_id DESC`;
  return readRaw(db, (sql) =>
    (
      statement(
        sql,
        `${LISTING_SQL} WHERE (? = 0 OR a.sent = 0) AND (? IS NULL OR r.race_date = ?) ${order} LIMIT ?`,
      ).all(
        options.unsentOnly ? 1 : 0,
        options.raceDate ?? null,
        options.raceDate ?? null,
        limit,
      ) as ListingRow[]
    ).map(toListing),
  );
}

/** How many alerts each rule (alert type) has stored, most first; optionally for one race date. */
export async function alertCountsByType(
  db: Db,
  options: { raceDate?: string } = {},
): Promise<Array<{ alertType: string; count: number }>> {
  const date = options.raceDate ?? null;
  return readRaw(db, (sql) =>
    (
      statement(
        sql,
        `SELECT a.alert_type, count(*) AS n FROM alert a LEFT JOIN race r ON r.race_id = a.race_id
         WHERE (? IS NULL OR r.race_date = ?) GROUP BY a.alert_type ORDER BY n DESC, a.alert_type`,
      ).all(date, date) as Array<{ alert_type: string; n: number }>
    ).map((row) => ({ alertType: row.alert_type, count: row.n })),
  );
}

export interface OddsActivity {
  races: number;
  /** Distinct (race, fetched_at) win snapshots. */
  winSnapshots: number;
  winRows: number;
  exactaGrids: number;
  exactaRows: number;
}

/** What the database holds (optionally for one race date): races, win snapshots and exacta grids. */
export async function oddsActivity(db: Db, options: { raceDate?: string } = {}): Promise<OddsActivity> {
  const date = options.raceDate ?? null;
  return readRaw(db, (sql) => {
    const races = `SELECT race_id FROM race WHERE (? IS NULL OR race_date = ?)`;
    const one = (text: string) => (statement(sql, text).get(date, date) as { n: number }).n;
    return {
      races: one(`SELECT count(*) AS n FROM (${races})`),
      winSnapshots: one(
        `SELECT count(*) AS n FROM (SELECT DISTINCT race_id, fetched_at FROM odds_snapshot WHERE race_id IN (${races}))`,
      ),
      winRows: one(`SELECT count(*) AS n FROM odds_snapshot WHERE race_id IN (${races})`),
      exactaGrids: one(
        `SELECT count(*) AS n FROM (SELECT DISTINCT race_id, fetched_at FROM exacta_probable WHERE race_id IN (${races}))`,
      ),
      exactaRows: one(`SELECT count(*) AS n FROM exacta_probable WHERE race_id IN (${races})`),
    };
  });
}
