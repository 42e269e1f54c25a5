/**
 * The raw better-sqlite3 side of a client, for packages/db internals only:
 * nothing here is exported from the package, so no public signature names
 * the engine. Every use runs under `db.exclusive` (see client.ts).
 */
import type Database from "better-sqlite3";
import type { Db } from "./client.js";
import { connectionOf, type Connection } from "./connection.js";
import type { DbTime } from "./time.js";

export type { Connection };

/**
 * A row as the raw connection returns it: instants as the stored integer
 * milliseconds (time.ts), booleans as 0/1. Query modules select columns under their
 * public (Prisma model) names, so `SqlRow<PublicShape>` types the result
 * without a hand-written snake_case copy of the row.
 */
export type SqlRow<T> = { [K in keyof T]: Stored<T[K]> };
type Stored<V> = V extends Date ? DbTime : V extends boolean ? number : V;

const statementCache = new WeakMap<Connection, Map<string, Database.Statement>>();

/** A prepared statement on the raw connection, prepared once per connection. */
export function statement(sql: Connection, text: string): Database.Statement {
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
export function writeTransaction<T>(db: Db, work: (sql: Connection) => T): Promise<T> {
  return db.exclusive(() => {
    const sql = connectionOf(db);
    return sql.transaction(() => work(sql)).immediate();
  });
}

/** A read on the raw connection, serialized with every other use of the client. */
export function readRaw<T>(db: Db, work: (sql: Connection) => T): Promise<T> {
  return db.exclusive(() => work(connectionOf(db)));
}

/**
 * Several reads on the raw connection as one read transaction: every statement sees the file as
 * of the same commit, even while other processes commit (WAL readers keep their snapshot). Takes
 * no write lock, so it also runs on a read-only client.
 */
export function readTransaction<T>(db: Db, work: (sql: Connection) => T): Promise<T> {
  return readRaw(db, (sql) => sql.transaction(() => work(sql)).deferred());
}
