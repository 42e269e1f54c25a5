/**
 * A race's status and off time: setRaceStatus, and the forward-only status
 * rule applyRaceCard (race-card.ts) shares.
 *
 * Invariants:
 * - Status only moves forward (tote's RACE_STATUS_RANK: scheduled -> open ->
 *   off -> official | cancelled); official and cancelled are both final.
 * - The off time (`off_at`) is the earliest instant any "off" observation
 *   reported (a status message's `at`, an "off" card's `asOf`): it can only
 *   move earlier, so replays and repeats in any order leave the same value,
 *   and a race that jumps straight to official or cancelled gets none.
 * - A write that moves neither the status nor the off time writes nothing.
 */
import { RACE_STATUS_RANK, type RaceStatus } from "@totewatch/tote";
import type { Db } from "../client.js";
import { InvalidInputError } from "../errors.js";
import type { Race } from "../generated/prisma/client.js";
import { resolveRace } from "../race-refs.js";
import { writeTransaction, type SqlRow } from "../sql.js";
import { earliestDbTime, toDbTime } from "../time.js";
import { changeStamp } from "./change-stamp.js";
import type { RaceKey, WriteResult } from "./races.js";

/** The status after `next` was reported for a race at `current`: `next` only when it ranks higher. */
export function advanceStatus(current: string, next: RaceStatus | null | undefined): string {
  if (!next) return current;
  const rank = RACE_STATUS_RANK[current as RaceStatus] ?? 0;
  return RACE_STATUS_RANK[next] > rank ? next : current;
}

/**
 * Moves a race's status forward (scheduled -> open -> off -> official | cancelled); never back.
 * `at` is when the status was observed: with "off" it reports the off, and `off_at` becomes the
 * earliest off instant seen (stored or `at`), even when the status itself does not move (a
 * repeat, or an "off" replayed after "official"). Another status, or "off" without `at`, leaves
 * the off time as it is. `changed` is false when neither the status nor the off time moved.
 */
export async function setRaceStatus(
  db: Db,
  key: RaceKey,
  status: RaceStatus,
  at?: Date | null,
): Promise<WriteResult> {
  if (at && Number.isNaN(at.getTime()))
    throw new InvalidInputError(`status ${key.track} ${key.raceDate} race ${key.raceNumber}: invalid time`);
  return writeTransaction(db, async (sql) => {
    const ref = await resolveRace(db, sql, key);
    const current = (await sql.get<SqlRow<Pick<Race, "status" | "offAt">>>(
      `SELECT status, off_at AS "offAt" FROM race WHERE race_id = ?`,
      ref.raceId,
    ))!;
    const next = advanceStatus(current.status, status);
    const offAt = earliestDbTime(current.offAt, status === "off" && at ? toDbTime(at) : null);
    if (next === current.status && offAt === current.offAt) return { changed: false, rows: 0 };
    await sql.run(
      `UPDATE race SET status = ?, off_at = ?, updated_at = ? WHERE race_id = ?`,
      next,
      offAt,
      await changeStamp(sql, toDbTime(new Date())),
      ref.raceId,
    );
    return { changed: true, rows: 1 };
  });
}
