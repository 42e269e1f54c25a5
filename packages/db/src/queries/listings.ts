/**
 * Reads for people: the `alerts list` table, the demo's summary and the
 * benchmarks' counts. Not on any hot path; alerts come back in the one
 * StoredAlert shape.
 *
 * Invariant: "strongest" ranks by details.strength as SQLite's json_extract reads it (details
 * that are not JSON are unranked); PostgreSQL 15 cannot test text for JSON without failing on
 * it, so there the same ranking is computed here (sqliteStrength) over the filtered rows.
 */
import type { Db } from "../client.js";
import { InvalidInputError } from "../errors.js";
import { readRaw, type Sql } from "../sql.js";
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
  const filters = [options.unsentOnly ? 1 : 0, options.raceDate ?? null, options.raceDate ?? null] as const;
  return readRaw(db, async (sql) => {
    if (sql.dialect === "postgres" && options.order === "strongest")
      return strongestOnPostgres(sql, filters, limit);
    return (
      await sql.all<StoredAlertRow>(
        `SELECT ${STORED_ALERT_COLUMNS} FROM alert a ${STORED_ALERT_JOINS}
         WHERE (? = 0 OR a.sent = FALSE) AND (CAST(? AS TEXT) IS NULL OR r.race_date = ?) ${order} LIMIT ?`,
        ...filters,
        limit,
      )
    ).map(toStoredAlert);
  });
}

/** listAlerts' "strongest" order on PostgreSQL: the filtered alerts, ranked as SQLite's ORDER BY ranks them. */
async function strongestOnPostgres(
  sql: Sql,
  filters: readonly [number, string | null, string | null],
  limit: number,
): Promise<StoredAlert[]> {
  const rows = await sql.all<StoredAlertRow>(
    `SELECT ${STORED_ALERT_COLUMNS} FROM alert a ${STORED_ALERT_JOINS}
     WHERE (? = 0 OR a.sent = FALSE) AND (CAST(? AS TEXT) IS NULL OR r.race_date = ?)`,
    ...filters,
  );
  return rows
    .map((row) => ({ row, strength: sqliteStrength(row.details) }))
    .sort(
      (a, b) =>
        compareStrengthDesc(a.strength, b.strength) ||
        a.row.triggeredAt - b.row.triggeredAt ||
        a.row.alertId - b.row.alertId,
    )
    .slice(0, limit)
    .map(({ row }) => toStoredAlert(row));
}

/**
 * STRENGTH's value for `details`: null when the text is not JSON or has no strength; a JSON
 * number (or boolean, as 1/0) as a number; a string as its text; an object or array as its JSON.
 */
function sqliteStrength(details: string | null): number | string | null {
  if (details === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(details);
  } catch {
    return null;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return null;
  const value = (parsed as Record<string, unknown>).strength;
  if (value === undefined || value === null) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number" || typeof value === "string") return value;
  return JSON.stringify(value);
}

/** `STRENGTH IS NULL, STRENGTH DESC` as SQLite orders it: values before NULL, text above numbers. */
function compareStrengthDesc(a: number | string | null, b: number | string | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (typeof a !== typeof b) return typeof a === "string" ? -1 : 1;
  return a < b ? 1 : a > b ? -1 : 0;
}

/** How many alerts each rule (alert type) has stored, most first; optionally for one race date. */
export async function alertCountsByType(
  db: Db,
  options: { raceDate?: string } = {},
): Promise<Array<{ alertType: string; count: number }>> {
  const date = options.raceDate ?? null;
  return readRaw(db, async (sql) =>
    (
      await sql.all<{ alert_type: string; n: number }>(
        `SELECT a.alert_type, count(*) AS n FROM alert a LEFT JOIN race r ON r.race_id = a.race_id
         WHERE (CAST(? AS TEXT) IS NULL OR r.race_date = ?) GROUP BY a.alert_type ORDER BY n DESC, a.alert_type`,
        date,
        date,
      )
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
  return readRaw(db, async (sql) => {
    const races = `SELECT race_id FROM race WHERE (CAST(? AS TEXT) IS NULL OR race_date = ?)`;
    const one = async (text: string) => (await sql.get<{ n: number }>(text, date, date))!.n;
    return {
      races: await one(`SELECT count(*) AS n FROM (${races}) AS s`),
      winSnapshots: await one(
        `SELECT count(*) AS n FROM (SELECT DISTINCT race_id, fetched_at FROM odds_snapshot WHERE race_id IN (${races})) AS s`,
      ),
      winRows: await one(`SELECT count(*) AS n FROM odds_snapshot WHERE race_id IN (${races})`),
      exactaGrids: await one(
        `SELECT count(*) AS n FROM (SELECT DISTINCT race_id, fetched_at FROM exacta_probable WHERE race_id IN (${races})) AS s`,
      ),
      exactaRows: await one(`SELECT count(*) AS n FROM exacta_probable WHERE race_id IN (${races})`),
    };
  });
}
