/**
 * Scratches: a runner withdrawn from its race, and when that became known
 * (`entry.scratched_at`), which the scratch alert needs to fire on the same
 * board whether the daemon evaluates live or a backtest runs later.
 *
 * Invariants:
 * - A scratch is final: nothing sets `scratched` back to 0.
 * - `scratched_at` is the earliest observation that reported the scratch: the
 *   as-of time of a card saying `scratched` (race-card.ts) or the fetched_at
 *   of a win board listing the runner "SCR" (scratchFromBoard, odds.ts). It
 *   only moves earlier, so replays and repeats in any order leave the same
 *   value and a repeat writes nothing. An undated card (the top of a replayed
 *   file, which replay applies before anything timed) scratches with null:
 *   known from the start, the earliest there is, so nothing dates it later.
 * - `scratched_at` is null while `scratched` is 0.
 * - A board's "SCR" for a program number the card does not list is ignored
 *   (not checked), as a board's runners without odds always were.
 */
import { statement, type Connection } from "../sql.js";
import type { DbTime } from "../time.js";
import { changeStamp } from "./change-stamp.js";

/**
 * The ON CONFLICT assignments of an entry upsert that merge a scratch: the
 * flag only rises; the time takes the earlier of stored and new, where a
 * scratch without a time (undated card) is the earliest of all. SQLite's
 * two-argument min() is NULL when either is, hence the CASE and coalesce.
 */
export const MERGE_SCRATCH = `scratched = max(scratched, excluded.scratched),
  scratched_at = CASE
    WHEN scratched = 1 AND scratched_at IS NULL THEN NULL
    WHEN excluded.scratched = 1 AND excluded.scratched_at IS NULL THEN NULL
    ELSE coalesce(min(scratched_at, excluded.scratched_at), scratched_at, excluded.scratched_at) END`;

/** True (for an upsert's DO UPDATE ... WHERE) when MERGE_SCRATCH would change the stored row. */
export const SCRATCH_MOVES = `(excluded.scratched > scratched OR (scratched = 1 AND scratched_at IS NOT NULL
  AND excluded.scratched = 1 AND (excluded.scratched_at IS NULL OR excluded.scratched_at < scratched_at)))`;

/**
 * Marks the runners a win board fetched at `fetchedAt` (stored instant) lists as "SCR" scratched,
 * known since the earlier of the stored time and `fetchedAt` (a scratch known from the start,
 * null, stays so); inside the board's transaction.
 * Returns the rows changed (0 for a repeat).
 */
export function scratchFromBoard(
  sql: Connection,
  raceId: number,
  programNumbers: readonly string[],
  fetchedAt: DbTime,
  now: DbTime,
): number {
  const update = statement(
    sql,
    `UPDATE entry SET scratched = 1, scratched_at = coalesce(min(scratched_at, ?), ?), updated_at = ?
     WHERE race_id = ? AND program_number = ? AND (scratched = 0 OR scratched_at > ?)`,
  );
  if (programNumbers.length === 0) return 0;
  const stamp = changeStamp(sql, now);
  let rows = 0;
  for (const program of programNumbers) {
    rows += update.run(fetchedAt, fetchedAt, stamp, raceId, program, fetchedAt).changes;
  }
  return rows;
}
