/**
 * Schema migrations: the SQL in prisma/migrations, applied in this process
 * through better-sqlite3 and recorded in `_prisma_migrations` exactly as
 * `prisma migrate deploy` records it (so Prisma's CLI reads the same history).
 * Invariants:
 * - every command migrates before it opens the database: a fresh file gets
 *   the schema, an up-to-date one is left alone;
 * - each migration applies whole or not at all: its script and its record
 *   commit in one transaction (SQLite DDL is transactional; Prisma's own
 *   deploy runs a script statement by statement, so a kill mid-way left it
 *   half applied and every later command failed with P3009);
 * - a migration recorded as started but not finished (by Prisma, or by an
 *   older Totewatch) is settled from the schema (migration-recovery.ts):
 *   applied again when it did not apply, recorded when it applied whole, and
 *   refused in one line when it applied in part;
 * - a file whose history this folder cannot account for is refused in one
 *   line before anything is written (migration-plan.ts): migrations applied
 *   that this version lacks (a newer Totewatch migrated it) or applied from a
 *   different migration.sql (edited since). Every command migrates on open,
 *   so every command refuses it;
 * - the write lock is taken only when something must be written: the history
 *   is first read without it (an up-to-date file is left at once, even while
 *   another process writes), then re-read and re-checked under it at each
 *   step, as another process may have migrated meanwhile.
 */
import { createHash } from "node:crypto";
import { existsSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type Database from "better-sqlite3";
import { describeFileError, openDatabaseFile, prepareDatabaseFile, withFileErrors } from "./database-file.js";
import { databasePathFromUrl } from "./database-url.js";
import { dbCommand, resolveHint } from "./db-command.js";
import { DatabaseFileError, MigrationError } from "./errors.js";
import {
  createMigrationsTable,
  isApplied,
  isOpen,
  markFinished,
  markRolledBack,
  prismaInstant,
  readMigrations,
  readRecords,
  recordApplied,
  type Migration,
  type MigrationRecord,
} from "./migration-history.js";
import { refuseUnaccountedHistory, upToDate } from "./migration-plan.js";
import { dropObjects, interruptedState, listObjects, readSchema, UNKNOWN_WHY } from "./migration-recovery.js";
import { soleUseNeeded, withSoleUse } from "./sole-use.js";
import { freeSpaceNote } from "./storage-space.js";

export const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const migrationsDir = path.join(packageDir, "prisma", "migrations");

export interface MigrateOptions {
  /** No line per applied migration on stdout (a recovered interrupted migration is still told, on `onNote`). */
  quiet?: boolean;
  /** Where notes about recovered migrations go; default stderr. */
  onNote?: (line: string) => void;
  /** Another migrations folder (tests). */
  migrationsDir?: string;
}

/**
 * Applies every pending migration, creating the database file and its folder
 * if missing; returns the file. Safe to run on every start, and by several
 * processes at once (each migration is applied under SQLite's write lock,
 * which an up-to-date file never waits for).
 * Throws DatabaseFileError for a file that cannot be a database and
 * MigrationError when the migrations cannot bring it up to date.
 */
export function migrateSqliteDatabase(url: string, opts: MigrateOptions = {}): string {
  const file = databasePathFromUrl(url);
  prepareDatabaseFile(file);
  const migrations = readMigrations(opts.migrationsDir ?? migrationsDir);
  const say = (line: string) => {
    if (!opts.quiet) process.stdout.write(`${line}\n`);
  };
  const note = opts.onNote ?? ((line: string) => process.stderr.write(`${line}\n`));
  const sql = openDatabaseFile(file);
  try {
    if (withFileErrors(file, () => upToDate(sql, file, migrations))) {
      say(`${file}: all migrations already applied.`);
      return file;
    }
    let applied = 0;
    const applyAll = () => {
      for (;;) {
        const step = withFileErrors(file, () => applyNextMigration(sql, file, migrations));
        if (!step) break;
        if (step.note) note(step.note);
        if (step.applied) {
          applied++;
          say(`${file}: applied ${step.name}`);
        }
      }
    };
    const rewriting = withFileErrors(file, () => soleUseNeeded(sql, migrations));
    if (rewriting) withSoleUse(sql, file, rewriting, applyAll);
    else applyAll();
    say(applied === 0 ? `${file}: all migrations already applied.` : `${file}: up to date.`);
    const space = applied > 0 ? freeSpaceNote(sql, file) : null;
    if (space) note(space);
  } finally {
    sql.close();
  }
  return file;
}

interface Step {
  name: string;
  applied: boolean;
  note?: string;
}

/**
 * One transaction: settles the first migration not recorded as applied (an
 * interrupted one first) and applies it; null when none is left. Foreign-key
 * enforcement is off meanwhile (a migration may rebuild a table, which with
 * enforcement on would cascade deletes) and checked before the commit.
 */
function applyNextMigration(sql: Database.Database, file: string, migrations: Migration[]): Step | null {
  sql.pragma("foreign_keys = OFF");
  try {
    return sql.transaction(() => settleNext(sql, file, migrations)).immediate();
  } finally {
    sql.pragma("foreign_keys = ON");
  }
}

function settleNext(sql: Database.Database, file: string, migrations: Migration[]): Step | null {
  createMigrationsTable(sql);
  const records = readRecords(sql) ?? [];
  refuseUnaccountedHistory(file, migrations, records);
  for (const [index, migration] of migrations.entries()) {
    const rows = records.filter((r) => r.name === migration.name);
    const open = rows.filter(isOpen);
    if (rows.some(isApplied)) {
      // A stale failed attempt beside a finished one would still stop Prisma's CLI (P3009).
      for (const record of open) markRolledBack(sql, record);
      continue;
    }
    if (open.length === 0) {
      apply(sql, file, migration);
      return { name: migration.name, applied: true };
    }
    return recover(sql, file, migrations, index, open);
  }
  return null;
}

function recover(
  sql: Database.Database,
  file: string,
  migrations: Migration[],
  index: number,
  open: MigrationRecord[],
): Step {
  const migration = migrations[index]!;
  const rowsIn = (table: string) =>
    (sql.prepare(`SELECT count(*) AS n FROM "${table.replaceAll('"', '""')}"`).get() as { n: number }).n;
  const state = interruptedState(migrations, index, readSchema(sql), rowsIn);
  const interrupted = `${file}: migration ${migration.name} had been interrupted`;
  switch (state.kind) {
    case "applied":
      for (const record of open.slice(1)) markRolledBack(sql, record);
      markFinished(sql, open[0]!, migration);
      return {
        name: migration.name,
        applied: false,
        note: `${interrupted} after all its changes were made; recorded it as applied.`,
      };
    case "not-applied":
    case "created-only":
      for (const record of open) markRolledBack(sql, record);
      if (state.kind === "created-only") dropObjects(sql, state.drop);
      apply(sql, file, migration);
      return {
        name: migration.name,
        applied: true,
        note:
          state.kind === "created-only"
            ? `${interrupted} after creating only empty tables of its own; dropped them and applied it again.`
            : `${interrupted} before it changed anything; applied it again.`,
      };
    case "unknown":
      throw new MigrationError(
        file,
        migration.name,
        `was interrupted, and ${UNKNOWN_WHY[state.reason]}: ${resolveHint(file, migration.name)}`,
      );
    case "partial": {
      const parts = [
        state.present.length > 0 ? `made: ${listObjects(state.present)}` : "",
        state.changed.length > 0 ? `changed: ${listObjects(state.changed)}` : "",
        state.missing.length > 0 ? `not made: ${listObjects(state.missing)}` : "",
      ].filter(Boolean);
      const empty = holdsNoRows(sql, rowsIn);
      throw new MigrationError(
        file,
        migration.name,
        `was interrupted part-way and cannot be finished or undone automatically (${parts.join("; ")}): ` +
          (empty
            ? `the database holds no rows, so ${dbCommand("db:reset", file)} recreates it and loses nothing`
            : `restore a backup, or ${dbCommand("db:reset", file)} to start over (deletes every row)`),
      );
    }
  }
}

function holdsNoRows(sql: Database.Database, rowsIn: (table: string) => number): boolean {
  const tables = sql
    .prepare(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations'`,
    )
    .all() as Array<{ name: string }>;
  return tables.every((t) => rowsIn(t.name) === 0);
}

/** Runs a migration's script and records it (inside the caller's transaction). */
function apply(sql: Database.Database, file: string, migration: Migration): void {
  const startedAt = prismaInstant();
  try {
    sql.exec(migration.script);
  } catch (error) {
    const described = describeFileError(file, error);
    if (described instanceof DatabaseFileError) throw described;
    const message = error instanceof Error ? error.message : String(error);
    throw new MigrationError(file, migration.name, `failed: ${message}; nothing of it was applied`);
  }
  const broken = sql.pragma("foreign_key_check") as Array<{ table: string }>;
  if (broken.length > 0) {
    const tables = [...new Set(broken.map((b) => b.table))];
    throw new MigrationError(
      file,
      migration.name,
      `would leave rows that break foreign keys (in ${listObjects(tables)}); nothing of it was applied`,
    );
  }
  recordApplied(sql, migration, startedAt);
}

/** Names of the migrations in the migrations folder, oldest first. */
export function migrationNames(dir = migrationsDir): string[] {
  return readMigrations(dir).map((m) => m.name);
}

/** The file's `_prisma_migrations` rows; null when there is no file or no such table. */
function migrationRecords(file: string): MigrationRecord[] | null {
  if (file === ":memory:" || !existsSync(file) || statSync(file).size === 0) return null;
  prepareDatabaseFile(file);
  // Not readonly: a read-only open of a WAL database fails when its -shm file is missing.
  const sql = openDatabaseFile(file);
  try {
    return withFileErrors(file, () => readRecords(sql));
  } finally {
    sql.close();
  }
}

/** True when the file's `_prisma_migrations` lists every migration of the folder as applied and none as open. */
export function allMigrationsApplied(file: string): boolean {
  const records = migrationRecords(file);
  if (!records || records.some(isOpen)) return false;
  const applied = new Set(records.filter(isApplied).map((r) => r.name));
  return migrationNames().every((name) => applied.has(name));
}

/** The migrations the file records as applied (finished, not rolled back), oldest first. */
export function appliedMigrations(file: string): string[] {
  return [
    ...new Set(
      (migrationRecords(file) ?? [])
        .filter(isApplied)
        .map((r) => r.name)
        .sort(),
    ),
  ];
}

/** Deletes the database file (and its WAL/SHM) and migrates from nothing. */
export function resetSqliteDatabase(url: string, opts: MigrateOptions = {}): string {
  const file = databasePathFromUrl(url);
  prepareDatabaseFile(file);
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(file + suffix, { force: true });
  return migrateSqliteDatabase(file, opts);
}

/** A short fingerprint of the migrations folder: a template made from it is reusable until it changes. */
export function migrationsFingerprint(dir = migrationsDir): string {
  const hash = createHash("sha256");
  for (const migration of readMigrations(dir)) hash.update(migration.name).update(migration.script);
  return hash.digest("hex").slice(0, 16);
}

/** Moves a freshly migrated file into place atomically (parallel test workers may race). */
export function publishFile(from: string, to: string): void {
  renameSync(from, to);
}
