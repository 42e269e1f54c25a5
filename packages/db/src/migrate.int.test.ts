import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { allMigrationsApplied, migrateDatabase, migrationNames } from "./migrate.js";
import { freshDatabaseFile, migratedTemplate } from "../testing/index.js";

const scratch = (name: string) => path.join(mkdtempSync(path.join(os.tmpdir(), "totewatch-migrate-")), name);

describe("migrateDatabase", () => {
  it("knows a migrated database needs nothing and skips the Prisma CLI", () => {
    const file = freshDatabaseFile("migrate");
    expect(allMigrationsApplied(file)).toBe(true);
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => lines.push(String(chunk)) > 0) as typeof process.stdout.write;
    try {
      expect(migrateDatabase(file)).toBe(file);
    } finally {
      process.stdout.write = write;
    }
    // The fast path says so; `prisma migrate deploy` would print its own banner instead.
    expect(lines.join("")).toBe(`${file}: all migrations already applied.\n`);
  });

  it("leaves anything but a fully migrated file to prisma migrate deploy", () => {
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

  it("migrates a new file from nothing", () => {
    const file = scratch("new.db");
    migrateDatabase(file, { quiet: true });
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
      migrateDatabase(file, { quiet: true });
      expect(allMigrationsApplied(file)).toBe(true);
    } finally {
      if (before === undefined) delete process.env.TOTEWATCH_CONFIG;
      else process.env.TOTEWATCH_CONFIG = before;
    }
  });
});
