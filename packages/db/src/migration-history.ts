/**
 * The migrations folder and the `_prisma_migrations` table, kept exactly as
 * Prisma keeps them (same table, same checksum: the sha256 of migration.sql,
 * same instants), so `prisma migrate status` and `migrate dev` read what
 * migrate.ts records. A row is Prisma's state of one attempt: finished
 * (finished_at set), rolled back (rolled_back_at set), or started and neither:
 * interrupted or failed, which Prisma refuses to go past (P3009).
 * Invariants:
 * - a row's checksum is the sha256 (hex) of the migration.sql bytes it ran,
 *   and matches a file as Prisma's schema engine matches it (checksum.rs):
 *   line endings aside (a Windows checkout with CRLF is the same migration),
 *   and the unpadded hex of old Prisma versions accepted;
 * - a history this folder cannot account for (applied migrations it lacks,
 *   or applied from a different migration.sql) is a conflict, said in one
 *   line; migrate.ts refuses to change such a file.
 */
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type Database from "better-sqlite3";
import { MigrationError } from "./errors.js";

export interface Migration {
  /** The folder name: `<timestamp>_<what>`. */
  name: string;
  script: string;
  checksum: string;
}

export interface MigrationRecord {
  id: string;
  name: string;
  /** The checksum of the migration.sql the attempt ran. */
  checksum: string;
  finished: boolean;
  rolledBack: boolean;
}

/** The migrations of a folder (each a folder holding migration.sql), oldest first. */
export function readMigrations(dir: string): Migration[] {
  return readdirSync(dir)
    .filter((name) => existsSync(path.join(dir, name, "migration.sql")))
    .sort()
    .map((name) => toMigration(name, readFileSync(path.join(dir, name, "migration.sql"))));
}

const sha256 = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest();

/** A migration from its folder name and the bytes of its migration.sql (hashed as they are, as Prisma does). */
export function toMigration(name: string, bytes: Buffer): Migration {
  return { name, script: bytes.toString("utf8"), checksum: sha256(bytes).toString("hex") };
}

/**
 * Whether `recorded` (a row's checksum) is the checksum of `migration`'s file,
 * by Prisma's rule: the bytes as they are, or with CRLF made LF, or LF made
 * CRLF (git rewrites line endings on checkout, so the same migration has two
 * spellings); a checksum of another length than 64 is compared with the
 * unpadded hex ("{:x}" per byte) old schema engines wrote (prisma-engines#1887).
 */
export function checksumMatches(migration: Migration, recorded: string): boolean {
  const unpadded = recorded !== "" && recorded.length !== 64;
  const render = (digest: Buffer) =>
    unpadded ? [...digest].map((byte) => byte.toString(16)).join("") : digest.toString("hex");
  if (render(Buffer.from(migration.checksum, "hex")) === recorded) return true;
  // The variants are of the text, as Prisma reads the file (UTF-8): computed only when needed.
  const variants = [migration.script.replaceAll("\r\n", "\n"), migration.script.replaceAll("\n", "\r\n")];
  return variants.some((text) => render(sha256(text)) === recorded);
}

/** What a file's history has that this folder cannot account for. */
export interface HistoryConflicts {
  /** Migrations recorded as applied that the folder lacks (a newer Totewatch migrated the file), sorted. */
  unknown: string[];
  /** Migrations of the folder recorded as applied from a different migration.sql, oldest first. */
  changed: string[];
}

/** Compares the `_prisma_migrations` rows with the folder's migrations; open and rolled-back rows are not history. */
export function historyConflicts(migrations: Migration[], records: MigrationRecord[]): HistoryConflicts {
  const applied = records.filter(isApplied);
  const known = new Set(migrations.map((m) => m.name));
  return {
    unknown: [...new Set(applied.map((r) => r.name).filter((name) => !known.has(name)))].sort(),
    changed: migrations
      .filter((m) => applied.some((r) => r.name === m.name && !checksumMatches(m, r.checksum)))
      .map((m) => m.name),
  };
}

/** The one-line refusal for `conflicts` in `file` (an unknown migration first: upgrading is the cure); null when none. */
export function conflictError(file: string, conflicts: HistoryConflicts): MigrationError | null {
  const { unknown, changed } = conflicts;
  if (unknown.length > 0) {
    const one = unknown.length === 1;
    return new MigrationError(
      file,
      unknown.join(", "),
      `${one ? "is" : "are"} applied in this database but ${one ? "is" : "are"} not among this version's migrations ` +
        "(the database was made by a newer Totewatch): upgrade Totewatch to use it; refusing to change the database",
    );
  }
  if (changed.length > 0) {
    return new MigrationError(
      file,
      changed.join(", "),
      `${changed.length === 1 ? "was" : "were"} applied from a different migration.sql than this version has ` +
        "(the file was edited after it was applied, or the database was made by a different Totewatch version): " +
        "restore the file as it was (`git checkout` it) or use that version; refusing to change the database",
    );
  }
  return null;
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
      `SELECT id, migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at, rowid`,
    )
    .all() as Array<{
    id: string;
    migration_name: string;
    checksum: unknown;
    finished_at: unknown;
    rolled_back_at: unknown;
  }>;
  return rows.map((r) => ({
    id: r.id,
    name: r.migration_name,
    checksum: String(r.checksum ?? ""),
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

/**
 * Marks an open row finished: its migration's changes are all in the file, only the record was
 * missing. The checksum becomes the file's: the schema was judged against this migration.sql
 * (the open row may hold another, or none a Prisma CLI would accept), so the next run matches.
 */
export function markFinished(sql: Database.Database, record: MigrationRecord, migration: Migration): void {
  sql
    .prepare(
      `UPDATE "_prisma_migrations" SET finished_at = ?, applied_steps_count = 1, checksum = ? WHERE id = ?`,
    )
    .run(prismaInstant(), migration.checksum, record.id);
}
