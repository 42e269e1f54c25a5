/**
 * Migrations on PostgreSQL: the SQL of prisma/postgres/migrations (derived
 * from the SQLite schema, postgres-schema.ts), applied in this process and
 * recorded in `_prisma_migrations` exactly as `prisma migrate deploy` records
 * it on PostgreSQL, so Prisma's CLI reads the same history.
 *
 * Invariants:
 * - each migration's script runs as ONE query (POSTGRES.md fix 4: `$$` bodies and DO blocks
 *   survive) in one transaction with its record: PostgreSQL's DDL is transactional, so a
 *   migration is in the database whole or not at all, whenever the process dies;
 * - one session-level advisory lock (MIGRATE_LOCK) serializes every migrating process, and the
 *   history is re-read under it, so several processes starting at once apply each migration once;
 * - a history this folder cannot account for (a newer Totewatch's migrations, an edited
 *   migration.sql) is refused in one line before anything is written, as on SQLite;
 * - a database that does not exist yet is created (the server's own `postgres` database is
 *   asked), with C collation so text sorts as in SQLite, so pointing Totewatch at a fresh server
 *   is the whole set-up.
 */
import path from "node:path";
import pg from "pg";
import { poolSettings, ROW_TYPES } from "./engine/postgres.js";
import { redactDatabaseUrl } from "./database-url.js";
import { DatabaseFileError, MigrationError } from "./errors.js";
import {
  conflictError,
  historyConflicts,
  isApplied,
  readMigrations,
  type Migration,
  type MigrationRecord,
} from "./migration-history.js";
import { packageDir } from "./migrate.js";

export const pgMigrationsDir = path.join(packageDir, "prisma", "postgres", "migrations");

/** The advisory lock key migrations hold ("migrate"), apart from the writers' lock. */
const MIGRATE_LOCK = "8392612345678935";

// Prisma's own table, as `prisma migrate deploy` creates it on PostgreSQL.
const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface PgMigrateOptions {
  quiet?: boolean;
  migrationsDir?: string;
}

/** A client on the url's database; with `create`, the database is made first when missing. */
export async function connectPostgres(url: string, opts: { create?: boolean } = {}): Promise<pg.Client> {
  const settings = poolSettings(url);
  const shown = redactDatabaseUrl(url);
  const connect = async (database: string | undefined) => {
    const client = new pg.Client({ ...settings, database, types: ROW_TYPES });
    client.on("error", () => {});
    await client.connect();
    return client;
  };
  try {
    return await connect(settings.database);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "3D000" && opts.create && settings.database) {
      const admin = await connect("postgres").catch((adminError: Error) => {
        throw new DatabaseFileError(shown, `does not exist and cannot be created (${adminError.message})`);
      });
      try {
        // C collation: text sorts by code point, as in SQLite, so every ORDER BY agrees.
        await admin.query(
          `CREATE DATABASE "${settings.database.replaceAll('"', '""')}" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`,
        );
      } catch (createError) {
        // Another process made it meanwhile (42P04, or 23505 when both were making it at once): fine.
        const createCode = (createError as { code?: string }).code;
        if (createCode !== "42P04" && createCode !== "23505") {
          throw new DatabaseFileError(
            shown,
            `does not exist and cannot be created (${(createError as Error).message})`,
          );
        }
      } finally {
        await admin.end();
      }
      return connect(settings.database);
    }
    if (code === "3D000") throw new DatabaseFileError(shown, MISSING);
    throw new DatabaseFileError(shown, `cannot be reached (${(error as Error).message})`);
  }
}

/** The reason of the error for a database the server does not have (and was not asked to make). */
const MISSING = "does not exist on the server (db:migrate creates it)";

async function readPgRecords(client: pg.Client): Promise<MigrationRecord[] | null> {
  const exists = await client.query(`SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS present`);
  if (exists.rows[0].present !== 1) return null;
  const rows = await client.query<{
    id: string;
    name: string;
    checksum: string;
    finished: number;
    rolledBack: number;
  }>(
    `SELECT id, migration_name AS name, checksum, finished_at IS NOT NULL AS finished,
            rolled_back_at IS NOT NULL AS "rolledBack"
     FROM "_prisma_migrations" ORDER BY started_at, migration_name`,
  );
  return rows.rows.map((r) => ({ ...r, finished: r.finished === 1, rolledBack: r.rolledBack === 1 }));
}

function pending(migrations: Migration[], records: MigrationRecord[]): Migration[] {
  const applied = new Set(records.filter(isApplied).map((r) => r.name));
  return migrations.filter((m) => !applied.has(m.name));
}

/** Applies every pending migration to the url's database (made when missing); returns the url as shown. */
export async function migratePostgres(url: string, opts: PgMigrateOptions = {}): Promise<string> {
  const shown = redactDatabaseUrl(url);
  const migrations = readMigrations(opts.migrationsDir ?? pgMigrationsDir);
  const client = await connectPostgres(url, { create: true });
  try {
    const before = (await readPgRecords(client)) ?? [];
    conflictCheck(shown, migrations, before);
    if (pending(migrations, before).length === 0) return shown;
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATE_LOCK]);
    try {
      await client.query(MIGRATIONS_TABLE);
      const records = (await readPgRecords(client)) ?? [];
      conflictCheck(shown, migrations, records);
      for (const migration of pending(migrations, records)) {
        await client.query("BEGIN");
        try {
          const started = new Date();
          // The whole script as one query (fix 4), so DO blocks and $$ bodies arrive whole.
          await client.query(migration.script);
          await client.query(
            `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
             VALUES (gen_random_uuid()::text, $1, now(), $2, $3, 1)`,
            [migration.checksum, migration.name, started],
          );
          await client.query("COMMIT");
        } catch (error) {
          await client.query("ROLLBACK").catch(() => {});
          throw new MigrationError(
            shown,
            migration.name,
            `failed and was rolled back, so nothing of it is in the database (${(error as Error).message})`,
          );
        }
        if (!opts.quiet) console.log(`applied migration ${migration.name}`);
      }
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATE_LOCK]).catch(() => {});
    }
    return shown;
  } finally {
    await client.end();
  }
}

function conflictCheck(shown: string, migrations: Migration[], records: MigrationRecord[]): void {
  const error = conflictError(shown, historyConflicts(migrations, records));
  if (error) throw error;
}

/** Drops every Totewatch table (the whole public schema) and migrates from nothing. */
export async function resetPostgres(url: string, opts: PgMigrateOptions = {}): Promise<string> {
  const client = await connectPostgres(url, { create: true });
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATE_LOCK]);
    await client.query("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public");
  } finally {
    await client.end();
  }
  return migratePostgres(url, opts);
}

/** Applied and pending migrations of the url's database, read without changing anything. */
export async function postgresMigrationState(
  url: string,
  dir = pgMigrationsDir,
): Promise<{ exists: boolean; applied: string[]; pending: string[]; unknown: string[]; changed: string[] }> {
  const migrations = readMigrations(dir);
  let client: pg.Client;
  try {
    client = await connectPostgres(url);
  } catch (error) {
    // Only the database missing; a missing role or an unreachable server is an error.
    if (error instanceof DatabaseFileError && error.reason === MISSING) {
      return { exists: false, applied: [], pending: migrations.map((m) => m.name), unknown: [], changed: [] };
    }
    throw error;
  }
  try {
    const records = (await readPgRecords(client)) ?? [];
    const conflicts = historyConflicts(migrations, records);
    const applied = [...new Set(records.filter(isApplied).map((r) => r.name))].sort();
    return {
      exists: true,
      applied: applied.filter((name) => migrations.some((m) => m.name === name)),
      pending: pending(migrations, records).map((m) => m.name),
      unknown: conflicts.unknown,
      changed: conflicts.changed,
    };
  } finally {
    await client.end();
  }
}
