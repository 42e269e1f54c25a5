/**
 * Tracks: the name a feed uses, a short code and the IANA zone that race
 * dates and post times are local to.
 *
 * Invariants: one row per name; a zone or code is only ever replaced by one
 * that is given (absent keeps the stored one); a new track without a zone
 * gets tote's DEFAULT_TIME_ZONE.
 */
import { DEFAULT_TIME_ZONE } from "@totewatch/tote";
import type { Db } from "../client.js";
import { InvalidInputError } from "../errors.js";
import type { Track } from "../generated/prisma/client.js";
import { readRaw, writeTransaction, type Sql } from "../sql.js";
import { toDbTime, type DbTime } from "../time.js";
import type { WriteResult } from "./races.js";

export interface TrackInput {
  name: string;
  code?: string | null;
  /** IANA zone; absent keeps the stored one (a new track gets America/New_York). */
  timezone?: string | null;
}

/** Inserts a track or updates the code/zone it is given, inside the caller's transaction. */
export async function upsertTrack(
  sql: Sql,
  track: TrackInput,
  now: DbTime,
): Promise<{ trackId: number; rows: number }> {
  let rows = await sql.run(
    `INSERT INTO track (name, code, timezone, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (name) DO NOTHING`,
    track.name,
    track.code ?? null,
    track.timezone ?? DEFAULT_TIME_ZONE,
    now,
    now,
  );
  rows += await sql.run(
    `UPDATE track SET code = coalesce(@code, code), timezone = coalesce(@timezone, timezone), updated_at = @now
     WHERE name = @name AND (code IS DISTINCT FROM coalesce(@code, code)
          OR timezone IS DISTINCT FROM coalesce(@timezone, timezone))`,
    { code: track.code ?? null, timezone: track.timezone ?? null, now, name: track.name },
  );
  const track_ = await sql.get<Pick<Track, "id">>(
    `SELECT track_id AS id FROM track WHERE name = ?`,
    track.name,
  );
  return { trackId: track_!.id, rows };
}

/**
 * Records a track as configured (its code and IANA zone) before any card
 * arrives, so a card's local "HH:MM" post time is read in the track's own
 * zone rather than the America/New_York default. Re-registering changes nothing.
 */
export async function registerTrack(db: Db, track: TrackInput): Promise<WriteResult> {
  if (!track.name.trim()) throw new InvalidInputError("track: name is empty");
  return writeTransaction(db, async (sql) => {
    const { rows } = await upsertTrack(sql, track, toDbTime(new Date()));
    return { changed: rows > 0, rows };
  });
}

/**
 * The zone a track is stored with, or null for a track not seen yet. Read on
 * the raw connection, the one the write helpers use, so inside a group commit
 * (writeBatch) it sees tracks created earlier in the same batch.
 */
export async function trackTimeZone(db: Db, track: string): Promise<string | null> {
  return readRaw(db, async (sql) => {
    const row = await sql.get<Pick<Track, "timezone">>(`SELECT timezone FROM track WHERE name = ?`, track);
    return row?.timezone ?? null;
  });
}
