/**
 * What the open pages hear: one watch on the database's commits for the
 * whole server (not one per page), turned into "these races changed" events.
 *
 * Invariants:
 * - Every commit by any process (ingest, the alerts daemon) is followed by a
 *   read of what changed since the last marks, and every subscriber gets the
 *   races that changed; a page never misses a change while connected, and a
 *   page that reconnects with its last marks (Last-Event-ID) gets what
 *   changed in between (`since`).
 * - Reads are serialised: a burst of commits while a read runs is folded
 *   into one more read, so a busy ingest cannot pile reads up.
 * - When commits cannot be watched (a file system without change events),
 *   the database is polled every `pollMs` instead; a failing read is logged
 *   and retried, and never ends the feed.
 */
import {
  changeMarks,
  changesSince,
  watchCommits,
  type ChangeMarks,
  type ChangesSince,
  type Db,
} from "@totewatch/db";
import type { Logger } from "@totewatch/config";

export type LiveChange = ChangesSince;

export interface LiveFeed {
  /** The marks now (for a page that connects without Last-Event-ID). */
  current(): ChangeMarks;
  /** What changed since `marks` (a reconnecting page's Last-Event-ID). */
  since(marks: ChangeMarks): Promise<LiveChange>;
  /** Calls `listener` on every change until the returned function is called. */
  subscribe(listener: (change: LiveChange) => void): () => void;
  close(): Promise<void>;
}

export interface LiveFeedOptions {
  logger: Logger;
  /** Fallback polling when commits cannot be watched; also a safety net beside the watch. */
  pollMs?: number;
}

export async function startLiveFeed(db: Db, options: LiveFeedOptions): Promise<LiveFeed> {
  const pollMs = options.pollMs ?? 2000;
  const listeners = new Set<(change: LiveChange) => void>();
  const stop = new AbortController();
  let marks = await changeMarks(db);
  let reading: Promise<void> | null = null;
  let again = false;

  const readChanges = async () => {
    try {
      const change = await changesSince(db, marks);
      marks = change.marks;
      if (change.raceIds.length === 0 && !change.alerts && !change.stale) return;
      for (const listener of listeners) listener(change);
    } catch (error) {
      if (!stop.signal.aborted)
        options.logger.warn({ err: error }, "dashboard: reading changes failed; will retry");
    }
  };
  const look = () => {
    if (stop.signal.aborted) return;
    if (reading) {
      again = true;
      return;
    }
    reading = (async () => {
      do {
        again = false;
        await readChanges();
      } while (again && !stop.signal.aborted);
    })().finally(() => {
      reading = null;
    });
  };

  const watching = watchCommits(db, look, { signal: stop.signal }).catch((error: unknown) => {
    options.logger.warn({ err: error }, `dashboard: cannot watch commits; polling every ${pollMs} ms`);
  });
  // A watch can miss nothing it is told about, but a file system may not tell it (network
  // mounts): a slow poll beside it bounds how stale a page can get.
  const timer = setInterval(look, pollMs);
  timer.unref();

  return {
    current: () => marks,
    async since(from) {
      const change = await changesSince(db, from);
      return change;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      stop.abort();
      clearInterval(timer);
      await watching;
      await reading;
    },
  };
}
