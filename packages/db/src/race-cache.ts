import type { Db } from "./client.js";

/** Race id and entry ids of a race named by its natural key. */
export interface RaceRef {
  raceId: number;
  trackId: number;
  /** program number -> entry id */
  entries: Map<string, number>;
}

// Race lookups by natural key are on every snapshot's path; cache them per
// client. A card applied through this client drops its race from the cache;
// a program number unknown to the cache is looked up again before refusing,
// so cards applied by another process are seen; a rolled-back batch drops
// the whole cache, since it may hold races that were never committed.
const raceRefCache = new WeakMap<Db, Map<string, RaceRef>>();

export function raceCacheFor(db: Db): Map<string, RaceRef> {
  let cache = raceRefCache.get(db);
  if (!cache) {
    cache = new Map();
    raceRefCache.set(db, cache);
  }
  return cache;
}
