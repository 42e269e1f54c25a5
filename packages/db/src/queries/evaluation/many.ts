/**
 * The reads of an evaluation pass that ask the same thing of many races or grids (view.ts
 * EvaluationReader: exactaGrids, winRowsBetweenEach, winSnapshotsBefore, raceAlerts): a statement for up to
 * REQUESTS_PER_STATEMENT requests instead of one each, which on PostgreSQL is a round trip each.
 *
 * Invariants:
 * - Each request's rows are what the one-request read (reader.ts) returns for it, in its order.
 * - The requests travel as one JSON array parameter, so a statement's text never changes (one
 *   prepared statement on either engine).
 * - On PostgreSQL a request's rows come back as one row holding a JSON array (a grid's cells, a
 *   window's win rows): parsing a row a cell (a protocol message, a string and an object a value)
 *   was most of the alerts daemon's work, and JSON.parse of one array does it in a fraction.
 * - On PostgreSQL each request is a look-up on the index, a LATERAL subquery kept apart from
 *   the requests by OFFSET 0. As a join (an IN, or a LATERAL the planner pulls up), the plan
 *   guesses 100 requests, and until a table passes a few hundred thousand rows it hashed them
 *   and scanned the whole table at every pass: 70 ms a statement in a 5-track day.
 */
import type { Sql, SqlRow } from "../../sql.js";
import { fromDbTime, toDbTime } from "../../time.js";
import type { AlertRef } from "../alerts.js";
import type { ExactaGrid } from "../exacta.js";
import type { WinOddsRow } from "./view.js";

/** Requests a statement takes at most: bounds what one statement returns (~8,000 exacta rows). */
export const REQUESTS_PER_STATEMENT = 50;

type Request = ReadonlyArray<number>;
type RequestRow = { request: number | string };

/** `request` (each row's request, from 0), then the requests' table `k`, in the session's dialect. */
const requestsFrom = (sql: Sql): { request: string; from: string } =>
  sql.dialect === "postgres"
    ? { request: "k.n - 1", from: "jsonb_array_elements(CAST(? AS jsonb)) WITH ORDINALITY AS k(value, n)" }
    : { request: "k.key", from: "json_each(?) AS k" };

/** Field `index` of the current request, as an integer. */
const field = (sql: Sql, index: number): string =>
  sql.dialect === "postgres"
    ? `CAST(k.value ->> ${index} AS BIGINT)`
    : `json_extract(k.value, '$[${index}]')`;

/** What a read of many requests reads for each: `where` may use field(sql, i); `order` (aliases) orders a request's rows. */
interface ManyRead {
  columns: string;
  table: string;
  /** SQLite's index for the look-up (PostgreSQL drops INDEXED BY). */
  hint: string;
  where: string;
  order: readonly string[];
}

/** The statement of `read`: its rows for every request in the JSON array parameter, request by request. */
function statementOf(sql: Sql, read: ManyRead): string {
  const { request, from } = requestsFrom(sql);
  return sql.dialect === "postgres"
    ? `SELECT ${request} AS request, r.* FROM ${from}
       CROSS JOIN LATERAL (SELECT ${read.columns} FROM ${read.table} WHERE ${read.where} OFFSET 0) AS r
       ORDER BY ${["k.n", ...read.order.map((name) => `r."${name}"`)].join(", ")}`
    : `SELECT ${request} AS request, ${read.columns} FROM ${from}
       JOIN ${read.table} INDEXED BY ${read.hint} ON ${read.where}
       ORDER BY k.key, ${read.order.map((name) => `"${name}"`).join(", ")}`;
}

/** The rows of each request, in the order of `requests`, REQUESTS_PER_STATEMENT at a time. */
async function perRequest<Row>(sql: Sql, requests: readonly Request[], read: ManyRead): Promise<Row[][]> {
  const text = statementOf(sql, read);
  const result = requests.map((): Row[] => []);
  for (let start = 0; start < requests.length; start += REQUESTS_PER_STATEMENT) {
    const chunk = JSON.stringify(requests.slice(start, start + REQUESTS_PER_STATEMENT));
    for (const row of await sql.all<Row & RequestRow>(text, chunk))
      result[start + Number(row.request)]!.push(row);
  }
  return result;
}

/** The columns of a WinOddsRow, under its field names (reader.ts reads them too). */
export const WIN_COLUMNS = `snapshot_id AS "snapshotId", race_id AS "raceId", entry_id AS "entryId", fetched_at AS "fetchedAt",
  win_odds AS "winOdds", win_pool_amount AS "winPoolAmount", total_win_pool AS "totalWinPool"`;

const gridRead = (sql: Sql): ManyRead => ({
  columns: `exacta_id AS "exactaId", first_horse AS first, second_horse AS second, payout,
    total_exacta_pool AS "totalExactaPool"`,
  table: "exacta_probable",
  hint: "idx_exacta_race_time",
  where: `race_id = ${field(sql, 0)} AND fetched_at = ${field(sql, 1)}`,
  order: ["exactaId"],
});

/** PostgreSQL's grid read: one row a grid, its cells one JSON array (see the header); `pool` is its first cell's. */
const gridAggregateRead = (sql: Sql): ManyRead => ({
  columns: `(array_agg(total_exacta_pool ORDER BY exacta_id))[1] AS "pool",
    json_agg(json_build_array(exacta_id, first_horse, second_horse, payout) ORDER BY exacta_id) AS "cells"`,
  table: "exacta_probable",
  hint: "idx_exacta_race_time",
  where: gridRead(sql).where,
  order: [],
});

const winRowsRead = (sql: Sql): ManyRead => ({
  columns: WIN_COLUMNS,
  table: "odds_snapshot",
  hint: "idx_odds_race_time",
  where: `race_id = ${field(sql, 0)} AND fetched_at >= ${field(sql, 1)} AND fetched_at <= ${field(sql, 2)}
    AND win_odds IS NOT NULL`,
  order: ["fetchedAt", "entryId"],
});

const boardBeforeRead = (sql: Sql): ManyRead => ({
  columns: WIN_COLUMNS,
  table: "odds_snapshot",
  hint: "idx_odds_race_time",
  where: `race_id = ${field(sql, 0)} AND win_odds IS NOT NULL AND fetched_at = (
    SELECT latest.fetched_at FROM odds_snapshot AS latest INDEXED BY idx_odds_race_time
    WHERE latest.race_id = ${field(sql, 0)} AND latest.fetched_at < ${field(sql, 1)}
    ORDER BY latest.fetched_at DESC LIMIT 1)`,
  order: ["entryId"],
});

/** PostgreSQL's form of a win read: a request's rows as one JSON array of WinCells, ordered by `orderBy`. */
const winAggregate = (read: ManyRead, orderBy: string): ManyRead => ({
  ...read,
  columns: `json_agg(json_build_array(snapshot_id, race_id, entry_id, fetched_at, win_odds, win_pool_amount,
    total_win_pool) ORDER BY ${orderBy}) AS "cells"`,
  order: [],
});
type WinCell = [
  snapshotId: number,
  raceId: number,
  entryId: number,
  fetchedAt: number,
  winOdds: number,
  winPoolAmount: number | null,
  totalWinPool: number | null,
];

/** A win read as each engine sends it: rows on SQLite, one JSON array a request on PostgreSQL. */
const winReadOf = (sql: Sql, read: ManyRead, orderBy: string) =>
  sql.dialect === "postgres" ? winAggregate(read, orderBy) : read;
const WIN_ROWS_ORDER = "fetched_at, entry_id";
const BOARD_ORDER = "entry_id";

const raceAlertsRead = (sql: Sql): ManyRead => ({
  columns: `alert_type AS "alertType", subject, triggered_at AS "triggeredAt"`,
  table: "alert",
  hint: "idx_alert_race",
  where: `race_id = ${field(sql, 0)}`,
  order: ["triggeredAt"],
});

/** The statements of the reads, as sent (the tests check PostgreSQL's plans of them). */
export const manyReadStatements = (sql: Sql) => ({
  raceAlerts: statementOf(sql, raceAlertsRead(sql)),
  exactaGrids: statementOf(sql, sql.dialect === "postgres" ? gridAggregateRead(sql) : gridRead(sql)),
  winRowsBetweenEach: statementOf(sql, winReadOf(sql, winRowsRead(sql), WIN_ROWS_ORDER)),
  winSnapshotsBefore: statementOf(sql, winReadOf(sql, boardBeforeRead(sql), BOARD_ORDER)),
});

/** The win rows of each request (`read`: its rows, `orderBy` their order in PostgreSQL's JSON form). */
async function winRowsOf(
  sql: Sql,
  requests: readonly Request[],
  read: ManyRead,
  orderBy: string,
): Promise<WinOddsRow[][]> {
  if (sql.dialect === "postgres") {
    const rows = await perRequest<{ cells: WinCell[] | null }>(sql, requests, winAggregate(read, orderBy));
    return rows.map((request) =>
      (request[0]?.cells ?? []).map(
        ([snapshotId, raceId, entryId, fetchedAt, winOdds, winPoolAmount, totalWinPool]) => ({
          snapshotId,
          raceId,
          entryId,
          fetchedAt: fromDbTime(fetchedAt),
          winOdds,
          winPoolAmount,
          totalWinPool,
        }),
      ),
    );
  }
  return (await perRequest<SqlRow<WinOddsRow>>(sql, requests, read)).map((rows) => rows.map(winOddsRow));
}

/** A stored win row as the rules read it (named fields: a rest copy is slow, and a pass reads thousands). */
export const winOddsRow = (row: SqlRow<WinOddsRow>): WinOddsRow => ({
  snapshotId: row.snapshotId,
  raceId: row.raceId,
  entryId: row.entryId,
  fetchedAt: fromDbTime(row.fetchedAt),
  winOdds: row.winOdds,
  winPoolAmount: row.winPoolAmount,
  totalWinPool: row.totalWinPool,
});

/** EvaluationReader.exactaGrids: each (race, instant)'s grid; a pair asked twice is read once. */
export async function exactaGrids(
  sql: Sql,
  keys: ReadonlyArray<{ raceId: number; fetchedAt: Date }>,
): Promise<ExactaGrid[]> {
  const byKey = new Map<string, ExactaGrid>();
  for (const { raceId, fetchedAt } of keys) {
    const at = toDbTime(fetchedAt);
    if (!byKey.has(`${raceId}:${at}`))
      byKey.set(`${raceId}:${at}`, {
        raceId,
        fetchedAt: fromDbTime(at),
        totalExactaPool: null,
        probables: [],
      });
  }
  const grids = [...byKey.values()];
  const requests = grids.map((grid) => [grid.raceId, toDbTime(grid.fetchedAt)]);
  if (sql.dialect === "postgres") {
    type Cell = [exactaId: number, first: string, second: string, payout: number];
    const rows = await perRequest<{ pool: number | null; cells: Cell[] | null }>(
      sql,
      requests,
      gridAggregateRead(sql),
    );
    grids.forEach((grid, i) => {
      const row = rows[i]![0];
      grid.totalExactaPool = row?.pool ?? null;
      grid.probables = (row?.cells ?? []).map(([exactaId, first, second, payout]) => ({
        exactaId,
        first,
        second,
        payout,
      }));
    });
  } else {
    type GridRow = ExactaGrid["probables"][number] & Pick<ExactaGrid, "totalExactaPool">;
    const rows = await perRequest<GridRow>(sql, requests, gridRead(sql));
    grids.forEach((grid, i) => {
      const gridRows = rows[i]!;
      grid.totalExactaPool = gridRows[0]?.totalExactaPool ?? null;
      grid.probables = gridRows.map((row) => ({
        exactaId: row.exactaId,
        first: row.first,
        second: row.second,
        payout: row.payout,
      }));
    });
  }
  return keys.map(({ raceId, fetchedAt }) => byKey.get(`${raceId}:${toDbTime(fetchedAt)}`)!);
}

/** EvaluationReader.winRowsBetweenEach: winRowsBetween of each span. */
export async function winRowsBetweenEach(
  sql: Sql,
  spans: ReadonlyArray<{ raceId: number; from: Date; to: Date }>,
): Promise<WinOddsRow[][]> {
  return winRowsOf(
    sql,
    spans.map((span) => [span.raceId, toDbTime(span.from), toDbTime(span.to)]),
    winRowsRead(sql),
    WIN_ROWS_ORDER,
  );
}

/** EvaluationReader.winSnapshotsBefore: winSnapshotBefore of each (race, instant). */
export async function winSnapshotsBefore(
  sql: Sql,
  requests: ReadonlyArray<{ raceId: number; before: Date }>,
): Promise<WinOddsRow[][]> {
  return winRowsOf(
    sql,
    requests.map((request) => [request.raceId, toDbTime(request.before)]),
    boardBeforeRead(sql),
    BOARD_ORDER,
  );
}

/** EvaluationReader.raceAlerts: every alert of each race (the alert table keeps a season's: an index look-up each). */
export async function raceAlerts(sql: Sql, raceIds: readonly number[]): Promise<Map<number, AlertRef[]>> {
  const ids = [...new Set(raceIds)];
  const rows = await perRequest<SqlRow<AlertRef>>(
    sql,
    ids.map((raceId) => [raceId]),
    raceAlertsRead(sql),
  );
  return new Map(
    ids.map((raceId, i) => [
      raceId,
      rows[i]!.map((row) => ({
        alertType: row.alertType,
        subject: row.subject,
        triggeredAt: fromDbTime(row.triggeredAt),
      })),
    ]),
  );
}
