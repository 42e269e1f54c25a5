/**
 * Reads for people: the `alerts list` table, the demo's summary and the
 * benchmarks' counts. Not on any hot path; alerts come back in the one
 * StoredAlert shape.
 */
import type { Db } from "../client.js";
import { InvalidInputError } from "../errors.js";
import { readRaw, statement } from "../sql.js";
import {
  STORED_ALERT_COLUMNS,
  STORED_ALERT_JOINS,
  toStoredAlert,
  type StoredAlert,
  type StoredAlertRow,
} from "./stored-alert.js";

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

const STRENGTH = `json_extract(CASE WHEN json_valid(a.details) THEN a.details END, '$.strength')`;

/** Stored alerts with race, track and horse. */
export async function listAlerts(db: Db, options: ListAlertsOptions = {}): Promise<StoredAlert[]> {
  const limit = options.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InvalidInputError(`listAlerts: limit must be a whole number >= 1, got ${limit}`);
  }
  const order =
    options.order === "strongest"
      ? `ORDER BY ${STRENGTH} IS NULL, ${STRENGTH} DESC, a.triggered_at, a.alert_id`
      : `ORDER BY a.triggered_at DESC, a.alert_id DESC`;
  return readRaw(db, (sql) =>
    (
      statement(
        sql,
        `SELECT ${STORED_ALERT_COLUMNS} FROM alert a ${STORED_ALERT_JOINS}
         WHERE (? = 0 OR a.sent = 0) AND (? IS NULL OR r.race_date = ?) ${order} LIMIT ?`,
      ).all(
        options.unsentOnly ? 1 : 0,
        options.raceDate ?? null,
        options.raceDate ?? null,
        limit,
      ) as StoredAlertRow[]
    ).map(toStoredAlert),
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
      races: one(`SELECT count(*) AS n FROM (${races}) AS s`),
      winSnapshots: one(
        `SELECT count(*) AS n FROM (SELECT DISTINCT race_id, fetched_at FROM odds_snapshot WHERE race_id IN (${races})) AS s`,
      ),
      winRows: one(`SELECT count(*) AS n FROM odds_snapshot WHERE race_id IN (${races})`),
      exactaGrids: one(
        `SELECT count(*) AS n FROM (SELECT DISTINCT race_id, fetched_at FROM exacta_probable WHERE race_id IN (${races})) AS s`,
      ),
      exactaRows: one(`SELECT count(*) AS n FROM exacta_probable WHERE race_id IN (${races})`),
    };
  });
}
