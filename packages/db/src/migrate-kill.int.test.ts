// kill -9 of a migrating process, at several moments, on a new file and on a populated one:
// each migration is in the file whole or not at all, nothing is left recorded as started but
// not finished, and the next run finishes the job with every row kept.
import { copyFileSync, cpSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { migrateSqliteDatabase, migrationNames, migrationsDir } from "./migrate.js";
import { readSchema } from "./migration-recovery.js";
import { readMigrations } from "./migration-history.js";
import { migratedTemplate, scratchDir } from "../testing/index.js";
import { killWhileMigrating, migrateInChild } from "../testing/kill-migration.js";

const SLOW = "29990101000000_slow";

const tempDir = scratchDir;

/** The real migrations plus one that takes about a second (a million rows, then a column). */
function foldersWithSlowMigration(dir: string): string {
  const folder = path.join(dir, "migrations");
  cpSync(migrationsDir, folder, { recursive: true });
  mkdirSync(path.join(folder, SLOW));
  writeFileSync(
    path.join(folder, SLOW, "migration.sql"),
    `CREATE TABLE "slow_fill" ("n" INTEGER NOT NULL);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 1000000)
INSERT INTO "slow_fill" SELECT i FROM c;
ALTER TABLE "race" ADD COLUMN "slow_done" TEXT;
`,
  );
  return folder;
}

/** The schema after the first `count` migrations of `folder`, as migrate-recovery.ts reads it. */
function schemaAfter(folder: string, count: number) {
  const memory = new Database(":memory:");
  for (const migration of readMigrations(folder).slice(0, count)) memory.exec(migration.script);
  const schema = readSchema(memory);
  memory.close();
  return schema;
}

interface FileState {
  applied: string[];
  open: number;
  schema: ReturnType<typeof readSchema>;
}

function fileState(file: string): FileState {
  const sql = new Database(file);
  try {
    const hasTable = sql.prepare(`SELECT 1 FROM sqlite_master WHERE name = '_prisma_migrations'`).get();
    const records = hasTable
      ? (sql
          .prepare(`SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations`)
          .all() as Array<{
          migration_name: string;
          finished_at: string | null;
          rolled_back_at: string | null;
        }>)
      : [];
    return {
      applied: records
        .filter((r) => r.finished_at && !r.rolled_back_at)
        .map((r) => r.migration_name)
        .sort(),
      open: records.filter((r) => !r.finished_at && !r.rolled_back_at).length,
      schema: readSchema(sql),
    };
  } finally {
    sql.close();
  }
}

/** Kills a migration of `file` at each moment, checking it is never half done, then lets one finish. */
async function killAtSeveralMoments(file: string, folder: string): Promise<number> {
  const names = migrationNames(folder);
  // prefixes[k]: the schema after the first k migrations.
  const prefixes = [0, ...names.map((_, i) => i + 1)].map((count) => schemaAfter(folder, count));
  let killedMidWay = 0;
  for (const delayMs of [0, 5, 30, 150, 400, 700]) {
    const before = existsSync(file) ? fileState(file) : null;
    const killed = await killWhileMigrating(file, folder, delayMs);
    const after = fileState(file);
    // Never a migration recorded as started but not finished, never a schema between two migrations.
    expect(after.open).toBe(0);
    expect(after.applied).toEqual(names.slice(0, after.applied.length));
    expect(Object.fromEntries(after.schema)).toEqual(Object.fromEntries(prefixes[after.applied.length]!));
    if (
      killed &&
      after.applied.length < names.length &&
      before &&
      after.applied.length === before.applied.length
    ) {
      killedMidWay++;
    }
    if (!killed) break;
  }
  // The next run (a command starting) finishes what the kills interrupted.
  migrateSqliteDatabase(file, { quiet: true, migrationsDir: folder });
  const done = fileState(file);
  expect(done.applied).toEqual(names);
  expect(Object.fromEntries(done.schema)).toEqual(Object.fromEntries(prefixes.at(-1)!));
  return killedMidWay;
}

describe("a migrating process killed with SIGKILL", () => {
  it("on a new file: every migration is whole or absent, and the next run completes", async () => {
    const dir = tempDir("totewatch-kill-new-");
    const folder = foldersWithSlowMigration(dir);
    const file = path.join(dir, "new.db");
    const killedMidWay = await killAtSeveralMoments(file, folder);
    // At least one kill landed while the slow migration was writing, and was undone.
    expect(killedMidWay).toBeGreaterThan(0);
    const sql = new Database(file);
    expect(sql.prepare(`SELECT count(*) AS n FROM slow_fill`).get()).toEqual({ n: 1_000_000 });
    expect(sql.pragma("integrity_check", { simple: true })).toBe("ok");
    sql.close();
  }, 120_000);

  it("on a populated database in WAL mode: every row survives", async () => {
    const dir = tempDir("totewatch-kill-full-");
    const folder = foldersWithSlowMigration(dir);
    const file = path.join(dir, "horses.db");
    copyFileSync(migratedTemplate(), file);
    const sql = new Database(file);
    sql.pragma("journal_mode = WAL");
    const stamp = "2025-09-13T12:00:00.000+00:00";
    sql
      .prepare(
        `INSERT INTO track (name, timezone, updated_at) VALUES ('Belmont Park', 'America/New_York', ?)`,
      )
      .run(stamp);
    const race = sql.prepare(
      `INSERT INTO race (track_id, race_date, race_number, post_time, status, updated_at)
       VALUES (1, '2025-09-13', ?, '2025-09-13T17:05:00.000+00:00', 'official', ?)`,
    );
    for (let n = 1; n <= 10; n++) race.run(n, stamp);
    const racesBefore = sql.prepare(`SELECT * FROM race ORDER BY race_id`).all() as Array<
      Record<string, unknown>
    >;
    sql.close();

    const killedMidWay = await killAtSeveralMoments(file, folder);
    expect(killedMidWay).toBeGreaterThan(0);
    const after = new Database(file);
    expect(after.prepare(`SELECT * FROM race ORDER BY race_id`).all()).toEqual(
      racesBefore.map((r) => ({ ...r, slow_done: null })),
    );
    expect(after.pragma("integrity_check", { simple: true })).toBe("ok");
    after.close();
  }, 120_000);

  it("several processes migrating one new file at once apply each migration once", async () => {
    const dir = tempDir("totewatch-kill-race-");
    const file = path.join(dir, "new.db");
    const runs = Array.from({ length: 3 }, () => migrateInChild(file, migrationsDir));
    expect(await Promise.all(runs)).toEqual([0, 0, 0]);
    const sql = new Database(file);
    const names = sql.prepare(`SELECT migration_name FROM _prisma_migrations ORDER BY migration_name`).all();
    sql.close();
    expect(names.map((r) => (r as { migration_name: string }).migration_name)).toEqual(migrationNames());
  }, 120_000);
});
