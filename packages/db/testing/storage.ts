/**
 * Where a database file's bytes go, for the storage bench: the file's size
 * (with any WAL not yet checkpointed) and the bytes of each table and index
 * from SQLite's `dbstat` table (pages used by each object, free pages apart).
 */
import { existsSync, statSync } from "node:fs";
import { openRawConnection } from "../src/client.js";

export interface StoredObject {
  /** Table or index name; `(free)` for the file's free pages. */
  name: string;
  bytes: number;
}

/** Size on disk of a database file and its WAL. */
export function databaseBytes(file: string): number {
  const wal = `${file}-wal`;
  return statSync(file).size + (existsSync(wal) ? statSync(wal).size : 0);
}

/** Bytes per table and index, largest first, then the free pages (after a checkpoint). */
export function storageBreakdown(file: string): StoredObject[] {
  const sql = openRawConnection(file);
  try {
    sql.pragma("wal_checkpoint(TRUNCATE)");
    const objects = sql
      .prepare("SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC")
      .all() as StoredObject[];
    const pageSize = sql.pragma("page_size", { simple: true }) as number;
    const free = sql.pragma("freelist_count", { simple: true }) as number;
    return [...objects, { name: "(free)", bytes: free * pageSize }];
  } finally {
    sql.close();
  }
}

/** Rows of the two snapshot tables (odds_snapshot + exacta_probable): what `bytes_per_row` divides by. */
export function snapshotRows(file: string): number {
  const sql = openRawConnection(file);
  try {
    const count = (table: string) =>
      (sql.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return count("odds_snapshot") + count("exacta_probable");
  } finally {
    sql.close();
  }
}
