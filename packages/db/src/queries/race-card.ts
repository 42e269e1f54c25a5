/**
 * A race's card written: applyRaceCard puts the track, the race row and its
 * runners (horses, entries, scratches) in one transaction.
 *
 * Invariants:
 * - A card applies in one transaction; applying it again changes nothing.
 * - A card observed before the newest one applied (`asOf`) only adds what
 *   can only move forward (runners, scratches, status, an earlier off or
 *   scratch time) and fills what was never stored; it never rolls back post
 *   time, jockeys or morning lines.
 * - Status and off time follow race-status.ts; scratches and their times
 *   follow scratches.ts (a scratch is final; `scratched_at` is the earliest
 *   `asOf` of a card saying so, untouched by an undated card).
 * Tracks are their own module (tracks.ts); natural-key look-ups and their
 * cache are race-refs.ts, whose entry for the race a card drops.
 */
import type { RaceStatus } from "@totewatch/tote";
import type { Db } from "../client.js";
import { InvalidInputError } from "../errors.js";
import type { Horse, Race } from "../generated/prisma/client.js";
import { raceCacheFor, raceKeyText } from "../race-refs.js";
import { writeTransaction, type Sql, type SqlRow } from "../sql.js";
import { earliestDbTime, toDbTime, type DbTime } from "../time.js";
import { advanceStatus } from "./race-status.js";
import type { RaceKey, WriteResult } from "./races.js";
import { mergeScratchFor, SCRATCH_MOVES } from "./scratches.js";
import { changeStamp } from "./change-stamp.js";
import { upsertTrack } from "./tracks.js";

/**
 * One runner of a card (a write input, not a stored row). Absent (or null)
 * morning line, jockey and trainer keep what is stored: a later card that
 * only announces a scratch must not erase the rest of the runner's card.
 */
export interface CardEntryInput {
  programNumber: string;
  horse: string;
  /** Odds-to-1 (5-2 -> 2.5). */
  morningLineOdds?: number | null;
  jockey?: string | null;
  trainer?: string | null;
  /** Scratched (final); known since the card's `asOf` when it has one. */
  scratched?: boolean;
}

export interface RaceCardInput extends RaceKey {
  trackCode?: string | null;
  /** IANA zone; when absent the track keeps the one it has (new tracks: America/New_York). */
  timezone?: string | null;
  /** Post time as an instant; absent keeps the stored one. */
  postTime?: Date | null;
  /**
   * When this card was observed. A card older than the newest one applied
   * only adds runners, scratches and status; absent: always current. A card
   * whose status is "off" also reports the off at this instant (see setRaceStatus),
   * and its scratches are known from this instant on (see scratches.ts).
   */
  asOf?: Date | null;
  status?: RaceStatus | null;
  entries: CardEntryInput[];
}

/**
 * Applies a race card: track, race, horses and entries in one transaction
 * (see the invariants above). A later card updates post time, status,
 * scratches, jockeys and trainers, matched by program number.
 */
export async function applyRaceCard(db: Db, card: RaceCardInput): Promise<WriteResult> {
  validateCard(card);
  return writeTransaction(db, async (sql) => {
    // One stamp for the whole card, past every change stored (change-stamp.ts).
    const now = await changeStamp(sql, toDbTime(new Date()));
    const track = await upsertTrack(
      sql,
      { name: card.track, code: card.trackCode, timezone: card.timezone },
      now,
    );
    let rows = track.rows;

    const postTime = card.postTime ? toDbTime(card.postTime) : null;
    const asOf = card.asOf ? toDbTime(card.asOf) : null;
    // An "off" card observed at asOf says the race was off by then (a card without one dates nothing).
    const offAt = card.status === "off" ? asOf : null;
    rows += await sql.run(
      `INSERT INTO race (track_id, race_date, race_number, post_time, status, card_as_of, off_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (track_id, race_date, race_number) DO NOTHING`,
      track.trackId,
      card.raceDate,
      card.raceNumber,
      postTime,
      card.status ?? "scheduled",
      asOf,
      offAt,
      now,
      now,
    );
    const race = (await sql.get<SqlRow<Pick<Race, "id" | "postTime" | "status" | "cardAsOf" | "offAt">>>(
      `SELECT race_id AS id, post_time AS "postTime", status, card_as_of AS "cardAsOf", off_at AS "offAt"
       FROM race WHERE track_id = ? AND race_date = ? AND race_number = ?`,
      track.trackId,
      card.raceDate,
      card.raceNumber,
    ))!;
    // A card observed before the newest one applied (a file replayed again) is
    // stale: only what can only move forward is taken from it (new runners,
    // scratches, status), never an older post time, jockey or morning line.
    // A card without an as-of time (the top of a replayed file) counts as stale
    // once the race has a dated card: it cannot be newer than one we know of.
    const stale = race.cardAsOf !== null && (asOf === null || asOf < race.cardAsOf);
    // A stale card still fills what the database has never had.
    const nextPost = stale ? (race.postTime ?? postTime) : (postTime ?? race.postTime);
    const nextStatus = advanceStatus(race.status, card.status);
    const nextAsOf = asOf !== null && !stale ? asOf : race.cardAsOf;
    // Even a stale card's off observation counts: the off time is the earliest one seen.
    const nextOffAt = earliestDbTime(race.offAt, offAt);
    if (
      nextPost !== race.postTime ||
      nextStatus !== race.status ||
      nextAsOf !== race.cardAsOf ||
      nextOffAt !== race.offAt
    ) {
      rows += await sql.run(
        `UPDATE race SET post_time = ?, status = ?, card_as_of = ?, off_at = ?, updated_at = ? WHERE race_id = ?`,
        nextPost,
        nextStatus,
        nextAsOf,
        nextOffAt,
        now,
        race.id,
      );
    }

    for (const entry of card.entries) rows += await upsertEntry(sql, race.id, entry, { now, asOf, stale });
    raceCacheFor(db).delete(raceKeyText(card));
    return { changed: rows > 0, rows };
  });
}

/** How one card writes its runners: when (stored instant), observed when (null: undated), and whether stale. */
interface CardWrite {
  now: DbTime;
  asOf: DbTime | null;
  stale: boolean;
}

async function upsertEntry(
  sql: Sql,
  raceId: number,
  entry: CardEntryInput,
  card: CardWrite,
): Promise<number> {
  const rows = await sql.run(
    `INSERT INTO horse (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`,
    entry.horse,
    card.now,
  );
  const horseId = (await sql.get<Pick<Horse, "id">>(
    `SELECT horse_id AS id FROM horse WHERE name = ?`,
    entry.horse,
  ))!.id;
  const mergeScratch = mergeScratchFor(sql.dialect);
  // A stale card only fills what is missing and adds scratches (an earlier
  // scratch time included); a current one also replaces what it states (and
  // may re-point the program number).
  const onConflict = card.stale
    ? `morning_line_odds = coalesce(entry.morning_line_odds, excluded.morning_line_odds),
           jockey = coalesce(entry.jockey, excluded.jockey), trainer = coalesce(entry.trainer, excluded.trainer),
           ${mergeScratch}, updated_at = excluded.updated_at
         WHERE ${SCRATCH_MOVES}
           OR (entry.morning_line_odds IS NULL AND excluded.morning_line_odds IS NOT NULL)
           OR (entry.jockey IS NULL AND excluded.jockey IS NOT NULL)
           OR (entry.trainer IS NULL AND excluded.trainer IS NOT NULL)`
    : `horse_id = excluded.horse_id, morning_line_odds = coalesce(excluded.morning_line_odds, entry.morning_line_odds),
       jockey = coalesce(excluded.jockey, entry.jockey),
       trainer = coalesce(excluded.trainer, entry.trainer), ${mergeScratch}, updated_at = excluded.updated_at
     WHERE entry.horse_id IS DISTINCT FROM excluded.horse_id
       OR coalesce(excluded.morning_line_odds, entry.morning_line_odds) IS DISTINCT FROM entry.morning_line_odds
       OR coalesce(excluded.jockey, entry.jockey) IS DISTINCT FROM entry.jockey
       OR coalesce(excluded.trainer, entry.trainer) IS DISTINCT FROM entry.trainer
       OR ${SCRATCH_MOVES}`;
  const scratched = entry.scratched === true;
  return (
    rows +
    (await sql.run(
      `INSERT INTO entry (race_id, horse_id, program_number, morning_line_odds, jockey, trainer, scratched, scratched_at,
                          created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (race_id, program_number) DO UPDATE SET ${onConflict}`,
      raceId,
      horseId,
      entry.programNumber,
      entry.morningLineOdds ?? null,
      entry.jockey ?? null,
      entry.trainer ?? null,
      scratched ? 1 : 0,
      // Known scratched since this card was observed; a card that does not say so dates nothing.
      scratched ? card.asOf : null,
      card.now,
      card.now,
    ))
  );
}

function validateCard(card: RaceCardInput): void {
  const where = `${card.track} ${card.raceDate} race ${card.raceNumber}`;
  if (!card.track.trim()) throw new InvalidInputError("card: track name is empty");
  if (!Number.isInteger(card.raceNumber) || card.raceNumber < 1)
    throw new InvalidInputError(`card ${where}: race number must be a whole number >= 1`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(card.raceDate))
    throw new InvalidInputError(`card ${where}: race date must be YYYY-MM-DD`);
  if (card.entries.length === 0) throw new InvalidInputError(`card ${where}: no entries`);
  const seen = new Set<string>();
  for (const entry of card.entries) {
    if (seen.has(entry.programNumber))
      throw new InvalidInputError(`card ${where}: program number "${entry.programNumber}" listed twice`);
    seen.add(entry.programNumber);
    if (entry.morningLineOdds != null && !(entry.morningLineOdds > 0))
      throw new InvalidInputError(
        `card ${where}: entry ${entry.programNumber} has morning line ${entry.morningLineOdds}`,
      );
  }
}
