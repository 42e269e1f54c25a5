/**
 * The updated_at a card, status or scratch change writes to race and entry rows: the clock,
 * but always past every stamp already stored, so each committed change has a stamp of its own
 * and "changed since stamp S" (the dashboard's change marks, dashboard/changes.ts) is exactly
 * `updated_at > S`. Without it two changes in one millisecond, or a clock set back, would leave
 * the second one unseen.
 *
 * Invariant: called inside the change's write transaction (serialized with every other writer:
 * SQLite's BEGIN IMMEDIATE, PostgreSQL's advisory lock), so no other writer's stamp can come
 * between the read and the write. Two index seeks (idx_race_updated, idx_entry_updated).
 */
import type { Dialect, Sql } from "../sql.js";
import type { DbTime } from "../time.js";

// Numbers sort before text in SQLite: bounding by the largest safe integer keeps a text value an
// old version left out of the maximum, and keeps the seek on the index. The larger of the two is
// SQLite's two-argument max(), PostgreSQL's greatest().
const newestChangeExpr = (larger: "max" | "greatest") => `${larger}(
    coalesce((SELECT updated_at FROM race WHERE updated_at <= 9007199254740991 ORDER BY updated_at DESC LIMIT 1), 0),
    coalesce((SELECT updated_at FROM entry WHERE updated_at <= 9007199254740991 ORDER BY updated_at DESC LIMIT 1), 0))`;

const NEWEST_CHANGE_EXPR = newestChangeExpr("max");
const NEWEST_CHANGE_EXPR_PG = newestChangeExpr("greatest");

/** The newest change stamp stored (0 when none), as an SQL expression in `dialect`'s text. */
export const newestChangeExprFor = (dialect: Dialect): string =>
  dialect === "postgres" ? NEWEST_CHANGE_EXPR_PG : NEWEST_CHANGE_EXPR;

const NEWEST_CHANGE_SQL = `SELECT ${NEWEST_CHANGE_EXPR} AS newest`;
const NEWEST_CHANGE_SQL_PG = `SELECT ${NEWEST_CHANGE_EXPR_PG} AS newest`;

/** The newest change stamp stored (0 when none). */
export async function newestChangeStamp(sql: Sql): Promise<DbTime> {
  const text = sql.dialect === "postgres" ? NEWEST_CHANGE_SQL_PG : NEWEST_CHANGE_SQL;
  return (await sql.get<{ newest: DbTime }>(text))!.newest;
}

/** The stamp for a change made now: `now`, or one past the newest stored when that is not earlier. */
export async function changeStamp(sql: Sql, now: DbTime): Promise<DbTime> {
  return Math.max(now, (await newestChangeStamp(sql)) + 1);
}
