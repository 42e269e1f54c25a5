/**
 * Test databases on PostgreSQL: when the tests run against the second engine
 * (TOTEWATCH_TEST_ENGINE=postgres, with TOTEWATCH_TEST_PG naming a throwaway
 * server's `postgres` database, set by the postgres test project's global
 * setup), `createTestDb` gives each caller a database of its own, copied from a
 * template migrated once per migrations fingerprint by the real migrations.
 *
 * Invariants: the template is made once per server (a build database renamed into place, so
 * parallel test processes never copy a half-migrated one); `createTestDb` stays synchronous:
 * the copy is made before the client's first query (the engine awaits it).
 */
import { createHash, randomBytes } from "node:crypto";
import pg from "pg";
import type { Db } from "../src/client.js";
import { createPostgresDb } from "../src/client-postgres.js";
import { readMigrations } from "../src/migration-history.js";
import { migratePostgres, pgMigrationsDir } from "../src/pg-migrate.js";

/** Which engine the tests run on (the postgres project sets TOTEWATCH_TEST_ENGINE). */
export function testEngine(): "sqlite" | "postgres" {
  // Test configuration, set by vitest's postgres project, not a setting of Totewatch.
  // eslint-disable-next-line no-restricted-properties
  return process.env.TOTEWATCH_TEST_ENGINE === "postgres" ? "postgres" : "sqlite";
}

function serverUrl(): string {
  // eslint-disable-next-line no-restricted-properties
  const url = process.env.TOTEWATCH_TEST_PG;
  if (!url) throw new Error("TOTEWATCH_TEST_ENGINE=postgres needs TOTEWATCH_TEST_PG (the test server's url)");
  return url;
}

/** The url of database `name` on the test server. */
export function testDatabaseUrl(name: string): string {
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

let template: Promise<string> | undefined;

function templateName(): string {
  const hash = createHash("sha256");
  for (const migration of readMigrations(pgMigrationsDir))
    hash.update(migration.name).update(migration.script);
  return `tw_template_${hash.digest("hex").slice(0, 16)}`;
}

/** The migrated template database on the test server (made once). */
function migratedPgTemplate(): Promise<string> {
  template ??= (async () => {
    const name = templateName();
    const exists = await admin(
      async (c) => (await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount,
    );
    if (exists) return name;
    const build = `tw_build_${randomBytes(6).toString("hex")}`;
    await migratePostgres(testDatabaseUrl(build), { quiet: true });
    await admin(async (c) => {
      try {
        await c.query(`ALTER DATABASE ${build} RENAME TO ${name}`);
      } catch (error) {
        // Another test process published it first.
        if ((error as { code?: string }).code !== "42P04") throw error;
        await c.query(`DROP DATABASE ${build}`);
      }
    });
    return name;
  })();
  return template;
}

const databaseName = (label: string) =>
  `tw_${label
    .replace(/[^a-z0-9]/gi, "")
    .toLowerCase()
    .slice(0, 20)}_${randomBytes(6).toString("hex")}`;

/** Makes database `name` on the test server, a copy of the migrated template. */
async function copyTemplate(name: string): Promise<void> {
  const from = await migratedPgTemplate();
  // Copying a template needs it to have no other session: retry while a sibling's copy holds it.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${from}`));
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== "55006" || attempt > 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** A new, migrated database on the test server; its url. */
export async function freshPostgresDatabase(label = "test"): Promise<string> {
  const name = databaseName(label);
  await copyTemplate(name);
  return testDatabaseUrl(name);
}

/** The url of a database on the test server that does not exist (a new name, not created). */
export function unusedPostgresDatabaseUrl(label = "missing"): string {
  return testDatabaseUrl(databaseName(label));
}

/** A new database on the test server with nothing in it (no migrations); its url. */
export async function emptyPostgresDatabase(label = "empty"): Promise<string> {
  const name = databaseName(label);
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  return testDatabaseUrl(name);
}

/** A client on a new, migrated PostgreSQL database (copied before the client's first query). */
export function createPostgresTestDb(label = "test"): Db {
  const name = databaseName(label);
  const ready = copyTemplate(name);
  // Its failure is the client's first query's; not an unhandled rejection before that.
  ready.catch(() => {});
  return createPostgresDb({ url: testDatabaseUrl(name) }, ready);
}
