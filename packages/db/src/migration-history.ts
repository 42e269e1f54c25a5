/**
 * The migrations folder and the `_prisma_migrations` table, kept exactly as
 * Prisma keeps them (same table, same checksum: the sha256 of migration.sql,
 * same instants), so `prisma migrate status` and `migrate dev` read what
 * migrate.ts records. A row is Prisma's state of one attempt: finished
 * (finished_at set), rolled back (rolled_back_at set), or started and neither:
 * interrupted or failed, which Prisma refuses to go past (P3009).
 */
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type Database from "better-sqlite3";

export interface Migration {
  /** The folder name: `<timestamp>_<what>`. */
  name: string;
  script: string;
  checksum: string;
}

export interface MigrationRecord {
  id: string;
  name: string;
  finished: boolean;
  rolledBack: boolean;
}

/** The migrations of a folder (each a folder holding migration.sql), oldest first. */
export function readMigrations(dir: string): Migration[] {
  return readdirSync(dir)
    .filter((name) => existsSync(path.join(dir, name, "migration.sql")))
    .sort()
    .map((name) => {
      const bytes = readFileSync(path.join(dir, name, "migration.sql"));
      return {
        name,
        script: bytes.toString("utf8"),
        checksum: createHash("sha256").update(bytes).digest("hex"),
      };
    });
}

/** Prisma's own definition (schema-engine, SQLite connector), so its CLI finds what it expects. */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

export const MIGRATIONS_TABLE = "_prisma_migrations";

/** An instant as Prisma writes it into `_prisma_migrations` ("2026-12-02T06:45:56.344+00:00"). */
export const prismaInstant = (at: Date = new Date()) => at.toISOString().replace("Z", "+00:00");

export function hasMigrationsTable(sql: Database.Database): boolean {
  return (
    sql.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(MIGRATIONS_TABLE) !==
    undefined
  );
}

export function createMigrationsTable(sql: Database.Database): void {
  sql.exec(CREATE_MIGRATIONS_TABLE);
}

/** The table's rows in the order they were started; null when there is no such table. */
export function readRecords(sql: Database.Database): MigrationRecord[] | null {
  if (!hasMigrationsTable(sql)) return null;
  const rows = sql
    .prepare(
      `SELECT id, migration_name, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at, rowid`,
    )
    .all() as Array<{ id: string; migration_name: string; finished_at: unknown; rolled_back_at: unknown }>;
  return rows.map((r) => ({
    id: r.id,
    name: r.migration_name,
    finished: r.finished_at != null,
    rolledBack: r.rolled_back_at != null,
  }));
}

/** A row neither finished nor rolled back: an attempt that was interrupted or failed. */
export const isOpen = (record: MigrationRecord) => !record.finished && !record.rolledBack;

/** A row that counts the migration as applied. */
export const isApplied = (record: MigrationRecord) => record.finished && !record.rolledBack;

/** Records `migration` as applied, started at `startedAt` and finished now (one step, as Prisma counts it). */
export function recordApplied(sql: Database.Database, migration: Migration, startedAt: string): void {
  sql
    .prepare(
      `INSERT INTO "_prisma_migrations"
         (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
       VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)`,
    )
    .run(randomUUID(), migration.checksum, prismaInstant(), migration.name, startedAt);
}

/** Marks an open row rolled back (what `prisma migrate resolve --rolled-back` does): the migration counts as not applied. */
export function markRolledBack(sql: Database.Database, record: MigrationRecord): void {
  sql
    .prepare(`UPDATE "_prisma_migrations" SET rolled_back_at = ? WHERE id = ?`)
    .run(prismaInstant(), record.id);
}

/** Marks an open row finished: its migration's changes are all in the file, only the record was missing. */
export function markFinished(sql: Database.Database, record: MigrationRecord): void {
  sql
    .prepare(`UPDATE "_prisma_migrations" SET finished_at = ?, applied_steps_count = 1 WHERE id = ?`)
    .run(prismaInstant(), record.id);
}
