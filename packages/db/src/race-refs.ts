/**
 * Natural key -> ids, for the write helpers: a snapshot names its race as
 * (track, date, number) and its runners by program number.
 *
 * Invariants: a cached ref never outlives a change this client made (a card
 * applied drops its race; a rolled-back batch drops everything), and a
 * program number missing from the cache is looked up again before it is
 * refused, so cards applied by another process are seen.
 */
import type { Db } from "./client.js";
import { UnknownRaceError, UnknownRunnerError } from "./errors.js";
import type { Entry, Race } from "./generated/prisma/client.js";
import type { RaceKey } from "./queries/races.js";
import type { Sql } from "./sql.js";

/** Race id and entry ids of a race named by its natural key. */
export interface RaceRef {
  raceId: number;
  trackId: number;
  /** program number -> entry id */
  entries: Map<string, number>;
}

// Lookups by natural key are on every snapshot's path: cache them per client.
const raceRefCache = new WeakMap<Db, Map<string, RaceRef>>();
const MAX_CACHED_RACES = 2_000;

export function raceCacheFor(db: Db): Map<string, RaceRef> {
  let cache = raceRefCache.get(db);
  if (!cache) {
    cache = new Map();
    raceRefCache.set(db, cache);
  }
  return cache;
}

export const raceKeyText = (key: RaceKey) => `${key.track}\u0000${key.raceDate}\u0000${key.raceNumber}`;

/** Race id and entry ids for a natural key, inside the caller's transaction; throws UnknownRaceError. */
export async function resolveRace(db: Db, sql: Sql, key: RaceKey, refresh = false): Promise<RaceRef> {
  const cache = raceCacheFor(db);
  const cached = refresh ? undefined : cache.get(raceKeyText(key));
  if (cached) return cached;
  const race = await sql.get<Pick<Race, "id" | "trackId">>(
    `SELECT r.race_id AS id, r.track_id AS "trackId" FROM race r JOIN track t ON t.track_id = r.track_id
     WHERE t.name = ? AND r.race_date = ? AND r.race_number = ?`,
    key.track,
    key.raceDate,
    key.raceNumber,
  );
  if (!race) throw new UnknownRaceError(key);
  const entries = new Map<string, number>();
  const rows = await sql.all<Pick<Entry, "id" | "programNumber">>(
    `SELECT entry_id AS id, program_number AS "programNumber" FROM entry WHERE race_id = ?`,
    race.id,
  );
  for (const row of rows) entries.set(row.programNumber, row.id);
  const ref = { raceId: race.id, trackId: race.trackId, entries };
  if (cache.size > MAX_CACHED_RACES) cache.clear();
  cache.set(raceKeyText(key), ref);
  return ref;
}

/**
 * The entry id of a runner, and the (possibly refreshed) ref it was found
 * in; throws UnknownRunnerError when even a fresh look-up lacks it.
 */
export async function entryIdFor(
  db: Db,
  sql: Sql,
  key: RaceKey,
  ref: RaceRef,
  program: string,
): Promise<[RaceRef, number]> {
  const id = ref.entries.get(program);
  if (id !== undefined) return [ref, id];
  // Maybe another process added the runner since we cached the card.
  const fresh = await resolveRace(db, sql, key, true);
  const freshId = fresh.entries.get(program);
  if (freshId === undefined) throw new UnknownRunnerError(key, program);
  return [fresh, freshId];
}
