/**
 * Space inside a database file. SQLite keeps the pages a DELETE or a
 * migration frees for later rows instead of shrinking the file; VACUUM
 * rewrites the file without them. It is atomic (a kill leaves the old file
 * whole) but needs up to the file's size again on disk and the write lock
 * for its whole run, so it is a command of its own, never a side effect.
 */
import { existsSync, statSync } from "node:fs";
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

/** Size of a database file with its WAL (what it takes on disk). */
function bytesOnDisk(file: string): number {
  const wal = `${file}-wal`;
  return statSync(file).size + (existsSync(wal) ? statSync(wal).size : 0);
}

/**
 * The file's size and its free pages. Pages only partly used (a migration that shrinks rows
 * leaves many) are not counted: VACUUM usually gives back more than this.
 */
export function fileSpace(sql: Database.Database, file: string): FileSpace {
  const pageSize = sql.pragma("page_size", { simple: true }) as number;
  const freePages = sql.pragma("freelist_count", { simple: true }) as number;
  return { fileBytes: bytesOnDisk(file), freeBytes: freePages * pageSize };
}

/** Copies the WAL into the file and empties it; false when another process's read kept it from finishing. */
function checkpoint(sql: Database.Database): boolean {
  const [result] = sql.pragma("wal_checkpoint(TRUNCATE)") as Array<{ busy: number }>;
  return !result || result.busy === 0;
}

/** Bytes as megabytes for people, one decimal. */
export const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** A line for a file with much free space after an upgrade (the compact_storage one frees half), or null. */
export function freeSpaceNote(sql: Database.Database, file: string): string | null {
  checkpoint(sql);
  const { fileBytes, freeBytes } = fileSpace(sql, file);
  if (freeBytes < NOTE_MIN_BYTES || freeBytes * 4 < fileBytes) return null;
  return (
    `${file}: at least ${mb(freeBytes)} of its ${mb(fileBytes)} is free space after the upgrade; ` +
    `\`totewatch db vacuum --db ${file}\` gives it back to the disk`
  );
}

export interface VacuumResult {
  file: string;
  before: FileSpace;
  afterBytes: number;
  /**
   * False when another process was reading: the rewritten file then waits in the WAL, and
   * reaches the disk at the next checkpoint after that process lets go (any command's).
   */
  shrunk: boolean;
}

/** Rewrites the database without its free pages; waits (busy timeout) for other writers. */
export function vacuumDatabase(url: string): VacuumResult {
  const file = databasePathFromUrl(url);
  prepareDatabaseFile(file);
  const sql = openRawConnection(file);
  try {
    checkpoint(sql);
    const before = fileSpace(sql, file);
    sql.exec("VACUUM");
    const shrunk = checkpoint(sql);
    return { file, before, afterBytes: bytesOnDisk(file), shrunk };
  } finally {
    sql.close();
  }
}
