/**
 * Group commit for the write helpers. Invariant: a batch commits whole or
 * not at all, while each helper inside it stays atomic on its own.
 */
import type { Db } from "./client.js";
import { connectionOf } from "./connection.js";
import { raceCacheFor } from "./race-refs.js";

/**
 * Runs several helper writes as ONE transaction (group commit) while each
 * helper call stays atomic on its own: inside it, every helper's transaction
 * becomes a savepoint, so a helper that throws rolls back only its own rows
 * and the batch goes on. Replays and backfills commit once per batch instead
 * of once per message; a crash loses at most the open batch, which the
 * idempotent helpers make safe to apply again.
 *
 * Only the snapshot and card helpers may run inside (they write on the raw
 * connection, which holds the write lock; a Prisma write would wait on it).
 */
export function writeBatch<T>(db: Db, work: () => Promise<T>): Promise<T> {
  return db.exclusive(async () => {
    const sql = connectionOf(db);
    if (sql.inTransaction) return work();
    sql.exec("BEGIN IMMEDIATE");
    try {
      const result = await work();
      sql.exec("COMMIT");
      return result;
    } catch (error) {
      if (sql.inTransaction) sql.exec("ROLLBACK");
      // The cache may hold races whose cards were rolled back with the batch.
      raceCacheFor(db).clear();
      throw error;
    }
  });
}
