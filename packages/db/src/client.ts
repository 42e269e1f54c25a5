import { AsyncLocalStorage } from "node:async_hooks";
import { existsSync, realpathSync } from "node:fs";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { Mutex } from "async-mutex";
import Database from "better-sqlite3";
import { PrismaClient } from "./generated/prisma/client.js";
import { registerConnections } from "./connection.js";
import { BUSY_TIMEOUT_MS, prepareDatabaseFile, withFileErrors } from "./database-file.js";
import { databasePathFromUrl } from "./database-url.js";

const CONNECTION_PRAGMAS = [
  "PRAGMA journal_mode = WAL",
  "PRAGMA foreign_keys = ON",
  "PRAGMA synchronous = NORMAL",
  `PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`,
];

export interface CreateDbOptions {
  /** `file:` URL or path, as @totewatch/config's loadConfig resolves it (`database.url`). */
  url: string;
}

/**
 * A Totewatch database handle, passed first to every helper of this package.
 * It names no engine: behind it are a Prisma client for typed reads where a
 * path is not hot and one raw better-sqlite3 connection for every write and
 * hot read (prepared statements in `BEGIN IMMEDIATE` transactions), which
 * only this package's modules reach (connection.ts).
 *
 * Every use goes through `exclusive`: the Prisma adapter has one connection
 * and no queue, so without it a query from one async caller would run inside
 * another caller's open transaction.
 */
export interface Db {
  /** The database file. */
  readonly path: string;
  /** Runs `work` with sole use of the client's connections (and of the file, among this process's clients); re-entrant. */
  exclusive<T>(work: () => Promise<T> | T): Promise<T>;
  close(): Promise<void>;
}

/** The Prisma adapter factory with Totewatch's per-connection settings. */
class TotewatchAdapterFactory extends PrismaBetterSQLite3 {
  override async connect() {
    const adapter = await super.connect();
    for (const pragma of CONNECTION_PRAGMAS) await adapter.executeScript(pragma);
    return adapter;
  }
}

/** A raw connection with Totewatch's settings; a file that cannot be a database fails here, in one line naming it. */
export function openRawConnection(file: string): Database.Database {
  return withFileErrors(file, () => {
    const sql = new Database(file, { timeout: BUSY_TIMEOUT_MS });
    try {
      for (const pragma of CONNECTION_PRAGMAS) sql.exec(pragma);
      return sql;
    } catch (error) {
      sql.close();
      throw error;
    }
  });
}

interface FileLock {
  mutex: Mutex;
  /** Set inside the lock's async context, so nested use re-enters instead of waiting on itself. */
  holder: AsyncLocalStorage<true>;
}

const fileLocks = new Map<string, FileLock>();

/**
 * One lock per database file per process, shared by every client on that
 * file. Two clients in one process (ingest and the alerts daemon in the
 * demo) would otherwise deadlock: a connection waiting for SQLite's write
 * lock busy-waits synchronously, so the event loop could never finish the
 * other client's open transaction. Across processes SQLite's own lock and
 * the busy timeout take over.
 */
function fileLock(file: string): FileLock {
  if (file === ":memory:") return { mutex: new Mutex(), holder: new AsyncLocalStorage() };
  // The same file reached through a symlink (to it or its folder) must share the lock.
  const key = existsSync(file)
    ? realpathSync(file)
    : path.join(realpathSync(path.dirname(file)), path.basename(file));
  let lock = fileLocks.get(key);
  if (!lock) {
    lock = { mutex: new Mutex(), holder: new AsyncLocalStorage() };
    fileLocks.set(key, lock);
  }
  return lock;
}

export function createDb(options: CreateDbOptions): Db {
  const file = databasePathFromUrl(options.url);
  // Before anything opens it: a directory, a text file, a read-only file or a path under /proc
  // is refused in one line naming the file (DatabaseFileError), not as a driver stack.
  prepareDatabaseFile(file);
  const sql = openRawConnection(file);
  // Instants as integer milliseconds, as the raw connection writes them (time.ts).
  const adapter = new TotewatchAdapterFactory(
    { url: `file:${file}`, timeout: BUSY_TIMEOUT_MS },
    { timestampFormat: "unixepoch-ms" },
  );
  const prisma = new PrismaClient({ adapter });
  const { mutex, holder } = fileLock(file);
  let closed = false;

  const exclusive = <T>(work: () => Promise<T> | T): Promise<T> => {
    if (closed) return Promise.reject(new Error(`database ${file} is closed`));
    if (holder.getStore()) return Promise.resolve().then(work);
    return mutex.runExclusive(() => holder.run(true, work));
  };

  const db: Db = {
    path: file,
    exclusive,
    async close() {
      if (closed) return;
      // Let in-flight work finish before the connections go away.
      await mutex.runExclusive(async () => {
        closed = true;
        await prisma.$disconnect();
        sql.close();
      });
    },
  };
  registerConnections(db, { sql, prisma });
  return db;
}
