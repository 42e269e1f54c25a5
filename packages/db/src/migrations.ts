/**
 * The engine-neutral face of migrations: the url decides. A `postgresql://`
 * url is migrated by pg-migrate.ts (prisma/postgres/migrations), a file or
 * `file:` url by migrate.ts (prisma/migrations), each with its own
 * guarantees (a migration whole or not at all; several processes at once).
 */
import { isPostgresUrl, redactDatabaseUrl } from "./database-url.js";
import { migrateSqliteDatabase, resetSqliteDatabase, type MigrateOptions } from "./migrate.js";
import { sqliteMigrationStatus, type MigrationStatus } from "./migration-status.js";
import { migratePostgres, postgresMigrationState, resetPostgres } from "./pg-migrate.js";

/**
 * Applies every pending migration (creating the SQLite file, or the PostgreSQL database, when
 * missing); resolves to the database as messages show it (the file, or the url without its
 * password). Safe on every start and from several processes at once.
 */
export async function migrateDatabase(url: string, opts: MigrateOptions = {}): Promise<string> {
  return isPostgresUrl(url) ? migratePostgres(url, opts) : migrateSqliteDatabase(url, opts);
}

/** Empties the database (deletes the file; drops the PostgreSQL schema) and migrates from nothing. */
export async function resetDatabase(url: string, opts: MigrateOptions = {}): Promise<string> {
  return isPostgresUrl(url) ? resetPostgres(url, opts) : resetSqliteDatabase(url, opts);
}

/** Where the database stands against its engine's migrations, read without changing anything. */
export async function migrationStatus(url: string): Promise<MigrationStatus> {
  if (!isPostgresUrl(url)) return sqliteMigrationStatus(url);
  const state = await postgresMigrationState(url);
  return { file: redactDatabaseUrl(url), interrupted: [], ...state };
}
