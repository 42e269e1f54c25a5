/**
 * Scratches: a runner withdrawn from its race, and when that became known
 * (`entry.scratched_at`), which the scratch alert needs to fire on the same
 * board whether the daemon evaluates live or a backtest runs later.
 *
 * Invariants:
 * - A scratch is final: nothing sets `scratched` back to false.
 * - `scratched_at` is the earliest observation that reported the scratch: the
 *   as-of time of a card saying `scratched` (race-card.ts) or the fetched_at
 *   of a win board listing the runner "SCR" (scratchFromBoard, odds.ts). It
 *   only moves earlier, so replays and repeats in any order leave the same
 *   value and a repeat writes nothing. An undated card (the top of a replayed
 *   file, which replay applies before anything timed) scratches with null:
 *   known from the start, the earliest there is, so nothing dates it later.
 * - `scratched_at` is null while `scratched` is false.
 * - A board's "SCR" for a program number the card does not list is ignored
 *   (not checked), as a board's runners without odds always were.
 */
import type { Dialect, Sql } from "../sql.js";
import type { DbTime } from "../time.js";
import { changeStamp } from "./change-stamp.js";

/**
 * The ON CONFLICT assignments of an entry upsert that merge a scratch: the
 * flag only rises; the time takes the earlier of stored and new, where a
 * scratch without a time (undated card) is the earliest of all. SQLite's
 * two-argument min() is NULL when either is (PostgreSQL's least() skips a
 * NULL), hence the CASE and coalesce, which give both the same result. The
 * stored row is named `entry.` (PostgreSQL finds a bare name ambiguous with
 * `excluded.`), so the upsert must be INSERT INTO entry.
 */
const mergeScratch = (
  larger: "max" | "greatest",
  smaller: "min" | "least",
) => `scratched = ${larger}(entry.scratched, excluded.scratched),
  scratched_at = CASE
    WHEN entry.scratched = TRUE AND entry.scratched_at IS NULL THEN NULL
    WHEN excluded.scratched = TRUE AND excluded.scratched_at IS NULL THEN NULL
    ELSE coalesce(${smaller}(entry.scratched_at, excluded.scratched_at), entry.scratched_at, excluded.scratched_at) END`;
const MERGE_SCRATCH = mergeScratch("max", "min");
const MERGE_SCRATCH_PG = mergeScratch("greatest", "least");

/** The merge assignments above in `dialect`'s text. */
export const mergeScratchFor = (dialect: Dialect): string =>
  dialect === "postgres" ? MERGE_SCRATCH_PG : MERGE_SCRATCH;

/** True (for an upsert's DO UPDATE ... WHERE) when the merge assignments would change the stored row. */
export const SCRATCH_MOVES = `(excluded.scratched > entry.scratched OR (entry.scratched = TRUE AND entry.scratched_at IS NOT NULL
  AND excluded.scratched = TRUE AND (excluded.scratched_at IS NULL OR excluded.scratched_at < entry.scratched_at)))`;

const boardScratch = (smaller: "min" | "least") =>
  `UPDATE entry SET scratched = TRUE, scratched_at = coalesce(${smaller}(scratched_at, ?), ?), updated_at = ?
     WHERE race_id = ? AND program_number = ? AND (scratched = FALSE OR scratched_at > ?)`;
const BOARD_SCRATCH = boardScratch("min");
const BOARD_SCRATCH_PG = boardScratch("least");

/**
 * Marks the runners a win board fetched at `fetchedAt` (stored instant) lists as "SCR" scratched,
 * known since the earlier of the stored time and `fetchedAt` (a scratch known from the start,
 * null, stays so); inside the board's transaction.
 * Resolves to the rows changed (0 for a repeat).
 */
export async function scratchFromBoard(
  sql: Sql,
  raceId: number,
  programNumbers: readonly string[],
  fetchedAt: DbTime,
  now: DbTime,
): Promise<number> {
  if (programNumbers.length === 0) return 0;
  const stamp = await changeStamp(sql, now);
  return sql.runEach(
    sql.dialect === "postgres" ? BOARD_SCRATCH_PG : BOARD_SCRATCH,
    programNumbers.map((program) => [fetchedAt, fetchedAt, stamp, raceId, program, fetchedAt]),
  );
}
