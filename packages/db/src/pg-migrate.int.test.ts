/**
 * PostgreSQL migrations (pg-migrate.ts) on the test server: only in the postgres project
 * (TOTEWATCH_TEST_ENGINE=postgres); skipped on SQLite, whose migrations migrate.int.test.ts covers.
 */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { testDatabaseUrl, testEngine } from "../testing/index.js";
import { MigrationError } from "./errors.js";
import { migrateDatabase, migrationStatus } from "./migrations.js";
import { migrationNames } from "./migrate.js";
import { migratePostgres, pgMigrationsDir } from "./pg-migrate.js";

const onPostgres = testEngine() === "postgres";
let made = 0;
const newDatabaseUrl = () => testDatabaseUrl(`tw_migrate_${process.pid}_${++made}_${Date.now() % 100000}`);

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/** A copy of the PostgreSQL migrations folder with `extra` migrations (name -> script) after them. */
function migrationsWith(extra: Record<string, string>): string {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), "totewatch-pgmig-")), "migrations");
  cpSync(pgMigrationsDir, dir, { recursive: true });
  for (const [name, script] of Object.entries(extra)) {
    mkdirSync(path.join(dir, name));
    writeFileSync(path.join(dir, name, "migration.sql"), script);
  }
  return dir;
}

describe.runIf(onPostgres)("migrateDatabase on PostgreSQL", () => {
  it("creates a missing database (C collation), applies every migration once, and leaves an up-to-date one alone", async () => {
    const url = newDatabaseUrl();
    expect(await migrationStatus(url)).toMatchObject({ exists: false, applied: [] });
    const shown = await migrateDatabase(url, { quiet: true });
    expect(shown).toBe(url.replace(/^postgresql:\/\/postgres@/, "postgresql://postgres@"));
    const [collation] = await query<{ datcollate: string }>(
      url,
      `SELECT datcollate FROM pg_database WHERE datname = current_database()`,
    );
    expect(collation!.datcollate).toBe("C");
    const names = migrationNames(pgMigrationsDir);
    expect(await migrationStatus(url)).toMatchObject({ exists: true, applied: names, pending: [] });
    await migrateDatabase(url, { quiet: true });
    const rows = await query<{ migration_name: string; finished: boolean }>(
      url,
      `SELECT migration_name, finished_at IS NOT NULL AS finished FROM "_prisma_migrations" ORDER BY 1`,
    );
    expect(rows).toEqual(names.map((migration_name) => ({ migration_name, finished: true })));
  });

  it("applies each migration once when three processes' worth of migrators start together", async () => {
    const url = newDatabaseUrl();
    await Promise.all([1, 2, 3].map(() => migrateDatabase(url, { quiet: true })));
    const rows = await query<{ n: string }>(url, `SELECT count(*) AS n FROM "_prisma_migrations"`);
    expect(Number(rows[0]!.n)).toBe(migrationNames(pgMigrationsDir).length);
  });

  it("sends a migration whole, so a DO block and a function body with semicolons apply (POSTGRES.md fix 4)", async () => {
    const url = newDatabaseUrl();
    const dir = migrationsWith({
      "29990101000000_do_block": `CREATE TABLE probe (n INTEGER);
DO $$ BEGIN INSERT INTO probe VALUES (1); INSERT INTO probe VALUES (2); END $$;
CREATE FUNCTION probe_sum() RETURNS bigint LANGUAGE sql AS $$ SELECT sum(n) FROM probe; $$;`,
    });
    await migratePostgres(url, { quiet: true, migrationsDir: dir });
    expect(await query(url, `SELECT probe_sum() AS total`)).toEqual([{ total: "3" }]);
  });

  it("a migration that fails leaves nothing of it and no record, and says which one", async () => {
    const url = newDatabaseUrl();
    const dir = migrationsWith({
      "29990101000000_broken": `CREATE TABLE half (n INTEGER);\nSELECT no_such_column FROM half;`,
    });
    const failure = await migratePostgres(url, { quiet: true, migrationsDir: dir }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(MigrationError);
    expect((failure as Error).message).toMatch(
      /: migration 29990101000000_broken failed and was rolled back, so nothing of it is in the database \(column "no_such_column" does not exist\)$/,
    );
    expect(await query(url, `SELECT to_regclass('half') IS NULL AS gone`)).toEqual([{ gone: true }]);
    const names = await query<{ migration_name: string }>(
      url,
      `SELECT migration_name FROM "_prisma_migrations"`,
    );
    expect(names.map((r) => r.migration_name)).toEqual(migrationNames(pgMigrationsDir));
  });

  it("refuses a database a newer Totewatch migrated, changing nothing", async () => {
    const url = newDatabaseUrl();
    const newer = migrationsWith({ "29990101000000_from_the_future": `CREATE TABLE future (n INTEGER);` });
    await migratePostgres(url, { quiet: true, migrationsDir: newer });
    const failure = await migrateDatabase(url, { quiet: true }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MigrationError);
    expect((failure as Error).message).toContain(
      "29990101000000_from_the_future is applied in this database but is not among this version's migrations",
    );
    expect(await migrationStatus(url)).toMatchObject({ unknown: ["29990101000000_from_the_future"] });
  });

  it("keeps the PostgreSQL migrations in step with SQLite's: the same names from the PostgreSQL init on", () => {
    const pgNames = migrationNames(pgMigrationsDir);
    const sqliteAfterInit = migrationNames().filter((name) => name > pgNames[0]!);
    expect(pgNames.slice(1)).toEqual(sqliteAfterInit);
  });
});
