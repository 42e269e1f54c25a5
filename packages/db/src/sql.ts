/**
 * How query modules run SQL, for packages/db internals only: nothing here is
 * exported from the package, so no public signature names an engine. Each
 * function finds the client's engine (SQLite or PostgreSQL, engine/) and runs
 * `work` on an async `Sql` session (engine/types.ts).
 */
import type { Db } from "./client.js";
import { engineOf } from "./connection.js";
import type { DbTime } from "./time.js";

export type { Dialect, NamedParams, Sql, SqlArgs, SqlParam } from "./engine/types.js";
import type { Sql } from "./engine/types.js";

/**
 * A row as the engines return it: instants as the stored integer
 * milliseconds (time.ts), booleans as 0/1. Query modules select columns under their
 * public (Prisma model) names, so `SqlRow<PublicShape>` types the result
 * without a hand-written snake_case copy of the row.
 */
export type SqlRow<T> = { [K in keyof T]: Stored<T[K]> };
type Stored<V> = V extends Date ? DbTime : V extends boolean ? number : V;

/**
 * Runs `work` as one write transaction: all of it commits or none of it does, and it is
 * serialized with every other writer of the database (SQLite: BEGIN IMMEDIATE, so a writer in
 * another process makes us wait instead of failing half-way; PostgreSQL: one advisory lock).
 * Inside an open transaction (writeBatch) it is a savepoint that rolls back alone.
 */
export function writeTransaction<T>(db: Db, work: (sql: Sql) => Promise<T>): Promise<T> {
  return engineOf(db).transaction("write", work);
}

/**
 * A write transaction for a compare-and-set that decides in the statement that writes (engine/types.ts
 * `rowLocked`): on PostgreSQL it takes no writers' lock, so it never waits for ingest; on SQLite it
 * is `writeTransaction`.
 */
export function rowLockedTransaction<T>(db: Db, work: (sql: Sql) => Promise<T>): Promise<T> {
  return engineOf(db).rowLocked(work);
}

/** Reads outside a transaction (or inside the caller's open one). */
export function readRaw<T>(db: Db, work: (sql: Sql) => Promise<T>): Promise<T> {
  return engineOf(db).session(work);
}

/**
 * Several reads as one read transaction: every statement sees the database as of the same
 * commit, even while other processes commit. Takes no write lock, so it also runs on a
 * read-only client.
 */
export function readTransaction<T>(db: Db, work: (sql: Sql) => Promise<T>): Promise<T> {
  return engineOf(db).transaction("read", work);
}
