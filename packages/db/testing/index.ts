/**
 * Test-only entry (`@totewatch/db/testing`, outside src; tests and benches
 * only): fresh database files made by the real migrations, table dumps,
 * counts and row reads for assertions, an integrity check, and the raw
 * insert baseline the ingest bench measures the write path against. Their
 * SQL (and their Prisma reads) live here because all SQL lives in
 * packages/db: tests outside it reach the database only through these.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createDb, type Db } from "../src/client.js";
import { connectionOf, prismaOf } from "../src/connection.js";
import type { Alert, AlertDelivery } from "../src/generated/prisma/client.js";
import { migrateDatabase, migrationsFingerprint, publishFile } from "../src/migrate.js";

export { toDbTime } from "../src/time.js";
export { databaseBytes, snapshotRows, storageBreakdown, type StoredObject } from "./storage.js";
export { rawSnapshotInserts, type RawInsertRun, type RawSnapshots } from "./raw-inserts.js";
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

/** A new, empty scratch folder named `prefix…` under the OS temp folder, removed when the process exits. */
export function scratchDir(prefix = "totewatch-"): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  scratchDirs.push(dir);
  return dir;
}

/** Path of a new, migrated database file in its own temp folder (removed when the process exits). */
export function freshDatabaseFile(label = "test"): string {
  const file = path.join(scratchDir(`totewatch-${label}-`), "horses.db");
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
      const rows = connectionOf(db).prepare(`SELECT * FROM ${table} ORDER BY 1`).all() as Array<
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
        (connectionOf(db).prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n,
      ]),
    ),
  );
}

/** Rows in one table. */
export async function rowCount(db: Db, table: string): Promise<number> {
  return db.exclusive(
    () => (connectionOf(db).prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n,
  );
}

/** A row exactly as stored, by column name (instants as integer milliseconds, booleans as 0/1). */
export type StoredRow = Record<string, unknown>;

/**
 * Every row of the given tables exactly as stored (write-time stamps
 * included), in storage order: two equal dumps mean nothing was written.
 */
export async function storedRows<Table extends string>(
  db: Db,
  tables: readonly Table[],
): Promise<Record<Table, StoredRow[]>> {
  return db.exclusive(
    () =>
      Object.fromEntries(
        tables.map((table) => [
          table,
          connectionOf(db).prepare(`SELECT * FROM ${table} ORDER BY rowid`).all() as StoredRow[],
        ]),
      ) as Record<Table, StoredRow[]>,
  );
}

/** `storedRows` of every table in the file, the migrations' bookkeeping included: "the file did not change". */
export async function allStoredRows(db: Db): Promise<Record<string, StoredRow[]>> {
  return db.exclusive(() => {
    const tables = connectionOf(db)
      .prepare(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
      )
      .all() as Array<{ name: string }>;
    const names = tables.map(({ name }) => name);
    return storedRows(db, names);
  });
}

/** The database's own consistency check: "ok" when the file is sound, else what is wrong. */
export async function integrityCheck(db: Db): Promise<string> {
  return db.exclusive(() => String(connectionOf(db).pragma("integrity_check", { simple: true })));
}

/** Every stored alert, by dedupe key. */
export async function alertRows(db: Db): Promise<Alert[]> {
  return db.exclusive(() => prismaOf(db).alert.findMany({ orderBy: { dedupeKey: "asc" } }));
}

/** Every delivery row, by alert and channel. */
export async function deliveryRows(db: Db): Promise<AlertDelivery[]> {
  return db.exclusive(() =>
    prismaOf(db).alertDelivery.findMany({ orderBy: [{ alertId: "asc" }, { channel: "asc" }] }),
  );
}

/** The id of the newest win-odds row, or null when there is none. */
export async function lastOddsSnapshotId(db: Db): Promise<number | null> {
  return db.exclusive(
    async () => (await prismaOf(db).oddsSnapshot.aggregate({ _max: { id: true } }))._max.id,
  );
}
