/**
 * Test-only entry (`@totewatch/db/testing`, outside src; tests and benches
 * only): fresh database files made by the real migrations, table dumps,
 * counts and row reads for assertions, an integrity check, and the raw
 * insert baseline the ingest bench measures the write path against. Their
 * SQL (and their Prisma reads) live here because all SQL lives in
 * packages/db: tests outside it reach the database only through these.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createDb, type Db } from "../src/client.js";
import { connectionOf } from "../src/connection.js";
import type { Alert, AlertDelivery } from "../src/generated/prisma/client.js";
import { readRaw, readTransaction, type SqlRow } from "../src/sql.js";
import { fromDbTime } from "../src/time.js";
import {
  createPostgresTestDb,
  emptyPostgresDatabase,
  freshPostgresDatabase,
  testEngine,
  unusedPostgresDatabaseUrl,
} from "./postgres.js";
import { migrateSqliteDatabase, migrationsFingerprint, publishFile } from "../src/migrate.js";

export { toDbTime } from "../src/time.js";
export { failInserts, openTransactions, queryRows, runSql } from "./raw-sql.js";
export { postgresAvailable, startPostgresCluster, type PostgresCluster } from "./pg-cluster.js";
export { createPostgresTestDb, freshPostgresDatabase, testDatabaseUrl, testEngine } from "./postgres.js";
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
    migrateSqliteDatabase(scratch, { quiet: true });
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

/**
 * A client on a new, migrated database: a file, or, when the tests run on PostgreSQL
 * (testEngine()), a database of its own on the test server.
 */
export function createTestDb(label?: string): Db {
  if (testEngine() === "postgres") return createPostgresTestDb(label);
  return createDb({ url: freshDatabaseFile(label) });
}

/**
 * The url of a new, migrated database on the engine the tests run on (testEngine()): a file's
 * path, or a postgresql:// url of a database of its own. For tests that open it more than once
 * (two clients, a child process's --db).
 */
export async function freshTestDatabaseUrl(label?: string): Promise<string> {
  return testEngine() === "postgres" ? freshPostgresDatabase(label) : freshDatabaseFile(label);
}

/** The url of a database that does not exist, on the engine the tests run on: a file not made yet, or a database not created. */
export function missingTestDatabaseUrl(label = "missing"): string {
  if (testEngine() === "postgres") return unusedPostgresDatabaseUrl(label);
  return path.join(scratchDir(`totewatch-${label}-`), "none.db");
}

/** The url of a database that exists with nothing in it (never migrated): an empty file, or a bare database. */
export async function emptyTestDatabaseUrl(label = "empty"): Promise<string> {
  if (testEngine() === "postgres") return emptyPostgresDatabase(label);
  const file = path.join(scratchDir(`totewatch-${label}-`), "empty.db");
  writeFileSync(file, "");
  return file;
}

export const DATA_TABLES = ["track", "race", "horse", "entry", "odds_snapshot", "exacta_probable"] as const;

/** Every row of the data tables in id order; write-time stamps (created_at, updated_at) left out. */
export async function dumpTables(
  db: Db,
  opts: { ignoreColumns?: readonly string[] } = {},
): Promise<Record<string, unknown[]>> {
  const ignored = new Set(["created_at", "updated_at", ...(opts.ignoreColumns ?? [])]);
  return readTransaction(db, async (sql) => {
    const out: Record<string, unknown[]> = {};
    for (const table of DATA_TABLES) {
      const rows = await sql.all<Record<string, unknown>>(`SELECT * FROM ${table} ORDER BY 1`);
      out[table] = rows.map((row) =>
        Object.fromEntries(Object.entries(row).filter(([k]) => !ignored.has(k))),
      );
    }
    return out;
  });
}

export async function countRows(db: Db): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of DATA_TABLES) counts[table] = await rowCount(db, table);
  return counts;
}

/** Rows in one table. */
export async function rowCount(db: Db, table: string): Promise<number> {
  return readRaw(db, async (sql) => (await sql.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))!.n);
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
  return readTransaction(db, async (sql) => {
    const order = sql.dialect === "sqlite" ? "rowid" : "1";
    const out = {} as Record<Table, StoredRow[]>;
    for (const table of tables)
      out[table] = await sql.all<StoredRow>(`SELECT * FROM "${table}" ORDER BY ${order}`);
    return out;
  });
}

/** `storedRows` of every table in the database, the migrations' bookkeeping included: "nothing changed". */
export async function allStoredRows(db: Db): Promise<Record<string, StoredRow[]>> {
  const tables = await readRaw(db, (sql) =>
    sql.all<{ name: string }>(
      sql.dialect === "sqlite"
        ? `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
        : `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    ),
  );
  return storedRows(
    db,
    tables.map(({ name }) => name),
  );
}

/** SQLite's own consistency check of the file: "ok" when it is sound, else what is wrong (SQLite only). */
export async function integrityCheck(db: Db): Promise<string> {
  return db.exclusive(() => String(connectionOf(db).pragma("integrity_check", { simple: true })));
}

type AlertRow = SqlRow<Alert>;
type DeliveryRow = SqlRow<AlertDelivery>;
const dateOrNull = (value: number | null) => (value === null ? null : fromDbTime(value));

/** Every stored alert, by dedupe key. */
export async function alertRows(db: Db): Promise<Alert[]> {
  const rows = await readRaw(db, (sql) =>
    sql.all<AlertRow>(
      `SELECT alert_id AS id, triggered_at AS "triggeredAt", race_id AS "raceId", entry_id AS "entryId",
              alert_type AS "alertType", threshold_value AS "thresholdValue", actual_value AS "actualValue",
              message, sent, sent_at AS "sentAt", created_at AS "createdAt", dedupe_key AS "dedupeKey",
              subject, details
       FROM alert ORDER BY dedupe_key`,
    ),
  );
  return rows.map((row) => ({
    ...row,
    triggeredAt: fromDbTime(row.triggeredAt),
    sent: row.sent === 1,
    sentAt: dateOrNull(row.sentAt),
    createdAt: fromDbTime(row.createdAt),
  }));
}

/** Every delivery row, by alert and channel. */
export async function deliveryRows(db: Db): Promise<AlertDelivery[]> {
  const rows = await readRaw(db, (sql) =>
    sql.all<DeliveryRow>(
      `SELECT delivery_id AS id, alert_id AS "alertId", channel, attempts, last_error AS "lastError",
              last_attempt_at AS "lastAttemptAt", next_attempt_at AS "nextAttemptAt",
              delivered_at AS "deliveredAt", created_at AS "createdAt", digest_id AS "digestId"
       FROM alert_delivery ORDER BY alert_id, channel`,
    ),
  );
  return rows.map((row) => ({
    ...row,
    lastAttemptAt: dateOrNull(row.lastAttemptAt),
    nextAttemptAt: dateOrNull(row.nextAttemptAt),
    deliveredAt: dateOrNull(row.deliveredAt),
    createdAt: fromDbTime(row.createdAt),
  }));
}

/** The id of the newest win-odds row, or null when there is none. */
export async function lastOddsSnapshotId(db: Db): Promise<number | null> {
  return readRaw(
    db,
    async (sql) =>
      (await sql.get<{ id: number | null }>(`SELECT max(snapshot_id) AS id FROM odds_snapshot`))!.id,
  );
}
