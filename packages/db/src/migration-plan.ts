/**
 * What a file's migration history asks of migrateDatabase, read from its
 * `_prisma_migrations` rows. Invariants:
 * - a history this folder cannot account for is refused in one line: a
 *   migration recorded as started but not finished that the folder lacks,
 *   applied migrations it lacks (a newer Totewatch migrated the file), or
 *   applied from a different migration.sql (edited since);
 * - `upToDate` decides from a plain read, without SQLite's write lock: every
 *   command migrates on open, so an up-to-date file must not wait on (or
 *   fail because of) another process's write (a VACUUM, a backup, a
 *   `BEGIN IMMEDIATE` left open in the sqlite3 shell; in WAL mode readers do
 *   not wait on a writer). Its answer may be stale by the time work starts:
 *   migrate.ts re-reads and re-checks under the write lock before it writes.
 */
import type Database from "better-sqlite3";
import { MigrationError } from "./errors.js";
import {
  conflictError,
  historyConflicts,
  isApplied,
  isOpen,
  readRecords,
  type Migration,
  type MigrationRecord,
} from "./migration-history.js";

/** Throws the one-line MigrationError for a history `migrations` cannot account for; returns when there is none. */
export function refuseUnaccountedHistory(
  file: string,
  migrations: Migration[],
  records: MigrationRecord[],
): void {
  const known = new Set(migrations.map((m) => m.name));
  const stranger = records.find((r) => isOpen(r) && !known.has(r.name));
  if (stranger) {
    throw new MigrationError(
      file,
      stranger.name,
      "is recorded as started but not finished and is not among this version's migrations: run the Totewatch version that wrote it",
    );
  }
  const conflict = conflictError(file, historyConflicts(migrations, records));
  if (conflict) throw conflict;
}

/**
 * True when `sql`'s file has every migration applied and nothing to settle
 * (no attempt recorded as started but not finished, which migrate.ts would
 * roll back or recover); false when something must be written. Reads only.
 * Throws MigrationError for a history the folder cannot account for.
 */
export function upToDate(sql: Database.Database, file: string, migrations: Migration[]): boolean {
  const records = readRecords(sql);
  if (!records) return false;
  refuseUnaccountedHistory(file, migrations, records);
  if (records.some(isOpen)) return false;
  const applied = new Set(records.filter(isApplied).map((r) => r.name));
  return migrations.every((m) => applied.has(m.name));
}
