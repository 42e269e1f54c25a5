// A migration recorded as started but not finished (what a `prisma migrate deploy` killed
// mid-way or failing leaves: Prisma then refuses every later deploy with P3009) is settled
// from the schema: applied again, recorded, or refused in one line. States are built
// deterministically on real files; migrate-kill.int.test.ts kills real processes.
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { MigrationError } from "./errors.js";
import {
  allMigrationsApplied,
  appliedMigrations,
  migrateSqliteDatabase,
  migrationNames,
  migrationsDir,
} from "./migrate.js";
import { sqliteMigrationStatus } from "./migration-status.js";
import { runPrisma } from "./prisma-cli.js";
import { migratedTemplate, scratchDir } from "../testing/index.js";

const INIT = migrationNames()[0]!;
// The last migration that changes only the schema: recovery judges those from the schema
// (one that converts rows, as compact_storage does, is never judged so).
const HEAD = "20261202070000_entry_scratched_at";

const tempDir = scratchDir;

/** Leaves an open `_prisma_migrations` row for `name`, as Prisma writes one before running a script. */
function startedNotFinished(sql: Database.Database, name: string): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME,
    "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME,
    "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`);
  sql
    .prepare(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
       VALUES (?, 'x', ?, '2026-12-02T07:00:00.000+00:00', 0)`,
    )
    .run(`open-${name}`, name);
}

/** The migrations folder up to and including `last`, copied into `dir`. */
function migrationsUpTo(dir: string, last: string): string {
  const folder = path.join(dir, "migrations");
  cpSync(migrationsDir, folder, {
    recursive: true,
    filter: (source) => {
      const name = path.relative(migrationsDir, source).split(path.sep)[0]!;
      return !/^\d{14}_/.test(name) || name <= last;
    },
  });
  return folder;
}

/** A populated database with every migration to HEAD applied (the folder given back for later runs). */
function populatedAtHead(dir: string): { file: string; folder: string } {
  const folder = migrationsUpTo(dir, HEAD);
  const file = path.join(dir, "horses.db");
  migrate(file, folder);
  populate(file);
  return { file, folder };
}

/** A populated database at the head. */
function populated(dir: string): string {
  const file = path.join(dir, "horses.db");
  copyFileSync(migratedTemplate(), file);
  populate(file);
  return file;
}

/** One track and one race, written with the instants as the pre-compact format stored them (text). */
function populate(file: string): void {
  const sql = new Database(file);
  const stamp = "2025-09-13T12:00:00.000+00:00";
  sql
    .prepare(`INSERT INTO track (name, timezone, updated_at) VALUES ('Belmont Park', 'America/New_York', ?)`)
    .run(stamp);
  sql
    .prepare(
      `INSERT INTO race (track_id, race_date, race_number, post_time, status, updated_at)
       VALUES (1, '2025-09-13', 1, '2025-09-13T17:05:00.000+00:00', 'official', ?)`,
    )
    .run(stamp);
  sql.close();
}

const rows = (file: string, table: string) => {
  const sql = new Database(file);
  try {
    return sql.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all();
  } finally {
    sql.close();
  }
};
const records = (file: string) => rows(file, "_prisma_migrations") as Array<Record<string, unknown>>;
const tables = (file: string) =>
  (rows(file, "sqlite_master") as Array<{ type: string; name: string }>)
    .filter((r) => r.type === "table" && !r.name.startsWith("sqlite_"))
    .map((r) => r.name)
    .sort();

/** Runs migrateSqliteDatabase, collecting its notes. */
function migrate(file: string, dir?: string): string[] {
  const notes: string[] = [];
  migrateSqliteDatabase(file, { quiet: true, onNote: (line) => notes.push(line), migrationsDir: dir });
  return notes;
}

describe("an interrupted first migration (a new file)", () => {
  it("recorded as started, nothing created: applied again", () => {
    const file = path.join(tempDir("totewatch-recover-"), "new.db");
    const sql = new Database(file);
    startedNotFinished(sql, INIT);
    sql.close();
    expect(sqliteMigrationStatus(file).interrupted).toEqual([{ name: INIT, state: "not-applied" }]);

    const notes = migrate(file);
    expect(notes).toEqual([
      `${file}: migration ${INIT} had been interrupted before it changed anything; applied it again.`,
    ]);
    expect(allMigrationsApplied(file)).toBe(true);
    // The open attempt is kept, rolled back (as `prisma migrate resolve --rolled-back` marks it).
    const init = records(file).filter((r) => r.migration_name === INIT);
    expect(init.map((r) => [r.finished_at !== null, r.rolled_back_at !== null])).toEqual([
      [false, true],
      [true, false],
    ]);
  });

  it("killed after creating some of its tables (empty): those are dropped and it applies again", () => {
    const file = path.join(tempDir("totewatch-recover-"), "new.db");
    const sql = new Database(file);
    startedNotFinished(sql, INIT);
    // What `prisma migrate deploy` killed mid-script left (seen on main: track .. odds_snapshot).
    sql.exec(initTables(4));
    sql.close();
    expect(tables(file)).toEqual(["_prisma_migrations", "entry", "horse", "race", "track"]);
    expect(sqliteMigrationStatus(file).interrupted).toEqual([{ name: INIT, state: "created-only" }]);

    expect(migrate(file)[0]).toMatch(
      /interrupted after creating only empty tables of its own; dropped them and applied it again\.$/,
    );
    expect(allMigrationsApplied(file)).toBe(true);
    expect(new Database(file).pragma("integrity_check", { simple: true })).toBe("ok");
  });

  it("is read by Prisma's own CLI as up to date afterwards (no P3009)", () => {
    const file = path.join(tempDir("totewatch-recover-"), "new.db");
    const sql = new Database(file);
    startedNotFinished(sql, INIT);
    sql.close();
    migrate(file);
    expect(runPrisma(["migrate", "status"], file, { quiet: true })).toContain(
      "Database schema is up to date",
    );
  }, 60_000);
});

/** The first `n` CREATE TABLE statements of the init migration. */
function initTables(n: number): string {
  return readFileSync(path.join(migrationsDir, INIT, "migration.sql"), "utf8")
    .split(/;\s*\n/)
    .filter((statement) => /CREATE TABLE/.test(statement))
    .slice(0, n)
    .map((statement) => `${statement};`)
    .join("\n");
}

describe("an interrupted upgrade on a populated database", () => {
  it("that did not apply: applied again, every row kept", () => {
    const { file, folder } = populatedAtHead(tempDir("totewatch-recover-"));
    const sql = new Database(file);
    const before = {
      race: sql.prepare(`SELECT * FROM race`).all(),
      track: sql.prepare(`SELECT * FROM track`).all(),
    };
    // Roll the head migration back by hand: the schema as before it, its record open.
    sql.exec(`DELETE FROM _prisma_migrations WHERE migration_name = '${HEAD}'`);
    sql.exec(`ALTER TABLE entry DROP COLUMN scratched_at`);
    startedNotFinished(sql, HEAD);
    sql.close();

    expect(migrate(file, folder)).toEqual([
      `${file}: migration ${HEAD} had been interrupted before it changed anything; applied it again.`,
    ]);
    expect(appliedMigrations(file)).toEqual(migrationNames(folder));
    expect(rows(file, "race")).toEqual(before.race);
    expect(rows(file, "track")).toEqual(before.track);
  });

  it("that applied whole but was not recorded: recorded, nothing applied twice", () => {
    const { file, folder } = populatedAtHead(tempDir("totewatch-recover-"));
    const sql = new Database(file);
    sql.exec(`DELETE FROM _prisma_migrations WHERE migration_name = '${HEAD}'`);
    startedNotFinished(sql, HEAD);
    sql.close();
    expect(sqliteMigrationStatus(file, folder).interrupted).toEqual([{ name: HEAD, state: "applied" }]);

    expect(migrate(file, folder)).toEqual([
      `${file}: migration ${HEAD} had been interrupted after all its changes were made; recorded it as applied.`,
    ]);
    expect(appliedMigrations(file)).toEqual(migrationNames(folder));
    expect(rows(file, "race")).toHaveLength(1);
  });

  it("that applied in part: refused in one line, the file left as it was", () => {
    const dir = tempDir("totewatch-recover-");
    const folder = path.join(dir, "migrations");
    cpSync(migrationsDir, folder, { recursive: true });
    const TWO = "29990101000000_two_columns";
    mkdirSync(path.join(folder, TWO));
    writeFileSync(
      path.join(folder, TWO, "migration.sql"),
      `ALTER TABLE "race" ADD COLUMN "a" TEXT;\nALTER TABLE "race" ADD COLUMN "b" TEXT;\n`,
    );
    const file = populated(dir);
    const sql = new Database(file);
    startedNotFinished(sql, TWO);
    sql.exec(`ALTER TABLE "race" ADD COLUMN "a" TEXT`);
    sql.close();
    const before = { race: rows(file, "race"), records: records(file) };

    let error: unknown;
    try {
      migrate(file, folder);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MigrationError);
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    expect(message).toBe(
      `${file}: migration ${TWO} was interrupted part-way and cannot be finished or undone automatically ` +
        `(changed: table race): restore a backup, or \`pnpm db:reset --db ${file}\` to start over (deletes every row)`,
    );
    expect(rows(file, "race")).toEqual(before.race);
    expect(records(file)).toEqual(before.records);
    expect(sqliteMigrationStatus(file, folder).interrupted).toEqual([{ name: TWO, state: "partial" }]);
  });
});

describe("an interrupted migration the schema cannot judge: refused in one line saying why", () => {
  it.each([
    [
      "changes no table (data only)",
      "29990101000000_data_only",
      `UPDATE "race" SET "status" = 'official';\n`,
      "changes-no-table",
      "it changes no table, so the schema cannot tell whether it ran",
    ],
    [
      "changes a table and writes rows (a backfill): not said to change no table",
      "29990101000000_backfill",
      `ALTER TABLE "race" ADD COLUMN "note" TEXT;\nWITH r AS (SELECT 1) UPDATE "race" SET "note" = 'x';\n`,
      "writes-rows",
      "it writes rows as well as changing tables, so the schema cannot tell whether its rows were all written",
    ],
  ])("one that %s", (_what, name, script, reason, why) => {
    const dir = tempDir("totewatch-recover-");
    const folder = path.join(dir, "migrations");
    cpSync(migrationsDir, folder, { recursive: true });
    mkdirSync(path.join(folder, name));
    writeFileSync(path.join(folder, name, "migration.sql"), script);
    const file = populated(dir);
    const sql = new Database(file);
    startedNotFinished(sql, name);
    sql.close();
    const before = records(file);
    const resolve = (flag: string) => `\`DATABASE_URL=file:${file} prisma migrate resolve ${flag} ${name}\``;
    expect(() => migrate(file, folder)).toThrow(
      `${file}: migration ${name} was interrupted, and ${why}: check its data, then ` +
        `${resolve("--applied")} if it ran whole, or ${resolve("--rolled-back")} if it changed nothing`,
    );
    expect(records(file)).toEqual(before);
    expect(sqliteMigrationStatus(file, folder).interrupted).toEqual([{ name, state: "unknown", reason }]);
  });
});

describe("a migration that fails", () => {
  it("leaves nothing of itself, and says which and why in one line", () => {
    const dir = tempDir("totewatch-recover-");
    const folder = path.join(dir, "migrations");
    cpSync(migrationsDir, folder, { recursive: true });
    const BROKEN = "29990101000000_broken";
    mkdirSync(path.join(folder, BROKEN));
    // Prisma's deploy ran these one by one: tables a and b stayed, and P3009 followed.
    writeFileSync(
      path.join(folder, BROKEN, "migration.sql"),
      `CREATE TABLE a (x);\nCREATE TABLE b (x);\nCREATE TABLE a (x);\n`,
    );
    const file = populated(dir);
    const tablesBefore = tables(file);

    expect(() => migrate(file, folder)).toThrow(
      `${file}: migration ${BROKEN} failed: table a already exists; nothing of it was applied`,
    );
    expect(tables(file)).toEqual(tablesBefore);
    expect(records(file).some((r) => r.migration_name === BROKEN)).toBe(false);
    expect(rows(file, "race")).toHaveLength(1);
  });
});
