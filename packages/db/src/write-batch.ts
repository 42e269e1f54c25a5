/**
 * Group commit for the write helpers. Invariant: a batch commits whole or
 * not at all, while each helper inside it stays atomic on its own.
 */
import type { Db } from "./client.js";
import { engineOf } from "./connection.js";
import { raceCacheFor } from "./race-refs.js";

/**
 * Runs several helper writes as ONE transaction (group commit) while each
 * helper call stays atomic on its own: inside it, every helper's transaction
 * becomes a savepoint, so a helper that throws rolls back only its own rows
 * and the batch goes on. Replays and backfills commit once per batch instead
 * of once per message; a crash loses at most the open batch, which the
 * idempotent helpers make safe to apply again.
 */
export async function writeBatch<T>(db: Db, work: () => Promise<T>): Promise<T> {
  try {
    // Inside an open batch this is one more savepoint, which changes nothing for the helpers.
    return await engineOf(db).transaction("write", () => work());
  } catch (error) {
    // The cache may hold races whose cards were rolled back with the batch.
    raceCacheFor(db).clear();
    throw error;
  }
}
