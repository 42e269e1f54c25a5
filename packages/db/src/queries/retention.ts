/**
 * Retention: deleting what is older than the policy keeps, in small
 * transactions so writers in other processes wait at most one batch.
 *
 * Invariants: only time-series rows go (win odds, exacta probables, alerts
 * with their delivery rows by ON DELETE CASCADE); races, cards and cursors
 * stay. The policy's numbers come from totewatch.yaml's `retention` section
 * (db:prune reads it through @totewatch/config); this module has no defaults
 * of its own beyond the batch size.
 */
import type { Db } from "../client.js";
import { writeTransaction } from "../sql.js";
import { toDbTime } from "../time.js";

/** A prune request (an input, not a stored row). */
export interface RetentionPolicy {
  /** Odds and exacta rows older than this many days go. */
  oddsDays: number;
  /** Alerts (and their delivery records) older than this many days go. */
  alertsDays: number;
  /** Rows per transaction, so concurrent writers wait at most one batch. */
  batchSize?: number;
  now?: Date;
  onProgress?: (progress: { table: string; removed: number }) => void;
  /** When aborted, stops after the batch in flight; what was removed stays removed. */
  signal?: AbortSignal;
}

export interface PruneResult {
  oddsSnapshots: number;
  exactaProbables: number;
  alerts: number;
}

const DAY_MS = 86_400_000;

/** Deletes rows past retention, in small transactions; returns what it removed per table. */
export async function pruneOldData(db: Db, policy: RetentionPolicy): Promise<PruneResult> {
  for (const [name, days] of [
    ["oddsDays", policy.oddsDays],
    ["alertsDays", policy.alertsDays],
  ] as const) {
    if (!(days > 0)) throw new RangeError(`retention ${name} must be a positive number of days, got ${days}`);
  }
  const now = (policy.now ?? new Date()).getTime();
  const oddsCutoff = toDbTime(now - policy.oddsDays * DAY_MS);
  const alertsCutoff = toDbTime(now - policy.alertsDays * DAY_MS);
  const batch = policy.batchSize ?? 5_000;
  const plan = [
    ["odds_snapshot", "snapshot_id", "fetched_at", oddsCutoff],
    ["exacta_probable", "exacta_id", "fetched_at", oddsCutoff],
    ["alert", "alert_id", "triggered_at", alertsCutoff],
  ] as const;
  const removed: number[] = [];
  for (const [table, idColumn, timeColumn, cutoff] of plan) {
    let total = 0;
    while (!policy.signal?.aborted) {
      const changes = await writeTransaction(db, (sql) =>
        sql.run(
          `DELETE FROM ${table} WHERE ${idColumn} IN (SELECT ${idColumn} FROM ${table} WHERE ${timeColumn} < ? LIMIT ?)`,
          cutoff,
          batch,
        ),
      );
      total += changes;
      if (changes > 0) policy.onProgress?.({ table, removed: total });
      if (changes < batch) break;
      // Let other work on this client (and other processes) take the lock between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
    removed.push(total);
  }
  return { oddsSnapshots: removed[0] ?? 0, exactaProbables: removed[1] ?? 0, alerts: removed[2] ?? 0 };
}
