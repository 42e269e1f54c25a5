/**
 * Sole use of a database file while a migration rewrites its rows.
 *
 * A migration that converts stored rows (compact_storage turns every instant
 * from text into milliseconds) must not run while another process has the
 * file open: a daemon of the older version, started before the upgrade,
 * would go on writing rows in the old format, and its daily prune (which
 * compares instants in that format) would delete the converted history. The
 * older version never re-checks the schema, so the only safe moment to
 * refuse is now.
 *
 * How it is told: leaving WAL for the rollback journal needs the file to
 * itself, so SQLite refuses `journal_mode = DELETE` (SQLITE_BUSY) while any
 * other connection is open, even an idle one. The migration then runs in
 * rollback mode (still one transaction) and WAL is restored after it; a
 * process killed in between leaves a file in rollback mode, which every
 * connection switches back to WAL when it opens it.
 */
import type Database from "better-sqlite3";
import { MigrationError } from "./errors.js";
import { isApplied, readRecords, type Migration } from "./migration-history.js";
import { writesRows } from "./migration-recovery.js";

/** How long to wait for a brief reader (a `db status`, a backup's last page) to let go. */
const SOLE_USE_WAIT_MS = 3_000;

/** Whether any table but the migration history holds a row (a new file needs no sole use). */
export function holdsRows(sql: Database.Database): boolean {
  const tables = sql
    .prepare(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations'`,
    )
    .all() as Array<{ name: string }>;
  return tables.some(({ name }) => sql.prepare(`SELECT 1 FROM "${name}" LIMIT 1`).get() !== undefined);
}

/** The first pending migration that rewrites rows, when the file holds rows for it to rewrite; else null. */
export function soleUseNeeded(sql: Database.Database, migrations: readonly Migration[]): string | null {
  const applied = new Set((readRecords(sql) ?? []).filter(isApplied).map((r) => r.name));
  const rewriting = migrations.find((m) => !applied.has(m.name) && writesRows(m.script));
  return rewriting && holdsRows(sql) ? rewriting.name : null;
}

/** Runs `work` with no other connection on the file, or throws MigrationError naming why not. */
export function withSoleUse<T>(sql: Database.Database, file: string, migration: string, work: () => T): T {
  const timeout = sql.pragma("busy_timeout", { simple: true }) as number;
  sql.pragma(`busy_timeout = ${SOLE_USE_WAIT_MS}`);
  let mode: unknown;
  try {
    mode = sql.pragma("journal_mode = DELETE", { simple: true });
  } catch (error) {
    if (!/locked|busy/i.test(error instanceof Error ? error.message : String(error))) throw error;
    mode = "busy";
  } finally {
    sql.pragma(`busy_timeout = ${timeout}`);
  }
  if (mode !== "delete") {
    throw new MigrationError(
      file,
      migration,
      "rewrites stored rows, so it needs the database to itself, but another process has it open " +
        "(an ingest poll or alerts run, maybe of the previous version): stop them, then run " +
        `\`totewatch db migrate --db ${file}\`; nothing was changed`,
    );
  }
  try {
    return work();
  } finally {
    sql.pragma("journal_mode = WAL");
  }
}
