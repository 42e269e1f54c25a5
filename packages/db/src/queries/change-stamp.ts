/**
 * The updated_at a card, status or scratch change writes to race and entry rows: the clock,
 * but always past every stamp already stored, so each committed change has a stamp of its own
 * and "changed since stamp S" (the dashboard's change marks, dashboard/changes.ts) is exactly
 * `updated_at > S`. Without it two changes in one millisecond, or a clock set back, would leave
 * the second one unseen.
 *
 * Invariant: called inside the change's write transaction (BEGIN IMMEDIATE), so no other
 * writer's stamp can come between the read and the write. Two index seeks
 * (idx_race_updated, idx_entry_updated).
 */
import { statement, type Connection } from "../sql.js";
import type { DbTime } from "../time.js";

// Numbers sort before text in SQLite: bounding by the largest safe integer keeps a text value an
// old version left out of the maximum, and keeps the seek on the index.
export const NEWEST_CHANGE_EXPR = `max(
    coalesce((SELECT updated_at FROM race WHERE updated_at <= 9007199254740991 ORDER BY updated_at DESC LIMIT 1), 0),
    coalesce((SELECT updated_at FROM entry WHERE updated_at <= 9007199254740991 ORDER BY updated_at DESC LIMIT 1), 0))`;

const NEWEST_CHANGE_SQL = `SELECT ${NEWEST_CHANGE_EXPR} AS newest`;

/** The newest change stamp stored (0 when none). */
export function newestChangeStamp(sql: Connection): DbTime {
  return (statement(sql, NEWEST_CHANGE_SQL).get() as { newest: DbTime }).newest;
}

/** The stamp for a change made now: `now`, or one past the newest stored when that is not earlier. */
export function changeStamp(sql: Connection, now: DbTime): DbTime {
  return Math.max(now, newestChangeStamp(sql) + 1);
}
