import { AsyncLocalStorage } from "node:async_hooks";
import { existsSync, realpathSync } from "node:fs";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { Mutex } from "async-mutex";
import Database from "better-sqlite3";
import { PrismaClient } from "./generated/prisma/client.js";
import { registerConnections } from "./connection.js";
import { BUSY_TIMEOUT_MS, prepareDatabaseFile, withFileErrors } from "./database-file.js";
import { createPostgresDb } from "./client-postgres.js";
import { databasePathFromUrl, isPostgresUrl } from "./database-url.js";
import { sqliteEngine } from "./engine/sqlite.js";
import { DatabaseFileError } from "./errors.js";

const CONNECTION_PRAGMAS = [
  "PRAGMA journal_mode = WAL",
  "PRAGMA foreign_keys = ON",
  "PRAGMA synchronous = NORMAL",
  `PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`,
];

// Only per-connection settings, which write nothing to the file. The journal mode is the file's
// own: a read-only connection may not set it (the first read-write client switches a migrated
// file to WAL; until then a reader reads it in rollback mode just as well); synchronous is about writes.
const READ_ONLY_PRAGMAS = ["PRAGMA foreign_keys = ON", `PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`];

export interface CreateDbOptions {
  /**
   * `file:` URL or path, as @totewatch/config's loadConfig resolves it (`database.url`), or a
   * `postgresql://` URL: the engine follows the url (client-postgres.ts).
   */
  url: string;
  /**
   * Reads only (the dashboard): both connections open the existing file read-only, so every
   * write helper fails (SQLite's read-only error) and nothing is changed, not even a setting.
   * A missing file, or one without Totewatch's tables, is refused in one line naming it
   * (DatabaseFileError): a reader creates nothing and migrates nothing. It sees what other
   * clients commit after it opened (a WAL reader), and watchCommits works on it.
   */
  readOnly?: boolean;
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
  /** The database file, or a PostgreSQL url without its password (what messages show). */
  readonly path: string;
  /** Runs `work` with sole use of the client's connections (and of the file, among this process's clients); re-entrant. */
  exclusive<T>(work: () => Promise<T> | T): Promise<T>;
  close(): Promise<void>;
}

/** The Prisma adapter factory with Totewatch's per-connection settings. */
class TotewatchAdapterFactory extends PrismaBetterSQLite3 {
  constructor(
    config: ConstructorParameters<typeof PrismaBetterSQLite3>[0],
    options: ConstructorParameters<typeof PrismaBetterSQLite3>[1],
    private readonly pragmas: readonly string[],
  ) {
    super(config, options);
  }

  override async connect() {
    const adapter = await super.connect();
    for (const pragma of this.pragmas) await adapter.executeScript(pragma);
    return adapter;
  }
}

/**
 * A raw connection with Totewatch's settings; a file that cannot be a database fails here, in
 * one line naming it. `readOnly`: the existing file, opened read-only and read once here (its
 * tables must be there), so a damaged file or one SQLite cannot open for reading (a WAL file
 * whose -shm cannot be made) is refused now rather than at the first query.
 */
export function openRawConnection(file: string, opts: { readOnly?: boolean } = {}): Database.Database {
  return withFileErrors(file, () => {
    const sql = opts.readOnly
      ? new Database(file, { timeout: BUSY_TIMEOUT_MS, readonly: true, fileMustExist: true })
      : new Database(file, { timeout: BUSY_TIMEOUT_MS });
    try {
      for (const pragma of opts.readOnly ? READ_ONLY_PRAGMAS : CONNECTION_PRAGMAS) sql.exec(pragma);
      if (opts.readOnly && !sql.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'race'`).get()) {
        throw new DatabaseFileError(file, "holds no Totewatch tables (run db:migrate on it first)");
      }
      return sql;
    } catch (error) {
      sql.close();
      throw error;
    }
  });
}

/** Refuses what a read-only client cannot read, in one line naming the file: it creates nothing. */
function prepareReadOnlyFile(file: string): void {
  if (file === ":memory:") {
    throw new DatabaseFileError(
      file,
      "cannot be opened read-only: an in-memory database has nothing to read",
    );
  }
  prepareDatabaseFile(file, { create: false, readOnly: true });
  if (!existsSync(file)) {
    throw new DatabaseFileError(
      file,
      "does not exist (a read-only client creates nothing: run db:migrate first)",
    );
  }
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
  if (isPostgresUrl(options.url)) return createPostgresDb(options);
  const file = databasePathFromUrl(options.url);
  const readOnly = options.readOnly === true;
  // Before anything opens it: a directory, a text file, a read-only file (to a writer) or a path
  // under /proc is refused in one line naming the file (DatabaseFileError), not as a driver stack.
  if (readOnly) prepareReadOnlyFile(file);
  else prepareDatabaseFile(file);
  const sql = openRawConnection(file, { readOnly });
  // Instants as integer milliseconds, as the raw connection writes them (time.ts).
  const adapter = new TotewatchAdapterFactory(
    readOnly
      ? { url: `file:${file}`, timeout: BUSY_TIMEOUT_MS, readonly: true, fileMustExist: true }
      : { url: `file:${file}`, timeout: BUSY_TIMEOUT_MS },
    { timestampFormat: "unixepoch-ms" },
    readOnly ? READ_ONLY_PRAGMAS : CONNECTION_PRAGMAS,
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
  registerConnections(db, { engine: sqliteEngine(sql, exclusive, db.close), sqlite: sql, prisma });
  return db;
}
