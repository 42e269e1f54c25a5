/**
 * Which channel takes which alert (a channel's `only:` in the config), decided
 * in SQL where delivery rows are created, dropped and read: the routes go in
 * as one JSON parameter (routesJson) and routeMatchSql tests an alert against
 * one of them. routeTakes is its JS twin for alerts not stored (a dry run).
 *
 * Invariants:
 * - A row is created only where its channel's route takes the alert
 *   (ensurePendingDeliveries); an undelivered row whose route does not take
 *   its alert is dropped (dropUnroutedDeliveries), and an alert left with only
 *   delivered rows becomes sent in the same transaction.
 * - Delivered rows are history: never dropped.
 * - Each statement has a SQLite text (json_each, json_extract) and a PostgreSQL one (jsonb), with
 *   the same results (routeMatchSql says where they could part).
 */
import type { Db } from "../client.js";
import { InvalidInputError } from "../errors.js";
import { readRaw, writeTransaction, type Dialect } from "../sql.js";
import { toDbTime } from "../time.js";
import { insertDeliveryRows, validateChannels } from "./deliveries.js";
/**
 * Which alerts one channel takes (its `only:` in the config). An absent (or null) field takes every
 * alert: `types` by alert type, `tracks` by the name of the alert's race's track (an alert naming no
 * race matches no track list), `minStrength` by details.strength (an alert without one does not
 * reach a minimum). A bare channel name is a route that takes every alert.
 */
export interface DeliveryRoute {
  channel: string;
  types?: readonly string[] | null;
  tracks?: readonly string[] | null;
  minStrength?: number | null;
}

export type ChannelRoute = string | DeliveryRoute;

/** The routes as the JSON array the SQL below reads (`?`), one per channel (the first wins). */
export function routesJson(channels: readonly ChannelRoute[], where: string): string {
  const routes = new Map<string, Required<DeliveryRoute>>();
  for (const entry of channels) {
    const route = typeof entry === "string" ? { channel: entry } : entry;
    validateChannels([route.channel], where);
    if (route.minStrength != null && !Number.isFinite(route.minStrength)) {
      throw new InvalidInputError(`${where}: minStrength must be a number, got ${route.minStrength}`);
    }
    if (routes.has(route.channel)) continue;
    routes.set(route.channel, {
      channel: route.channel,
      types: route.types ?? null,
      tracks: route.tracks ?? null,
      minStrength: route.minStrength ?? null,
    });
  }
  return JSON.stringify([...routes.values()]);
}

/**
 * True when alert `a` is one the route `route` (a JSON object of routesJson) takes. The JS twin is
 * routeTakes (tested to agree). On PostgreSQL `route` is jsonb, and details that are not JSON count
 * as no strength, as json_valid makes them on SQLite; but PostgreSQL 15 cannot test JSON without
 * parsing it, so only text shaped as an object ({...}: every details text insertAlert stores is one)
 * is parsed, and a hand-written row whose details look like an object but are not JSON fails the
 * statement there. A strength that is not a number compares as on SQLite (a JSON string, object or
 * array above every number, true and false as 1 and 0), unlike routeTakes, which takes only numbers.
 */
export const routeMatchSql = (route: string, dialect: Dialect = "sqlite") =>
  dialect === "postgres" ? routeMatchPostgres(route) : routeMatchSqlite(route);

const routeMatchSqlite = (route: string) => `(
    (json_extract(${route}, '$.types') IS NULL
      OR a.alert_type IN (SELECT value FROM json_each(${route}, '$.types')))
    AND (json_extract(${route}, '$.tracks') IS NULL
      OR EXISTS (SELECT 1 FROM race rr JOIN track tt ON tt.track_id = rr.track_id
                 WHERE rr.race_id = a.race_id
                   AND tt.name IN (SELECT value FROM json_each(${route}, '$.tracks'))))
    AND (json_extract(${route}, '$.minStrength') IS NULL
      OR json_extract(CASE WHEN json_valid(a.details) THEN a.details END, '$.strength')
         >= json_extract(${route}, '$.minStrength')))`;

const routeMatchPostgres = (route: string) => `(
    (${route} ->> 'types' IS NULL
      OR a.alert_type IN (SELECT jsonb_array_elements_text(${route} -> 'types')))
    AND (${route} ->> 'tracks' IS NULL
      OR EXISTS (SELECT 1 FROM race rr JOIN track tt ON tt.track_id = rr.track_id
                 WHERE rr.race_id = a.race_id
                   AND tt.name IN (SELECT jsonb_array_elements_text(${route} -> 'tracks'))))
    AND (${route} ->> 'minStrength' IS NULL
      OR CASE WHEN a.details ~ '^\\s*\\{.*\\}\\s*$' THEN
           (SELECT CASE jsonb_typeof(st.v)
                     WHEN 'number' THEN CAST(st.v #>> '{}' AS DOUBLE PRECISION)
                     WHEN 'boolean' THEN CASE WHEN st.v #>> '{}' = 'true' THEN 1 ELSE 0 END
                   END >= CAST(${route} ->> 'minStrength' AS DOUBLE PRECISION)
                   OR jsonb_typeof(st.v) IN ('string', 'object', 'array')
            FROM (SELECT CAST(a.details AS jsonb) -> 'strength' AS v) st)
         END))`;

/** What routeMatchSql decides, for an alert in hand (a dry run's would-be alert). */
export function routeTakes(
  route: ChannelRoute,
  alert: { alertType: string; details: Record<string, unknown> | null; race: { track: string } | null },
): boolean {
  if (typeof route === "string") return true;
  if (route.types != null && !route.types.includes(alert.alertType)) return false;
  if (route.tracks != null && (alert.race === null || !route.tracks.includes(alert.race.track))) return false;
  if (route.minStrength != null) {
    const strength = alert.details?.strength;
    if (typeof strength !== "number" || !(strength >= route.minStrength)) return false;
  }
  return true;
}

/** The routes of routesJson's `?` as rows `c` (`c.value` the route), and a route's channel. */
export const routesFromSql = (dialect: Dialect) =>
  dialect === "postgres" ? `jsonb_array_elements(CAST(? AS jsonb)) c(value)` : `json_each(?) c`;
// SQLite joins them where its planner likes; PostgreSQL needs a join condition (or CROSS).
const routesJoinSql = (dialect: Dialect) =>
  `${dialect === "postgres" ? "CROSS JOIN" : "JOIN"} ${routesFromSql(dialect)}`;
export const routeChannelSql = (dialect: Dialect, route = "c.value") =>
  dialect === "postgres" ? `${route} ->> 'channel'` : `json_extract(${route}, '$.channel')`;

const missingSql = (dialect: Dialect) => `
  FROM alert a ${routesJoinSql(dialect)}
  WHERE a.sent = FALSE
    AND NOT EXISTS (SELECT 1 FROM alert_delivery d
                    WHERE d.alert_id = a.alert_id AND d.channel = ${routeChannelSql(dialect)})
    AND ${routeMatchSql("c.value", dialect)}`;

/**
 * Unsent alerts without a delivery row for one of the routes in `?` (routesJson) that takes them;
 * `c.value` is the route. By dialect.
 */
export const MISSING_SQL = { sqlite: missingSql("sqlite"), postgres: missingSql("postgres") };

/**
 * Creates the missing delivery rows for every unsent alert (a channel
 * enabled after the alert was stored), only where the channel's route takes
 * the alert. Looks first and writes only when something is missing (no write
 * lock taken on the common, nothing-to-do path). Returns how many rows were
 * created.
 */
export async function ensurePendingDeliveries(
  db: Db,
  channels: readonly ChannelRoute[],
  /** The rows' created_at (a digest's window starts there); default the wall clock. */
  now: Date = new Date(),
): Promise<number> {
  const json = routesJson(channels, "ensurePendingDeliveries");
  if (channels.length === 0) return 0;
  const anyMissing = await readRaw(db, (sql) =>
    sql.get(`SELECT 1 ${MISSING_SQL[sql.dialect]} LIMIT 1`, json),
  );
  if (!anyMissing) return 0;
  return writeTransaction(db, async (sql) => {
    // In a fixed order, so both engines number the new rows alike.
    const missing = await sql.all<{ alert_id: number; channel: string }>(
      `SELECT a.alert_id, ${routeChannelSql(sql.dialect)} AS channel ${MISSING_SQL[sql.dialect]}
       ORDER BY a.alert_id, channel`,
      json,
    );
    const at = toDbTime(now);
    let created = 0;
    for (const row of missing) created += await insertDeliveryRows(sql, row.alert_id, [row.channel], at);
    return created;
  });
}

/** Undelivered rows of the routes' channels (`?`) whose route does not take their alert. */
const unroutedSql = (dialect: Dialect) => `
  FROM alert_delivery d
  JOIN alert a ON a.alert_id = d.alert_id
  JOIN ${routesFromSql(dialect)} ON ${routeChannelSql(dialect)} = d.channel
  WHERE d.delivered_at IS NULL AND NOT ${routeMatchSql("c.value", dialect)}`;
const UNROUTED_SQL = { sqlite: unroutedSql("sqlite"), postgres: unroutedSql("postgres") };

export interface DroppedDeliveries {
  /** Undelivered rows removed: their channel's route no longer takes the alert. */
  dropped: number;
  /** Alerts that became sent by it (every row left was delivered). */
  sent: number;
  /**
   * Alerts this left with no delivery row at all (no channel's route takes them): they stay unsent,
   * and are reported here once (the call that drops their last row).
   */
  unrouted: Array<{ alertId: number; alertType: string }>;
}

/**
 * Removes the undelivered rows a channel owes for alerts its route does not
 * take (rows stored with the alert for every enabled channel, or before the
 * route was set), so no row waits forever for a channel that will never send
 * it. An alert left with rows that are all delivered becomes sent, at its
 * last delivery's time, in the same transaction (as recordDeliverySuccess
 * would have made it); one left with no rows at all stays unsent. Delivered
 * rows are history and are kept. Looks first; writes only when there is
 * something to remove.
 */
export async function dropUnroutedDeliveries(
  db: Db,
  channels: readonly ChannelRoute[],
): Promise<DroppedDeliveries> {
  const json = routesJson(channels, "dropUnroutedDeliveries");
  if (channels.length === 0) return { dropped: 0, sent: 0, unrouted: [] };
  const any = await readRaw(db, (sql) => sql.get(`SELECT 1 ${UNROUTED_SQL[sql.dialect]} LIMIT 1`, json));
  if (!any) return { dropped: 0, sent: 0, unrouted: [] };
  return writeTransaction(db, async (sql) => {
    const rows = await sql.all<{ delivery_id: number; alert_id: number }>(
      `SELECT d.delivery_id, d.alert_id ${UNROUTED_SQL[sql.dialect]} ORDER BY d.delivery_id`,
      json,
    );
    const dropped = await sql.runEach(
      `DELETE FROM alert_delivery WHERE delivery_id = ? AND delivered_at IS NULL`,
      rows.map((row) => [row.delivery_id]),
    );
    let sent = 0;
    const unrouted: DroppedDeliveries["unrouted"] = [];
    for (const alertId of new Set(rows.map((row) => row.alert_id))) {
      sent += await sql.run(
        `UPDATE alert SET sent = TRUE,
         sent_at = (SELECT max(delivered_at) FROM alert_delivery WHERE alert_id = alert.alert_id)
       WHERE alert_id = ? AND sent = FALSE
         AND EXISTS (SELECT 1 FROM alert_delivery WHERE alert_id = alert.alert_id)
         AND NOT EXISTS (SELECT 1 FROM alert_delivery WHERE alert_id = alert.alert_id AND delivered_at IS NULL)`,
        alertId,
      );
      const left = await sql.get<{ alertId: number; alertType: string }>(
        `SELECT alert_id AS "alertId", alert_type AS "alertType" FROM alert
       WHERE alert_id = ? AND sent = FALSE AND NOT EXISTS (SELECT 1 FROM alert_delivery WHERE alert_id = alert.alert_id)`,
        alertId,
      );
      if (left) unrouted.push(left);
    }
    return { dropped, sent, unrouted };
  });
}
