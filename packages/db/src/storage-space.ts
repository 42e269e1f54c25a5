/**
 * Space inside a database file. SQLite keeps the pages a DELETE or a
 * migration frees for later rows instead of shrinking the file; VACUUM
 * rewrites the file without them. It is atomic (a kill leaves the old file
 * whole) but needs up to the file's size again on disk and the write lock
 * for its whole run, so it is a command of its own, never a side effect.
 */
import { statSync } from "node:fs";
import type Database from "better-sqlite3";
import { openRawConnection } from "./client.js";
import { databasePathFromUrl } from "./database-url.js";
import { prepareDatabaseFile } from "./database-file.js";

/** Free space worth a note after a migration: at least this much, and a quarter of the file. */
const NOTE_MIN_BYTES = 16 * 1024 * 1024;

export interface FileSpace {
  /** Size of the file on disk. */
  fileBytes: number;
  /** Bytes of free pages inside it. */
  freeBytes: number;
}

export function fileSpace(sql: Database.Database, file: string): FileSpace {
  const pageSize = sql.pragma("page_size", { simple: true }) as number;
  const freePages = sql.pragma("freelist_count", { simple: true }) as number;
  return { fileBytes: statSync(file).size, freeBytes: freePages * pageSize };
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** A line for a file with much free space after an upgrade (the compact_storage one frees half), or null. */
export function freeSpaceNote(sql: Database.Database, file: string): string | null {
  sql.pragma("wal_checkpoint(TRUNCATE)");
  const { fileBytes, freeBytes } = fileSpace(sql, file);
  if (freeBytes < NOTE_MIN_BYTES || freeBytes * 4 < fileBytes) return null;
  return (
    `${file}: ${mb(freeBytes)} of its ${mb(fileBytes)} is free space after the upgrade; ` +
    "`totewatch db vacuum` gives it back to the disk"
  );
}

export interface VacuumResult {
  file: string;
  before: FileSpace;
  afterBytes: number;
}

/** Rewrites the database without its free pages; waits (busy timeout) for other writers. */
export function vacuumDatabase(url: string): VacuumResult {
  const file = databasePathFromUrl(url);
  prepareDatabaseFile(file);
  const sql = openRawConnection(file);
  try {
    sql.pragma("wal_checkpoint(TRUNCATE)");
    const before = fileSpace(sql, file);
    sql.exec("VACUUM");
    sql.pragma("wal_checkpoint(TRUNCATE)");
    return { file, before, afterBytes: statSync(file).size };
  } finally {
    sql.close();
  }
}
