// Files that cannot be a database: createDb and migrateSqliteDatabase, the two places a database is
// opened, refuse each in one line naming the file and the reason, before writing anything.
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  writeSync,
  closeSync,
} from "node:fs";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "./client.js";
import { DatabaseFileError, InvalidInputError } from "./errors.js";
import { allMigrationsApplied, migrateSqliteDatabase } from "./migrate.js";
import { sqliteMigrationStatus } from "./migration-status.js";
import { migratedTemplate } from "../testing/index.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "totewatch-badfile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => path.join(dir, name);

function write(name: string, bytes: string | Buffer): string {
  const file = at(name);
  writeFileSync(file, bytes);
  return file;
}

/** The error `open(file)` throws (it must throw). */
function failure(open: (file: string) => unknown, file: string): Error {
  try {
    open(file);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`${file} was opened`);
}

const openers = {
  migrateSqliteDatabase: (file: string) => migrateSqliteDatabase(file, { quiet: true }),
  createDb: (file: string) => createDb({ url: file }),
};

const bad: Array<[what: string, file: () => string, reason: string]> = [
  [
    "a directory",
    () => (mkdirSync(at("folder.db"), { recursive: true }), at("folder.db")),
    "is a directory, not a database file",
  ],
  [
    "a text file",
    () => write("notes.db", "race 1: favourite drifted\n"),
    "is not a SQLite database (file is not a database)",
  ],
  [
    "random bytes",
    () => write("random.db", randomBytes(8192)),
    "is not a SQLite database (file is not a database)",
  ],
  [
    "a read-only file",
    () => {
      const file = at("readonly.db");
      if (!existsSync(file)) copyFileSync(migratedTemplate(), file);
      chmodSync(file, 0o444);
      return file;
    },
    "is read-only: Totewatch writes to its database (make it writable)",
  ],
  [
    "a named pipe",
    () => {
      if (!existsSync(at("pipe.db"))) execFileSync("mkfifo", [at("pipe.db")]);
      return at("pipe.db");
    },
    "is not a regular file (a device, pipe or socket), not a database file",
  ],
  [
    "a path through a file",
    () => path.join(write("plain.txt", "x"), "horses.db"),
    "cannot be created: a part of its folder path is a file, not a folder",
  ],
  [
    "a damaged database (good header, garbage schema page)",
    () => {
      const file = at("damaged.db");
      copyFileSync(migratedTemplate(), file);
      const fd = openSync(file, "r+");
      writeSync(fd, Buffer.alloc(3000, 0x5a), 0, 3000, 100);
      closeSync(fd);
      return file;
    },
    "is damaged (database disk image is malformed)",
  ],
];

describe.each(Object.entries(openers))("%s on a file that cannot be a database", (_name, open) => {
  it.each(bad)("%s: one line naming the file and why", (_what, make, reason) => {
    const file = make();
    const error = failure(open, file);
    expect(error).toBeInstanceOf(DatabaseFileError);
    expect(error.message).toBe(`${file} ${reason}`);
  });

  it.each(["/proc/nope/x.db", "/proc/self/x.db", "/sys/x.db", "/dev/null", "/dev/x.db"])(
    "%s: refused before SQLite sees it (it would spin, deaf to signals)",
    (file) => {
      const error = failure(open, file);
      expect(error).toBeInstanceOf(DatabaseFileError);
      expect(error.message).toMatch(
        new RegExp(`^${file} is under /(proc|sys|dev), which cannot hold a database`),
      );
      if (file !== "/dev/null") expect(existsSync(file)).toBe(false);
    },
  );

  it("a symlink into /proc is refused too", () => {
    const link = at(`proc-link-${_name}`);
    if (!existsSync(link)) symlinkSync("/proc", link);
    const error = failure(open, path.join(link, "x.db"));
    expect(error.message).toMatch(/is under \/proc, which cannot hold a database/);
  });

  it("a server url of an engine Totewatch has not is refused naming only its scheme, never the password", () => {
    // postgresql:// is the second engine (client-postgres.ts); mysql:// is no engine of ours.
    const error = failure(open, "mysql://totewatch:hunter2@db.example/horses");
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain('"mysql:"');
    expect(error.message).not.toContain("hunter2");
    expect(existsSync(path.join(process.cwd(), "mysql:"))).toBe(false);
  });
});

describe("a read-only file", () => {
  it("is read by sqliteMigrationStatus, which writes nothing, and left unchanged", () => {
    const file = at("readonly-status.db");
    copyFileSync(migratedTemplate(), file);
    chmodSync(file, 0o444);
    const bytes = readFileSync(file);
    expect(sqliteMigrationStatus(file)).toMatchObject({
      exists: true,
      pending: [],
      unknown: [],
      changed: [],
    });
    expect(readFileSync(file).equals(bytes)).toBe(true);
    // What writes still refuses it (the list above: migrateSqliteDatabase and createDb).
    expect(failure(openers.migrateSqliteDatabase, file).message).toBe(
      `${file} is read-only: Totewatch writes to its database (make it writable)`,
    );
  });
});

describe("places that can hold a database", () => {
  it("/dev/shm is allowed (memory-backed, but an ordinary file system)", async () => {
    if (!existsSync("/dev/shm")) return;
    const file = path.join(mkdtempSync("/dev/shm/totewatch-"), "horses.db");
    try {
      migrateSqliteDatabase(file, { quiet: true });
      expect(allMigrationsApplied(file)).toBe(true);
      await createDb({ url: file }).close();
    } finally {
      rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });

  it("an empty file is a new database", () => {
    const file = write("empty.db", "");
    migrateSqliteDatabase(file, { quiet: true });
    expect(allMigrationsApplied(file)).toBe(true);
  });
});
