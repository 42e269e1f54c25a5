/**
 * The race aggregate: a race and its card (entries, horses), written by
 * applyRaceCard and setRaceStatus and read as summaries and cards.
 *
 * Invariants:
 * - A card applies in one transaction; applying it again changes nothing.
 * - Status only moves forward (tote's RACE_STATUS_RANK); a scratch is final.
 * - A card observed before the newest one applied (`asOf`) only adds what
 *   can only move forward (runners, scratches, status) and fills what was
 *   never stored; it never rolls back post time, jockeys or morning lines.
 * - The off time (`off_at`) is the earliest instant any "off" observation
 *   reported (a status message's `at`, an "off" card's `asOf`): it can only
 *   move earlier, so replays and repeats in any order leave the same value,
 *   and a race that jumps straight to official or cancelled gets none.
 * Tracks are their own module (tracks.ts); natural-key look-ups and their
 * cache are race-refs.ts.
 */
import { compareProgramNumbers, RACE_STATUS_RANK, type RaceStatus } from "@totewatch/tote";
import type { Db } from "../client.js";
import { InvalidInputError } from "../errors.js";
import type { Entry, Horse, Race, Track } from "../generated/prisma/client.js";
import { raceCacheFor, raceKeyText, resolveRace } from "../race-refs.js";
import { readRaw, statement, writeTransaction, type Connection, type SqlRow } from "../sql.js";
import { fromDbTime, toDbTime } from "../time.js";
import { upsertTrack } from "./tracks.js";

/** A race named by its natural key, as feed messages name it. */
export interface RaceKey {
  track: string;
  /** The track's local calendar date, YYYY-MM-DD. */
  raceDate: string;
  raceNumber: number;
}

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
   * whose status is "off" also reports the off at this instant (see setRaceStatus).
   */
  asOf?: Date | null;
  status?: RaceStatus | null;
  entries: CardEntryInput[];
}

/** What a write did: `changed` false means the database already held exactly this. */
export interface WriteResult {
  changed: boolean;
  /** Rows inserted or updated. */
  rows: number;
}

/**
 * Applies a race card: track, race, horses and entries in one transaction
 * (see the invariants above). A later card updates post time, status,
 * scratches, jockeys and trainers, matched by program number.
 */
export async function applyRaceCard(db: Db, card: RaceCardInput): Promise<WriteResult> {
  validateCard(card);
  return writeTransaction(db, (sql) => {
    const now = toDbTime(new Date());
    const track = upsertTrack(sql, { name: card.track, code: card.trackCode, timezone: card.timezone }, now);
    let rows = track.rows;

    const postTime = card.postTime ? toDbTime(card.postTime) : null;
    const asOf = card.asOf ? toDbTime(card.asOf) : null;
    // An "off" card observed at asOf says the race was off by then (a card without one dates nothing).
    const offAt = card.status === "off" ? asOf : null;
    rows += statement(
      sql,
      `INSERT INTO race (track_id, race_date, race_number, post_time, status, card_as_of, off_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (track_id, race_date, race_number) DO NOTHING`,
    ).run(
      track.trackId,
      card.raceDate,
      card.raceNumber,
      postTime,
      card.status ?? "scheduled",
      asOf,
      offAt,
      now,
      now,
    ).changes;
    const race = statement(
      sql,
      `SELECT race_id AS id, post_time AS postTime, status, card_as_of AS cardAsOf, off_at AS offAt
       FROM race WHERE track_id = ? AND race_date = ? AND race_number = ?`,
    ).get(track.trackId, card.raceDate, card.raceNumber) as SqlRow<
      Pick<Race, "id" | "postTime" | "status" | "cardAsOf" | "offAt">
    >;
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
    const nextOffAt = earliest(race.offAt, offAt);
    if (
      nextPost !== race.postTime ||
      nextStatus !== race.status ||
      nextAsOf !== race.cardAsOf ||
      nextOffAt !== race.offAt
    ) {
      rows += statement(
        sql,
        `UPDATE race SET post_time = ?, status = ?, card_as_of = ?, off_at = ?, updated_at = ? WHERE race_id = ?`,
      ).run(nextPost, nextStatus, nextAsOf, nextOffAt, now, race.id).changes;
    }

    for (const entry of card.entries) rows += upsertEntry(sql, race.id, entry, now, stale);
    raceCacheFor(db).delete(raceKeyText(card));
    return { changed: rows > 0, rows };
  });
}

function upsertEntry(
  sql: Connection,
  raceId: number,
  entry: CardEntryInput,
  now: string,
  stale: boolean,
): number {
  const rows = statement(
    sql,
    `INSERT INTO horse (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`,
  ).run(entry.horse, now).changes;
  const horseId = (
    statement(sql, `SELECT horse_id AS id FROM horse WHERE name = ?`).get(entry.horse) as Pick<Horse, "id">
  ).id;
  // A stale card only fills what is missing and adds scratches; a current
  // one also replaces what it states (and may re-point the program number).
  const onConflict = stale
    ? `morning_line_odds = coalesce(morning_line_odds, excluded.morning_line_odds),
           jockey = coalesce(jockey, excluded.jockey), trainer = coalesce(trainer, excluded.trainer),
           scratched = max(scratched, excluded.scratched), updated_at = excluded.updated_at
         WHERE excluded.scratched > scratched
           OR (morning_line_odds IS NULL AND excluded.morning_line_odds IS NOT NULL)
           OR (jockey IS NULL AND excluded.jockey IS NOT NULL)
           OR (trainer IS NULL AND excluded.trainer IS NOT NULL)`
    : `horse_id = excluded.horse_id, morning_line_odds = coalesce(excluded.morning_line_odds, morning_line_odds),
       jockey = coalesce(excluded.jockey, jockey),
       trainer = coalesce(excluded.trainer, trainer), scratched = max(scratched, excluded.scratched), updated_at = excluded.updated_at
     WHERE horse_id IS NOT excluded.horse_id
       OR coalesce(excluded.morning_line_odds, morning_line_odds) IS NOT morning_line_odds
       OR coalesce(excluded.jockey, jockey) IS NOT jockey OR coalesce(excluded.trainer, trainer) IS NOT trainer
       OR excluded.scratched > scratched`;
  return (
    rows +
    statement(
      sql,
      `INSERT INTO entry (race_id, horse_id, program_number, morning_line_odds, jockey, trainer, scratched, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (race_id, program_number) DO UPDATE SET ${onConflict}`,
    ).run(
      raceId,
      horseId,
      entry.programNumber,
      entry.morningLineOdds ?? null,
      entry.jockey ?? null,
      entry.trainer ?? null,
      entry.scratched ? 1 : 0,
      now,
      now,
    ).changes
  );
}

/** The earlier of two stored instants (stored text sorts as time, time.ts); null only when both are. */
function earliest(stored: string | null, seen: string | null): string | null {
  if (stored === null) return seen;
  if (seen === null) return stored;
  return seen < stored ? seen : stored;
}

function advanceStatus(current: string, next: RaceStatus | null | undefined): string {
  if (!next) return current;
  const rank = RACE_STATUS_RANK[current as RaceStatus] ?? 0;
  return RACE_STATUS_RANK[next] > rank ? next : current;
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
  return writeTransaction(db, (sql) => {
    const ref = resolveRace(db, sql, key);
    const current = statement(sql, `SELECT status, off_at AS offAt FROM race WHERE race_id = ?`).get(
      ref.raceId,
    ) as SqlRow<Pick<Race, "status" | "offAt">>;
    const next = advanceStatus(current.status, status);
    const offAt = earliest(current.offAt, status === "off" && at ? toDbTime(at) : null);
    if (next === current.status && offAt === current.offAt) return { changed: false, rows: 0 };
    statement(sql, `UPDATE race SET status = ?, off_at = ?, updated_at = ? WHERE race_id = ?`).run(
      next,
      offAt,
      toDbTime(new Date()),
      ref.raceId,
    );
    return { changed: true, rows: 1 };
  });
}

/** A race with its track and how many runners its card lists; `offAt` is when it went off (null: not known). */
export interface RaceSummary extends Pick<Race, "raceDate" | "raceNumber" | "postTime" | "status" | "offAt"> {
  raceId: Race["id"];
  track: Track["name"];
  trackCode: Track["code"];
  timezone: Track["timezone"];
  runners: number;
  scratched: number;
}

const RACE_SUMMARY_SQL = `
  SELECT r.race_id AS raceId, t.name AS track, t.code AS trackCode, t.timezone, r.race_date AS raceDate,
         r.race_number AS raceNumber, r.post_time AS postTime, r.status, r.off_at AS offAt,
         (SELECT count(*) FROM entry e WHERE e.race_id = r.race_id) AS runners,
         (SELECT count(*) FROM entry e WHERE e.race_id = r.race_id AND e.scratched) AS scratched
  FROM race r JOIN track t ON t.track_id = r.track_id`;

/** Race summaries matching `where` (over race r and track t), by track then race number. */
function raceSummaries(db: Db, where: string, params: unknown[]): Promise<RaceSummary[]> {
  return readRaw(db, (sql) =>
    (
      statement(sql, `${RACE_SUMMARY_SQL} WHERE ${where} ORDER BY t.name, r.race_number`).all(
        ...params,
      ) as Array<SqlRow<RaceSummary>>
    ).map((row) => ({
      ...row,
      postTime: row.postTime ? fromDbTime(row.postTime) : null,
      offAt: row.offAt ? fromDbTime(row.offAt) : null,
    })),
  );
}

/** The races run on a (track-local) date, by track then race number. */
export async function racesOnDate(
  db: Db,
  raceDate: string,
  opts: { track?: string } = {},
): Promise<RaceSummary[]> {
  return opts.track
    ? raceSummaries(db, "r.race_date = ? AND t.name = ?", [raceDate, opts.track])
    : raceSummaries(db, "r.race_date = ?", [raceDate]);
}

/** One race by natural key, or null. */
export async function findRace(db: Db, key: RaceKey): Promise<RaceSummary | null> {
  const [race] = await raceSummaries(db, "t.name = ? AND r.race_date = ? AND r.race_number = ?", [
    key.track,
    key.raceDate,
    key.raceNumber,
  ]);
  return race ?? null;
}

/** One race by id, or null. */
export async function raceById(db: Db, raceId: number): Promise<RaceSummary | null> {
  const [race] = await raceSummaries(db, "r.race_id = ?", [raceId]);
  return race ?? null;
}

/** A runner of a card, with its horse's name. */
export interface EntryDetail extends Pick<
  Entry,
  "programNumber" | "morningLineOdds" | "jockey" | "trainer" | "scratched"
> {
  entryId: Entry["id"];
  horse: Horse["name"];
}

/** The card of a race: its entries in program order. */
export async function entriesForRace(db: Db, raceId: number): Promise<EntryDetail[]> {
  return readRaw(db, (sql) =>
    (
      statement(
        sql,
        `SELECT e.entry_id AS entryId, e.program_number AS programNumber, h.name AS horse,
                e.morning_line_odds AS morningLineOdds, e.jockey, e.trainer, e.scratched
         FROM entry e JOIN horse h ON h.horse_id = e.horse_id WHERE e.race_id = ?`,
      ).all(raceId) as Array<SqlRow<EntryDetail>>
    )
      .map((row) => ({ ...row, scratched: row.scratched === 1 }))
      .sort((a, b) => compareProgramNumbers(a.programNumber, b.programNumber)),
  );
}
