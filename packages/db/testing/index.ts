/**
 * Test-only entry (`@totewatch/db/testing`, outside src; tests and benches
 * only): fresh database files made by the real migrations, table dumps and
 * counts for comparing runs, and the storage format of instants for benches
 * that insert rows directly. Their raw SQL lives here because all SQL lives
 * in packages/db.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createDb, type Db } from "../src/client.js";
import { migrateDatabase, migrationsFingerprint, publishFile } from "../src/migrate.js";

export { toDbTime } from "../src/time.js";
export { STEAM_ALERT_POST_TIME, STEAM_ALERT_RACE, storeSteamAlert } from "./sample-alert.js";

/**
 * A database file migrated by the real migrations (`prisma migrate deploy`),
 * made once per migrations fingerprint and copied for each test, so every
 * test file gets its own fresh database in milliseconds.
 */
export function migratedTemplate(): string {
  const template = path.join(os.tmpdir(), `totewatch-template-${migrationsFingerprint()}.db`);
  if (!existsSync(template)) {
    const scratch = path.join(mkdtempSync(path.join(os.tmpdir(), "totewatch-mig-")), "t.db");
    migrateDatabase(scratch, { quiet: true });
    publishFile(scratch, template);
  }
  return template;
}

const scratchDirs: string[] = [];
// Test databases are scratch files: remove them when the test process ends.
process.once("exit", () => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

/** Path of a new, migrated database file in its own temp folder (removed when the process exits). */
export function freshDatabaseFile(label = "test"): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `totewatch-${label}-`));
  scratchDirs.push(dir);
  const file = path.join(dir, "horses.db");
  copyFileSync(migratedTemplate(), file);
  return file;
}

/** A client on a new, migrated database file. */
export function createTestDb(label?: string): Db {
  return createDb({ url: freshDatabaseFile(label) });
}

export const DATA_TABLES = ["track", "race", "horse", "entry", "odds_snapshot", "exacta_probable"] as const;

/** Every row of the data tables in id order; write-time stamps (created_at, updated_at) left out. */
export async function dumpTables(
  db: Db,
  opts: { ignoreColumns?: readonly string[] } = {},
): Promise<Record<string, unknown[]>> {
  const ignored = new Set(["created_at", "updated_at", ...(opts.ignoreColumns ?? [])]);
  return db.exclusive(() => {
    const out: Record<string, unknown[]> = {};
    for (const table of DATA_TABLES) {
      const rows = db.sql.prepare(`SELECT * FROM ${table} ORDER BY 1`).all() as Array<
        Record<string, unknown>
      >;
      out[table] = rows.map((row) =>
        Object.fromEntries(Object.entries(row).filter(([k]) => !ignored.has(k))),
      );
    }
    return out;
  });
}

export async function countRows(db: Db): Promise<Record<string, number>> {
  return db.exclusive(() =>
    Object.fromEntries(
      DATA_TABLES.map((table) => [
        table,
        (db.sql.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n,
      ]),
    ),
  );
}

/** Rows in one table. */
export async function rowCount(db: Db, table: string): Promise<number> {
  return db.exclusive(() => (db.sql.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
}

/**
 * Every row of the given tables exactly as stored (write-time stamps
 * included), in storage order: two equal dumps mean nothing was written.
 */
export async function storedRows(db: Db, tables: readonly string[]): Promise<Record<string, unknown[]>> {
  return db.exclusive(() =>
    Object.fromEntries(
      tables.map((table) => [table, db.sql.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all()]),
    ),
  );
}
