/**
 * Keeps prisma/postgres/migrations in step with prisma/migrations: for a
 * migration `db:migrate:dev` has just written for SQLite, the PostgreSQL one of
 * the same name is Prisma's diff from the derived schema as it was to the one
 * schema.prisma derives now (`prisma migrate diff --from-schema-datamodel …
 * --to-schema-datamodel … --script`: offline, no server, no shadow database).
 *
 * Invariants: the two folders hold the same migration names from the PostgreSQL init on
 * (pg-migrations.int.test.ts checks it); prisma/postgres/schema.prisma is what the PostgreSQL
 * migrations reach (the same test builds both on a server and compares the catalogs).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { migrationNames, migrationsDir, packageDir } from "./migrate.js";
import { pgMigrationsDir } from "./pg-migrate.js";
import { runPrisma } from "./prisma-cli.js";

/** SQLite migrations newer than the PostgreSQL init that have no PostgreSQL twin yet. */
export function missingTwins(sqliteDir = migrationsDir, pgDir = pgMigrationsDir): string[] {
  const pg = migrationNames(pgDir);
  const init = pg[0] ?? "";
  return migrationNames(sqliteDir).filter((name) => name > init && !pg.includes(name));
}

/** The SQL that takes a PostgreSQL database from schema text `from` to schema text `to`. */
export function postgresDiff(from: string, to: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "totewatch-pgdiff-"));
  try {
    const fromFile = path.join(dir, "from.prisma");
    const toFile = path.join(dir, "to.prisma");
    writeFileSync(fromFile, from);
    writeFileSync(toFile, to);
    return runPrisma(
      ["migrate", "diff", "--from-schema-datamodel", fromFile, "--to-schema-datamodel", toFile, "--script"],
      path.join(packageDir, "data", "unused.db"),
      { quiet: true, stdoutOnly: true },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes the PostgreSQL migration `name` (the diff from `from` to `to`); returns its folder. */
export function writePostgresTwin(name: string, from: string, to: string, pgDir = pgMigrationsDir): string {
  const folder = path.join(pgDir, name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, "migration.sql"), postgresDiff(from, to));
  return folder;
}
