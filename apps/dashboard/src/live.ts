/**
 * What the open pages hear, and the database they read: one watch on the database's commits
 * for the whole server (not one per page), turned into "these races changed" events, and the
 * read-only client every request uses (`db()`).
 *
 * Invariants:
 * - Every commit by any process (ingest, the alerts daemon) is followed by a read of what
 *   changed since the last marks, and every subscriber gets the races that changed. The watch
 *   is in place before the first marks are read, so nothing committed in between is lost; a
 *   page that reconnects with its last marks (Last-Event-ID) gets what changed meanwhile.
 * - Reads are serialised: a burst of commits while a read runs is folded into one more read,
 *   so a busy ingest cannot pile reads up.
 * - A slow poll (`pollMs`) runs beside the watch: it bounds staleness where a file system does
 *   not report changes, and it notices the file being replaced (`pnpm demo` recreates its
 *   database; `db reset`): the feed then opens the new file, closes the old client, and tells
 *   every page to reload everything. Until a new file can be opened the old one is served.
 * - A failing read is logged and retried; it never ends the feed.
 */
import { statSync } from "node:fs";
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
  /** The database client to read with now (another one after the file was replaced). */
  db(): Db;
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
  /** The slow poll beside the watch. */
  pollMs?: number;
  /**
   * Opens the file again once it was replaced, or throws why it cannot be shown yet (not
   * migrated, half written); without it a replaced file is only logged.
   */
  reopen?: () => Promise<Db>;
}

/** Which file a path names now (a replaced file has a new inode), or null when there is none. */
function fileIdentity(file: string): string | null {
  try {
    const stat = statSync(file);
    return `${stat.dev}:${stat.ino}`;
  } catch {
    return null;
  }
}

export async function startLiveFeed(first: Db, options: LiveFeedOptions): Promise<LiveFeed> {
  const { logger } = options;
  const pollMs = options.pollMs ?? 2000;
  const listeners = new Set<(change: LiveChange) => void>();
  const stop = new AbortController();
  let db = first;
  let identity = fileIdentity(db.path);
  let watchStop = new AbortController();
  let marks: ChangeMarks | null = null;
  let reading: Promise<void> | null = null;
  let again = false;
  let replacedLogged = false;

  const broadcast = (change: LiveChange) => {
    for (const listener of listeners) listener(change);
  };

  const watch = (client: Db, signal: AbortSignal) =>
    watchCommits(client, look, { signal }).catch((error: unknown) => {
      logger.warn({ err: error }, `dashboard: cannot watch commits; polling every ${pollMs} ms`);
    });

  /** When the file at the path is another one: open it and start over on it. */
  const followReplacedFile = async (): Promise<boolean> => {
    const now = fileIdentity(db.path);
    if (now === identity) return false;
    if (options.reopen === undefined || now === null) {
      if (!replacedLogged)
        logger.warn(`dashboard: ${db.path} was removed or replaced; still showing the old one`);
      replacedLogged = true;
      return false;
    }
    let next: Db;
    try {
      next = await options.reopen();
    } catch (error) {
      if (!replacedLogged)
        logger.warn({ err: error }, `dashboard: ${db.path} was replaced and cannot be opened yet`);
      replacedLogged = true;
      return false;
    }
    const old = db;
    watchStop.abort();
    watchStop = new AbortController();
    db = next;
    identity = now;
    replacedLogged = false;
    void watch(next, watchStop.signal);
    marks = await changeMarks(next);
    await old.close();
    logger.warn(`dashboard: ${db.path} was replaced; now showing the new file`);
    broadcast({ marks, raceIds: [], alerts: true, stale: true });
    return true;
  };

  const readChanges = async (checkFile: boolean) => {
    try {
      if (checkFile && (await followReplacedFile())) return;
      if (marks === null) return;
      const change = await changesSince(db, marks);
      marks = change.marks;
      if (change.raceIds.length === 0 && !change.alerts && !change.stale) return;
      broadcast(change);
    } catch (error) {
      if (!stop.signal.aborted) logger.warn({ err: error }, "dashboard: reading changes failed; will retry");
    }
  };
  function look(checkFile = false) {
    if (stop.signal.aborted) return;
    if (reading) {
      again = true;
      return;
    }
    reading = (async () => {
      let first = true;
      do {
        again = false;
        await readChanges(checkFile && first);
        first = false;
      } while (again && !stop.signal.aborted);
    })().finally(() => {
      reading = null;
    });
  }

  // The watch first, then the marks: a commit between them is in the marks or wakes a read.
  const watchers = [watch(db, watchStop.signal)];
  marks = await changeMarks(db);
  const timer = setInterval(() => look(true), pollMs);
  timer.unref();

  return {
    db: () => db,
    current: () => marks!,
    since: (from) => changesSince(db, from),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      stop.abort();
      watchStop.abort();
      clearInterval(timer);
      await Promise.all(watchers);
      await reading;
    },
  };
}
