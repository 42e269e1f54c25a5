import type Database from "better-sqlite3";
import type { Db } from "./client.js";
import { raceCacheFor } from "./race-cache.js";

const statementCache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** A prepared statement on the raw connection, prepared once per connection. */
export function statement(sql: Database.Database, text: string): Database.Statement {
  let byText = statementCache.get(sql);
  if (!byText) {
    byText = new Map();
    statementCache.set(sql, byText);
  }
  let prepared = byText.get(text);
  if (!prepared) {
    prepared = sql.prepare(text);
    byText.set(text, prepared);
  }
  return prepared;
}

/**
 * Runs `work` as one `BEGIN IMMEDIATE` transaction on the raw connection:
 * all of it commits or none of it does. IMMEDIATE takes the write lock up
 * front, so a concurrent writer in another process makes us wait (busy
 * timeout) instead of failing half-way with SQLITE_BUSY on lock upgrade.
 */
export function writeTransaction<T>(db: Db, work: (sql: Database.Database) => T): Promise<T> {
  return db.exclusive(() => db.sql.transaction(() => work(db.sql)).immediate());
}

/** A read on the raw connection, serialized with every other use of the client. */
export function readRaw<T>(db: Db, work: (sql: Database.Database) => T): Promise<T> {
  return db.exclusive(() => work(db.sql));
}

/**
 * Runs several helper writes as ONE transaction (group commit) while each
 * helper call stays atomic on its own: inside it, every helper's transaction
 * becomes a savepoint, so a helper that throws rolls back only its own rows
 * and the batch goes on. Replays and backfills commit once per batch instead
 * of once per message; a crash loses at most the open batch, which the
 * idempotent helpers make safe to apply again.
 *
 * Only raw-path helpers may run inside (a Prisma write would wait on the
 * write lock this connection holds).
 */
export function writeBatch<T>(db: Db, work: () => Promise<T>): Promise<T> {
  return db.exclusive(async () => {
    if (db.sql.inTransaction) return work();
    db.sql.exec("BEGIN IMMEDIATE");
    try {
      const result = await work();
      db.sql.exec("COMMIT");
      return result;
    } catch (error) {
      if (db.sql.inTransaction) db.sql.exec("ROLLBACK");
      raceCacheFor(db).clear();
      throw error;
    }
  });
}
