/**
 * Hearing that the database has changed: a reader (the alerts daemon) sleeps
 * until some client, in this process or another, commits, instead of only
 * polling. The signature names no engine; how a commit is heard is this
 * module's business. SQLite (WAL mode, client.ts): every commit by any
 * connection appends to the `-wal` file beside the database, so a watch on
 * that file hears it. A file not in WAL mode yet (just migrated, open only to a
 * read-only client, which cannot switch it) has no -wal: then its folder is
 * watched for the file and its -wal. PostgreSQL: every write transaction
 * NOTIFYs at commit when it changed a row (engine/postgres.ts), and a connection of the watch's own
 * LISTENs.
 */
import { existsSync, watch, type FSWatcher } from "node:fs";
import path from "node:path";
import type { Db } from "./client.js";
import { engineOf } from "./connection.js";
import type { PostgresEngine } from "./engine/postgres.js";
import { readRaw } from "./sql.js";

export interface WatchCommitsOptions {
  /** Stops the watch (and releases what it holds); the returned promise then resolves. */
  signal: AbortSignal;
}

/**
 * Calls `onCommit` after commits to `db`'s database by any client, this one
 * included. It is a hint to look again, not a count: one call may stand for
 * several commits, and a call may come when nothing new was committed (a
 * checkpoint, say), so the caller reads what is new itself.
 *
 * The watch is in place before anything this process asks of the database
 * after the call (it takes its turn on `db.exclusive` first), so a commit
 * that a later read does not see wakes the caller.
 *
 * Resolves when `signal` stops the watch (at once when it is already
 * aborted). Rejects when commits cannot be watched (an in-memory database,
 * one on a file system that cannot be watched, a closed client), then or
 * later; the watch is over then, and the caller falls back to polling.
 */
export async function watchCommits(
  db: Db,
  onCommit: () => void,
  { signal }: WatchCommitsOptions,
): Promise<void> {
  if (signal.aborted) return;
  const engine = engineOf(db);
  if (engine.dialect === "postgres") return listenForCommits(engine as PostgresEngine, onCommit, signal);
  const watcher = await readRaw(db, async (sql): Promise<FSWatcher> => {
    if (db.path === ":memory:")
      throw new Error("an in-memory database has no file whose commits can be watched");
    // SQLite makes the -wal file at a connection's first read and deletes it when the last
    // connection closes, so a client that has read nothing yet (one opened right after
    // migrateDatabase, on a database nobody else has open) would have nothing to watch. This
    // read makes it (a read-only client's too, where the folder is writable); the client's open
    // connection keeps it until the client closes.
    await sql.get(`SELECT count(*) FROM sqlite_master`);
    const wal = `${db.path}-wal`;
    // Not persistent: a watch alone never keeps the process alive.
    if (existsSync(wal)) return watch(wal, { persistent: false }, () => onCommit());
    // No -wal after a read: the file is not in WAL mode now (a read-only client cannot switch
    // it; the first read-write client to open it will), so watch its folder for the file and its
    // -wal: the -wal being made is heard, and so is a commit written to the file itself.
    const names = new Set([path.basename(db.path), path.basename(wal)]);
    return watch(path.dirname(db.path), { persistent: false }, (_event, name) => {
      // Some platforms do not say which file changed: then it may be ours.
      if (name === null || names.has(String(name))) onCommit();
    });
  });
  return new Promise<void>((resolve, reject) => {
    const stop = () => {
      watcher.close();
      resolve();
    };
    if (signal.aborted) {
      stop();
      return;
    }
    signal.addEventListener("abort", stop, { once: true });
    watcher.on("error", (error) => {
      signal.removeEventListener("abort", stop);
      watcher.close();
      reject(error);
    });
  });
}

/** PostgreSQL: LISTEN until `signal` stops it; a lost connection rejects (the caller polls then). */
async function listenForCommits(
  engine: PostgresEngine,
  onCommit: () => void,
  signal: AbortSignal,
): Promise<void> {
  let fail: (error: Error) => void = () => {};
  const failed = new Promise<never>((_resolve, reject) => (fail = reject));
  const listening = await engine.listenForCommits(onCommit, (error) => fail(error));
  const stopped = new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
  try {
    await Promise.race([stopped, failed]);
  } finally {
    await listening.stop();
  }
}
