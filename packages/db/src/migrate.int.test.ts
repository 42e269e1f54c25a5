import { copyFileSync, cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import {
  allMigrationsApplied,
  appliedMigrations,
  migrateSqliteDatabase,
  migrationNames,
  migrationsDir,
} from "./migrate.js";
import { runPrisma } from "./prisma-cli.js";
import { freshDatabaseFile, migratedTemplate } from "../testing/index.js";

const scratch = (name: string) => path.join(mkdtempSync(path.join(os.tmpdir(), "totewatch-migrate-")), name);

/**
 * A new database file migrated by Prisma's own `prisma migrate deploy` with only the
 * migrations named before `upTo`: the schema (and the `_prisma_migrations` rows) as an
 * older Totewatch, which migrated through the CLI, left it; migrateSqliteDatabase upgrades it.
 * The CLI is pointed (--config) at a copy of the folder holding just those.
 */
function migratedBefore(upTo: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "totewatch-migrate-prev-"));
  const folder = path.join(dir, "migrations");
  cpSync(path.join(migrationsDir, "migration_lock.toml"), path.join(folder, "migration_lock.toml"));
  for (const name of migrationNames().filter((n) => n < upTo)) {
    cpSync(path.join(migrationsDir, name), path.join(folder, name), { recursive: true });
  }
  const srcDir = path.dirname(fileURLToPath(import.meta.url));
  const config = path.join(dir, "prisma.config.ts");
  writeFileSync(
    config,
    `import { defineConfig } from ${JSON.stringify(createRequire(import.meta.url).resolve("prisma/config"))};
import { MigrationAdapterFactory } from ${JSON.stringify(path.join(srcDir, "migrate-adapter.ts"))};
export default defineConfig({
  schema: ${JSON.stringify(path.join(srcDir, "..", "prisma", "schema.prisma"))},
  migrations: { path: ${JSON.stringify(folder)} },
  experimental: { adapter: true },
  engine: "js",
  adapter: async () => new MigrationAdapterFactory({ url: process.env.DATABASE_URL }),
});
`,
  );
  const file = path.join(dir, "previous.db");
  runPrisma(["migrate", "deploy", "--config", config], file, { quiet: true });
  return file;
}

describe("migrateSqliteDatabase", () => {
  it("knows a migrated database needs nothing and says so", () => {
    const file = freshDatabaseFile("migrate");
    expect(allMigrationsApplied(file)).toBe(true);
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => lines.push(String(chunk)) > 0) as typeof process.stdout.write;
    try {
      expect(migrateSqliteDatabase(file)).toBe(file);
    } finally {
      process.stdout.write = write;
    }
    expect(lines.join("")).toBe(`${file}: all migrations already applied.\n`);
  });

  it("counts anything but a fully migrated file as not up to date", () => {
    expect(allMigrationsApplied(scratch("missing.db"))).toBe(false);

    const empty = scratch("empty.db");
    writeFileSync(empty, "");
    expect(allMigrationsApplied(empty)).toBe(false);

    const plain = scratch("plain.db");
    new Database(plain).exec("CREATE TABLE t (x)");
    expect(allMigrationsApplied(plain)).toBe(false);

    const missingOne = scratch("missing-one.db");
    copyFileSync(migratedTemplate(), missingOne);
    const withoutLast = new Database(missingOne);
    withoutLast
      .prepare("DELETE FROM _prisma_migrations WHERE migration_name = ?")
      .run(migrationNames().at(-1));
    withoutLast.close();
    expect(allMigrationsApplied(missingOne)).toBe(false);

    const failed = scratch("failed.db");
    copyFileSync(migratedTemplate(), failed);
    const withFailure = new Database(failed);
    withFailure
      .prepare(
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count)
         VALUES ('x', 'x', '29990101000000_broken', '2026-01-01', 0)`,
      )
      .run();
    withFailure.close();
    expect(allMigrationsApplied(failed)).toBe(false);
  });

  it("adds race.off_at (NULL) to a database at the previous head, keeping its rows", () => {
    const OFF_AT = "20261202060000_race_off_at";
    expect(migrationNames()).toContain(OFF_AT);
    const file = migratedBefore(OFF_AT);
    expect(appliedMigrations(file)).toEqual(migrationNames().filter((n) => n < OFF_AT));
    const before = new Database(file);
    const raceColumns = (sql: Database.Database) =>
      (sql.prepare(`PRAGMA table_info(race)`).all() as Array<{ name: string }>).map((c) => c.name);
    expect(raceColumns(before)).not.toContain("off_at");
    before
      .prepare(
        `INSERT INTO track (name, timezone, updated_at) VALUES ('Belmont Park', 'America/New_York', ?)`,
      )
      .run("2025-09-13T12:00:00.000+00:00");
    before
      .prepare(
        `INSERT INTO race (track_id, race_date, race_number, post_time, status, card_as_of, updated_at)
         VALUES (1, '2025-09-13', 1, '2025-09-13T17:05:00.000+00:00', 'official', '2025-09-13T16:00:00.000+00:00', ?)`,
      )
      .run("2025-09-13T12:00:00.000+00:00");
    const row = before.prepare(`SELECT * FROM race`).get() as Record<string, unknown>;
    before.close();

    migrateSqliteDatabase(file, { quiet: true });
    expect(allMigrationsApplied(file)).toBe(true);
    const after = new Database(file);
    expect(raceColumns(after)).toContain("off_at");
    // Its instants as the later compact_storage migration keeps them: integer milliseconds.
    expect(after.prepare(`SELECT * FROM race`).all()).toEqual([{ ...asMilliseconds(row), off_at: null }]);
    expect(after.prepare(`PRAGMA integrity_check`).get()).toEqual({ integrity_check: "ok" });
    after.close();
  });

  it("adds entry.scratched_at (NULL) to a database at the previous head, keeping its rows", () => {
    const SCRATCHED_AT = "20261202070000_entry_scratched_at";
    expect(migrationNames()).toContain(SCRATCHED_AT);
    const file = migratedBefore(SCRATCHED_AT);
    // The previous head is the off_at migration: the file has race.off_at, not entry.scratched_at.
    expect(appliedMigrations(file).at(-1)).toBe("20261202060000_race_off_at");
    const entryColumns = (sql: Database.Database) =>
      (sql.prepare(`PRAGMA table_info(entry)`).all() as Array<{ name: string }>).map((c) => c.name);
    const before = new Database(file);
    expect(entryColumns(before)).not.toContain("scratched_at");
    const stamp = "2025-09-13T12:00:00.000+00:00";
    before
      .prepare(
        `INSERT INTO track (name, timezone, updated_at) VALUES ('Belmont Park', 'America/New_York', ?)`,
      )
      .run(stamp);
    before
      .prepare(
        `INSERT INTO race (track_id, race_date, race_number, post_time, status, off_at, updated_at)
         VALUES (1, '2025-09-13', 1, '2025-09-13T17:05:00.000+00:00', 'official', '2025-09-13T17:07:00.000+00:00', ?)`,
      )
      .run(stamp);
    before.prepare(`INSERT INTO horse (name) VALUES ('Alpha'), ('Bravo')`).run();
    before
      .prepare(
        `INSERT INTO entry (race_id, horse_id, program_number, morning_line_odds, scratched, updated_at)
         VALUES (1, 1, '1', 2.5, 0, ?), (1, 2, '2', 5, 1, ?)`,
      )
      .run(stamp, stamp);
    const rows = before.prepare(`SELECT * FROM entry ORDER BY entry_id`).all() as Array<
      Record<string, unknown>
    >;
    before.close();

    migrateSqliteDatabase(file, { quiet: true });
    expect(allMigrationsApplied(file)).toBe(true);
    const after = new Database(file);
    expect(entryColumns(after)).toContain("scratched_at");
    // A runner scratched before the column existed stays scratched, since when not known (null).
    expect(after.prepare(`SELECT * FROM entry ORDER BY entry_id`).all()).toEqual(
      rows.map((row) => ({ ...asMilliseconds(row), scratched_at: null })),
    );
    expect(rows.map((row) => row.scratched)).toEqual([0, 1]);
    expect(after.prepare(`PRAGMA integrity_check`).get()).toEqual({ integrity_check: "ok" });
    after.close();
  });

  it("migrates a new file from nothing", () => {
    const file = scratch("new.db");
    migrateSqliteDatabase(file, { quiet: true });
    expect(allMigrationsApplied(file)).toBe(true);
    const tables = new Database(file)
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
      .all()
      .map((r) => (r as { name: string }).name);
    expect(tables).toEqual(expect.arrayContaining(["track", "race", "entry", "odds_snapshot", "alert"]));
  });

  it("migrates the file it is given whatever config file the environment names (a broken one included)", () => {
    // The Prisma child inherits this process's environment; a command run with --config (or the
    // demo, which uses none) must not fail on the user's ./totewatch.yaml or TOTEWATCH_CONFIG.
    const broken = scratch("totewatch.yaml");
    writeFileSync(broken, "database: [unclosed\nsecret: ${TW_TEST_UNSET_SECRET}\n");
    const before = process.env.TOTEWATCH_CONFIG;
    process.env.TOTEWATCH_CONFIG = broken;
    try {
      const file = scratch("other.db");
      migrateSqliteDatabase(file, { quiet: true });
      expect(allMigrationsApplied(file)).toBe(true);
    } finally {
      if (before === undefined) delete process.env.TOTEWATCH_CONFIG;
      else process.env.TOTEWATCH_CONFIG = before;
    }
  });
});

/**
 * A row read before compact_storage with its instants (the old client's ISO text, SQLite's
 * CURRENT_TIMESTAMP "YYYY-MM-DD HH:MM:SS", UTC) as integer milliseconds, parsed here by
 * JavaScript, independently of the migration's julianday() arithmetic.
 */
function asMilliseconds(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([column, value]) => {
      if (!/(_at|_time|_as_of)$/.test(column) || typeof value !== "string") return [column, value];
      const iso = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(value) ? `${value.replace(" ", "T")}Z` : value;
      return [column, new Date(iso).getTime()];
    }),
  );
}
