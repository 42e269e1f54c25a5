// A database that does not match this version's migrations folder, on real files made by the
// real migrations: an applied migration whose migration.sql was edited since, and migrations
// applied by a newer Totewatch. Both are refused in one line before anything is written, and
// reported by sqliteMigrationStatus; line endings alone (a CRLF checkout) are not a change.
import { createHash } from "node:crypto";
import { copyFileSync, cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { MigrationError } from "./errors.js";
import { migrateSqliteDatabase, migrationNames, migrationsDir } from "./migrate.js";
import { sqliteMigrationStatus } from "./migration-status.js";
import { migratedTemplate, scratchDir } from "../testing/index.js";

const INIT = migrationNames()[0]!;
const HEAD = migrationNames().at(-1)!;
const NEWER = "29990101000000_newer";
const NEWEST = "29990201000000_newest";

const tempDir = () => scratchDir("totewatch-checks-");

/** A copy of the migrations folder in `dir`, with `extra` migrations (name -> SQL) added. */
function folderWith(dir: string, extra: Record<string, string> = {}): string {
  const folder = path.join(dir, "migrations");
  cpSync(migrationsDir, folder, { recursive: true });
  for (const [name, script] of Object.entries(extra)) {
    mkdirSync(path.join(folder, name));
    writeFileSync(path.join(folder, name, "migration.sql"), script);
  }
  return folder;
}

/** A database at this version's head (the real migrations), in `dir`. */
function headDatabase(dir: string): string {
  const file = path.join(dir, "horses.db");
  copyFileSync(migratedTemplate(), file);
  return file;
}

const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
const recordsOf = (file: string) => {
  const sql = new Database(file);
  try {
    return sql.prepare(`SELECT * FROM _prisma_migrations ORDER BY rowid`).all();
  } finally {
    sql.close();
  }
};

/** The error `work` throws (the test fails when it throws none). */
function thrown(work: () => unknown): Error {
  try {
    work();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error, none was thrown");
}

const quietly = (file: string, dir?: string) =>
  migrateSqliteDatabase(file, { quiet: true, migrationsDir: dir });

describe("an applied migration whose migration.sql changed since", () => {
  it("is refused in one line naming the file and the migration, before a pending one is applied", () => {
    const dir = tempDir();
    const file = headDatabase(dir);
    const folder = folderWith(dir, { [NEWER]: `ALTER TABLE "race" ADD COLUMN "later" TEXT;\n` });
    const script = path.join(folder, INIT, "migration.sql");
    writeFileSync(script, `${readFileSync(script, "utf8")}-- edited after it was applied\n`);
    const before = sha(file);

    const error = thrown(() => quietly(file, folder));
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.message).toBe(
      `${file}: migration ${INIT} was applied from a different migration.sql than this version has ` +
        "(the file was edited after it was applied, or the database was made by a different Totewatch " +
        "version): restore the file as it was (`git checkout` it) or use that version; refusing to change the database",
    );
    // Nothing written: the pending migration was not applied either.
    expect(sha(file)).toBe(before);
    const status = sqliteMigrationStatus(file, folder);
    expect(status).toMatchObject({ changed: [INIT], unknown: [], pending: [NEWER] });
  });

  it("names every changed migration", () => {
    const dir = tempDir();
    const file = headDatabase(dir);
    const folder = folderWith(dir);
    for (const name of [INIT, HEAD]) writeFileSync(path.join(folder, name, "migration.sql"), "-- gone\n");
    expect(thrown(() => quietly(file, folder)).message).toMatch(
      new RegExp(`^${file}: migration ${INIT}, ${HEAD} were applied from a different migration.sql .*`),
    );
    expect(sqliteMigrationStatus(file, folder).changed).toEqual([INIT, HEAD]);
  });

  it("is not a CRLF checkout of the same files, in either direction", () => {
    const dir = tempDir();
    const crlf = folderWith(dir);
    for (const name of readdirSync(crlf).filter((n) => /^\d/.test(n))) {
      const script = path.join(crlf, name, "migration.sql");
      writeFileSync(script, readFileSync(script, "utf8").replaceAll("\n", "\r\n"));
    }
    // Recorded from LF files (the template), read with CRLF ones.
    const file = headDatabase(dir);
    quietly(file, crlf);
    expect(sqliteMigrationStatus(file, crlf)).toMatchObject({ changed: [], unknown: [], pending: [] });
    // Recorded from CRLF files, read with LF ones.
    const fromCrlf = path.join(dir, "crlf.db");
    quietly(fromCrlf, crlf);
    quietly(fromCrlf);
    expect(sqliteMigrationStatus(fromCrlf)).toMatchObject({ changed: [], unknown: [], pending: [] });
  });

  it("records what the file holds when an interrupted migration is recorded as applied, so the next run passes", () => {
    const dir = tempDir();
    // A schema migration of its own at the head, so recovery can judge it whatever the real head does.
    const folder = folderWith(dir, { [NEWER]: `ALTER TABLE "race" ADD COLUMN "later" TEXT;\n` });
    const file = headDatabase(dir);
    quietly(file, folder);
    const sql = new Database(file);
    // It applied whole, its record left open with a checksum not of today's file.
    sql.prepare(`DELETE FROM _prisma_migrations WHERE migration_name = ?`).run(NEWER);
    sql
      .prepare(
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count)
         VALUES ('open', 'x', ?, '2026-12-02T07:00:00.000+00:00', 0)`,
      )
      .run(NEWER);
    sql.close();
    const notes: string[] = [];
    migrateSqliteDatabase(file, { quiet: true, migrationsDir: folder, onNote: (line) => notes.push(line) });
    expect(notes).toEqual([
      `${file}: migration ${NEWER} had been interrupted after all its changes were made; recorded it as applied.`,
    ]);
    expect(() => quietly(file, folder)).not.toThrow();
    expect(sqliteMigrationStatus(file, folder)).toMatchObject({ changed: [], unknown: [], pending: [] });
  });
});

describe("a database made by a newer Totewatch", () => {
  /** A database migrated with this version's migrations and `names` more (made by a "newer" folder). */
  function newerDatabase(dir: string, names: string[]): string {
    const file = headDatabase(dir);
    const extra = Object.fromEntries(names.map((n) => [n, `ALTER TABLE "race" ADD COLUMN "c_${n}" TEXT;\n`]));
    quietly(file, folderWith(path.join(dir), extra));
    return file;
  }

  it("is refused in one line naming the migration this version does not have, and left as it was", () => {
    const dir = tempDir();
    const file = newerDatabase(dir, [NEWER]);
    const before = { bytes: sha(file), records: recordsOf(file) };

    const error = thrown(() => quietly(file));
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.message).toBe(
      `${file}: migration ${NEWER} is applied in this database but is not among this version's migrations ` +
        "(the database was made by a newer Totewatch): upgrade Totewatch to use it; refusing to change the database",
    );
    expect(sha(file)).toBe(before.bytes);
    expect(recordsOf(file)).toEqual(before.records);
    expect(sqliteMigrationStatus(file)).toMatchObject({ unknown: [NEWER], changed: [], pending: [] });
  });

  it("names every unknown migration, and is refused even when this version has one pending", () => {
    const dir = tempDir();
    const file = newerDatabase(dir, [NEWER, NEWEST]);
    // This version's head is missing from the file: it would be pending, but nothing is applied.
    const sql = new Database(file);
    sql.prepare(`DELETE FROM _prisma_migrations WHERE migration_name = ?`).run(HEAD);
    sql.close();
    const before = sha(file);
    expect(thrown(() => quietly(file)).message).toMatch(
      new RegExp(`^${file}: migration ${NEWER}, ${NEWEST} are applied in this database but are not among`),
    );
    expect(sha(file)).toBe(before);
    expect(sqliteMigrationStatus(file)).toMatchObject({ unknown: [NEWER, NEWEST], pending: [HEAD] });
  });

  it("is not a database with a newer migration only started, or rolled back (those keep their own handling)", () => {
    const dir = tempDir();
    const file = headDatabase(dir);
    const sql = new Database(file);
    sql
      .prepare(
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, rolled_back_at, applied_steps_count)
         VALUES ('rb', 'x', ?, '2026-12-02T07:00:00.000+00:00', '2026-12-02T07:00:01.000+00:00', 0)`,
      )
      .run(NEWER);
    sql.close();
    expect(() => quietly(file)).not.toThrow();
    expect(sqliteMigrationStatus(file).unknown).toEqual([]);
  });
});
