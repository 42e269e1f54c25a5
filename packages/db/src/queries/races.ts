import type Database from "better-sqlite3";
import { compareProgramNumbers, DEFAULT_TIME_ZONE, RACE_STATUS_RANK, type RaceStatus } from "@totewatch/tote";
import type { Db } from "../client.js";
import { InvalidInputError, UnknownRaceError } from "../errors.js";
import { raceCacheFor, type RaceRef } from "../race-cache.js";
import { readRaw, statement, writeTransaction } from "../sql.js";
import { toDbTime } from "../time.js";

/** A race named by its natural key, as feed messages name it. */
export interface RaceKey {
  track: string;
  /** The track's local calendar date, YYYY-MM-DD. */
  raceDate: string;
  raceNumber: number;
}

/**
 * One runner of a card. Absent (or null) morning line, jockey and trainer
 * keep what is stored: a later card that only announces a scratch must not
 * erase the rest of the runner's card.
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
   * only adds runners, scratches and status; absent: always current.
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

export type { RaceRef };

/**
 * Applies a race card: track, race, horses and entries in one transaction.
 * Re-applying the same card changes nothing; a later card updates post time,
 * status (forward only), scratches, jockeys and trainers, matched by program number.
 * A scratch is final: an older card replayed after the scratch cannot reinstate the runner.
 */
export async function applyRaceCard(db: Db, card: RaceCardInput): Promise<WriteResult> {
  validateCard(card);
  return writeTransaction(db, (sql) => {
    const now = toDbTime(new Date());
    let rows = 0;
    const track = upsertTrack(sql, { name: card.track, code: card.trackCode, timezone: card.timezone }, now);
    rows += track.rows;
    const trackId = track.trackId;

    const postTime = card.postTime ? toDbTime(card.postTime) : null;
    const asOf = card.asOf ? toDbTime(card.asOf) : null;
    rows += statement(
      sql,
      `INSERT INTO race (track_id, race_date, race_number, post_time, status, card_as_of, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (track_id, race_date, race_number) DO NOTHING`,
    ).run(
      trackId,
      card.raceDate,
      card.raceNumber,
      postTime,
      card.status ?? "scheduled",
      asOf,
      now,
      now,
    ).changes;
    const race = statement(
      sql,
      `SELECT race_id, post_time, status, card_as_of FROM race WHERE track_id = ? AND race_date = ? AND race_number = ?`,
    ).get(trackId, card.raceDate, card.raceNumber) as {
      race_id: number;
      post_time: string | null;
      status: string;
      card_as_of: string | null;
    };
    // A card observed before the newest one applied (a file replayed again) is
    // stale: only what can only move forward is taken from it (new runners,
    // scratches, status), never an older post time, jockey or morning line.
    // A card without an as-of time (the top of a replayed file) counts as stale
    // once the race has a dated card: it cannot be newer than one we know of.
    const stale = race.card_as_of !== null && (asOf === null || asOf < race.card_as_of);
    // A stale card still fills what the database has never had.
    const nextPost = stale ? (race.post_time ?? postTime) : (postTime ?? race.post_time);
    const nextStatus = advanceStatus(race.status, card.status);
    const nextAsOf = asOf !== null && !stale ? asOf : race.card_as_of;
    if (nextPost !== race.post_time || nextStatus !== race.status || nextAsOf !== race.card_as_of) {
      rows += statement(
        sql,
        `UPDATE race SET post_time = ?, status = ?, card_as_of = ?, updated_at = ? WHERE race_id = ?`,
      ).run(nextPost, nextStatus, nextAsOf, now, race.race_id).changes;
    }

    for (const entry of card.entries) rows += upsertEntry(sql, race.race_id, entry, now, stale);
    raceCacheFor(db).delete(keyText(card));
    return { changed: rows > 0, rows };
  });
}

export interface TrackInput {
  name: string;
  code?: string | null;
  /** IANA zone; absent keeps the stored one (a new track gets America/New_York). */
  timezone?: string | null;
}

/** Inserts a track or updates the code/zone it is given; returns its id and the rows written. */
function upsertTrack(
  sql: Database.Database,
  track: TrackInput,
  now: string,
): { trackId: number; rows: number } {
  let rows = statement(
    sql,
    `INSERT INTO track (name, code, timezone, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (name) DO NOTHING`,
  ).run(track.name, track.code ?? null, track.timezone ?? DEFAULT_TIME_ZONE, now, now).changes;
  rows += statement(
    sql,
    `UPDATE track SET code = coalesce(@code, code), timezone = coalesce(@timezone, timezone), updated_at = @now
     WHERE name = @name AND (code IS NOT coalesce(@code, code) OR timezone IS NOT coalesce(@timezone, timezone))`,
  ).run({ code: track.code ?? null, timezone: track.timezone ?? null, now, name: track.name }).changes;
  const { track_id: trackId } = statement(sql, `SELECT track_id FROM track WHERE name = ?`).get(
    track.name,
  ) as {
    track_id: number;
  };
  return { trackId, rows };
}

/**
 * Records a track as configured (its code and IANA zone) before any card
 * arrives, so a card's local "HH:MM" post time is read in the track's own
 * zone rather than the America/New_York default. Re-registering changes nothing.
 */
export async function registerTrack(db: Db, track: TrackInput): Promise<WriteResult> {
  if (!track.name.trim()) throw new InvalidInputError("track: name is empty");
  return writeTransaction(db, (sql) => {
    const { rows } = upsertTrack(sql, track, toDbTime(new Date()));
    return { changed: rows > 0, rows };
  });
}

function upsertEntry(
  sql: Database.Database,
  raceId: number,
  entry: CardEntryInput,
  now: string,
  stale: boolean,
): number {
  let rows = statement(
    sql,
    `INSERT INTO horse (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`,
  ).run(entry.horse, now).changes;
  const horseId = (
    statement(sql, `SELECT horse_id FROM horse WHERE name = ?`).get(entry.horse) as { horse_id: number }
  ).horse_id;
  const values = [
    horseId,
    entry.morningLineOdds ?? null,
    entry.jockey ?? null,
    entry.trainer ?? null,
    entry.scratched ? 1 : 0,
  ] as const;
  if (stale) {
    return (
      rows +
      statement(
        sql,
        `INSERT INTO entry (race_id, horse_id, program_number, morning_line_odds, jockey, trainer, scratched, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (race_id, program_number) DO UPDATE SET
           morning_line_odds = coalesce(morning_line_odds, excluded.morning_line_odds),
           jockey = coalesce(jockey, excluded.jockey), trainer = coalesce(trainer, excluded.trainer),
           scratched = max(scratched, excluded.scratched), updated_at = excluded.updated_at
         WHERE excluded.scratched > scratched
           OR (morning_line_odds IS NULL AND excluded.morning_line_odds IS NOT NULL)
           OR (jockey IS NULL AND excluded.jockey IS NOT NULL)
           OR (trainer IS NULL AND excluded.trainer IS NOT NULL)`,
      ).run(raceId, values[0], entry.programNumber, values[1], values[2], values[3], values[4], now, now)
        .changes
    );
  }
  rows += statement(
    sql,
    `INSERT INTO entry (race_id, horse_id, program_number, morning_line_odds, jockey, trainer, scratched, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (race_id, program_number) DO UPDATE SET
       horse_id = excluded.horse_id, morning_line_odds = coalesce(excluded.morning_line_odds, morning_line_odds),
       jockey = coalesce(excluded.jockey, jockey),
       trainer = coalesce(excluded.trainer, trainer), scratched = max(scratched, excluded.scratched), updated_at = excluded.updated_at
     WHERE horse_id IS NOT excluded.horse_id
       OR coalesce(excluded.morning_line_odds, morning_line_odds) IS NOT morning_line_odds
       OR coalesce(excluded.jockey, jockey) IS NOT jockey OR coalesce(excluded.trainer, trainer) IS NOT trainer
       OR excluded.scratched > scratched`,
  ).run(raceId, values[0], entry.programNumber, values[1], values[2], values[3], values[4], now, now).changes;
  return rows;
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

/** Moves a race's status forward (scheduled -> open -> off -> official | cancelled); never back. */
export async function setRaceStatus(db: Db, key: RaceKey, status: RaceStatus): Promise<WriteResult> {
  return writeTransaction(db, (sql) => {
    const ref = resolveRace(db, sql, key);
    const current = (
      statement(sql, `SELECT status FROM race WHERE race_id = ?`).get(ref.raceId) as { status: string }
    ).status;
    const next = advanceStatus(current, status);
    if (next === current) return { changed: false, rows: 0 };
    statement(sql, `UPDATE race SET status = ?, updated_at = ? WHERE race_id = ?`).run(
      next,
      toDbTime(new Date()),
      ref.raceId,
    );
    return { changed: true, rows: 1 };
  });
}

const keyText = (key: RaceKey) => `${key.track}\u0000${key.raceDate}\u0000${key.raceNumber}`;

/** Race id and entry ids for a natural key, inside the caller's transaction; throws UnknownRaceError. */
export function resolveRace(db: Db, sql: Database.Database, key: RaceKey, refresh = false): RaceRef {
  const cache = raceCacheFor(db);
  const cached = refresh ? undefined : cache.get(keyText(key));
  if (cached) return cached;
  const race = statement(
    sql,
    `SELECT r.race_id, r.track_id FROM race r JOIN track t ON t.track_id = r.track_id
     WHERE t.name = ? AND r.race_date = ? AND r.race_number = ?`,
  ).get(key.track, key.raceDate, key.raceNumber) as { race_id: number; track_id: number } | undefined;
  if (!race) throw new UnknownRaceError(key);
  const entries = new Map<string, number>();
  for (const row of statement(sql, `SELECT entry_id, program_number FROM entry WHERE race_id = ?`).all(
    race.race_id,
  ) as Array<{ entry_id: number; program_number: string }>) {
    entries.set(row.program_number, row.entry_id);
  }
  const ref = { raceId: race.race_id, trackId: race.track_id, entries };
  if (cache.size > 2_000) cache.clear();
  cache.set(keyText(key), ref);
  return ref;
}

export interface RaceSummary {
  raceId: number;
  track: string;
  trackCode: string | null;
  timezone: string;
  raceDate: string;
  raceNumber: number;
  postTime: Date | null;
  status: string;
  runners: number;
  scratched: number;
}

const RACE_SUMMARY_SQL = `
  SELECT r.race_id, t.name AS track, t.code AS track_code, t.timezone, r.race_date, r.race_number, r.post_time, r.status,
         (SELECT count(*) FROM entry e WHERE e.race_id = r.race_id) AS runners,
         (SELECT count(*) FROM entry e WHERE e.race_id = r.race_id AND e.scratched) AS scratched
  FROM race r JOIN track t ON t.track_id = r.track_id`;

interface RaceSummaryRow {
  race_id: number;
  track: string;
  track_code: string | null;
  timezone: string;
  race_date: string;
  race_number: number;
  post_time: string | null;
  status: string;
  runners: number;
  scratched: number;
}

function toRaceSummary(row: RaceSummaryRow): RaceSummary {
  return {
    raceId: row.race_id,
    track: row.track,
    trackCode: row.track_code,
    timezone: row.timezone,
    raceDate: row.race_date,
    raceNumber: row.race_number,
    postTime: row.post_time ? new Date(row.post_time) : null,
    status: row.status,
    runners: row.runners,
    scratched: row.scratched,
  };
}

/** The races run on a (track-local) date, by track then race number. */
export async function racesOnDate(
  db: Db,
  raceDate: string,
  opts: { track?: string } = {},
): Promise<RaceSummary[]> {
  return readRaw(db, (sql) => {
    const rows = opts.track
      ? statement(
          sql,
          `${RACE_SUMMARY_SQL} WHERE r.race_date = ? AND t.name = ? ORDER BY t.name, r.race_number`,
        ).all(raceDate, opts.track)
      : statement(sql, `${RACE_SUMMARY_SQL} WHERE r.race_date = ? ORDER BY t.name, r.race_number`).all(
          raceDate,
        );
    return (rows as RaceSummaryRow[]).map(toRaceSummary);
  });
}

/**
 * The zone a track is stored with, or null for a track not seen yet. Read on
 * the raw connection, the one the write helpers use, so inside a group commit
 * (writeBatch) it sees tracks created earlier in the same batch.
 */
export async function trackTimeZone(db: Db, track: string): Promise<string | null> {
  return readRaw(db, (sql) => {
    const row = statement(sql, `SELECT timezone FROM track WHERE name = ?`).get(track) as
      { timezone: string } | undefined;
    return row?.timezone ?? null;
  });
}

/** One race by natural key, or null. */
export async function findRace(db: Db, key: RaceKey): Promise<RaceSummary | null> {
  return readRaw(db, (sql) => {
    const row = statement(
      sql,
      `${RACE_SUMMARY_SQL} WHERE t.name = ? AND r.race_date = ? AND r.race_number = ?`,
    ).get(key.track, key.raceDate, key.raceNumber) as RaceSummaryRow | undefined;
    return row ? toRaceSummary(row) : null;
  });
}

/** One race by id, or null. */
export async function raceById(db: Db, raceId: number): Promise<RaceSummary | null> {
  return readRaw(db, (sql) => {
    const row = statement(sql, `${RACE_SUMMARY_SQL} WHERE r.race_id = ?`).get(raceId) as
      RaceSummaryRow | undefined;
    return row ? toRaceSummary(row) : null;
  });
}

export interface EntryDetail {
  entryId: number;
  programNumber: string;
  horse: string;
  morningLineOdds: number | null;
  jockey: string | null;
  trainer: string | null;
  scratched: boolean;
}

/** The card of a race: its entries in program order. */
export async function entriesForRace(db: Db, raceId: number): Promise<EntryDetail[]> {
  return readRaw(db, (sql) => {
    const rows = statement(
      sql,
      `SELECT e.entry_id, e.program_number, h.name AS horse, e.morning_line_odds, e.jockey, e.trainer, e.scratched
       FROM entry e JOIN horse h ON h.horse_id = e.horse_id WHERE e.race_id = ?`,
    ).all(raceId) as Array<{
      entry_id: number;
      program_number: string;
      horse: string;
      morning_line_odds: number | null;
      jockey: string | null;
      trainer: string | null;
      scratched: number;
    }>;
    return rows
      .map((r) => ({
        entryId: r.entry_id,
        programNumber: r.program_number,
        horse: r.horse,
        morningLineOdds: r.morning_line_odds,
        jockey: r.jockey,
        trainer: r.trainer,
        scratched: r.scratched === 1,
      }))
      .sort((a, b) => compareProgramNumbers(a.programNumber, b.programNumber));
  });
}
