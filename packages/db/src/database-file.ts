/**
 * Opening a database file. Invariants: a path that cannot hold a usable
 * database is refused before SQLite sees it, and whatever SQLite says about
 * the file on opening becomes one line naming the file and the reason
 * (DatabaseFileError), never a raw driver stack. A read-only file (or
 * folder) is refused to every caller that writes (createDb,
 * migrateDatabase: every command migrates on open) and accepted by one that
 * only reads (`readOnly`: migrationStatus, db:status), which then opens it
 * read-only, so reading never needs write access.
 */
import {
  accessSync,
  closeSync,
  constants,
  mkdirSync,
  openSync,
  readSync,
  realpathSync,
  statSync,
} from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { DatabaseFileError } from "./errors.js";

/** How long a connection waits on another process's write lock. */
export const BUSY_TIMEOUT_MS = 15_000;

const SQLITE_HEADER = Buffer.from("SQLite format 3\0", "latin1");

/**
 * Pseudo-file systems: SQLite on some of their paths spins at 100 % CPU and
 * ignores SIGINT/SIGTERM, and none of them can hold a database. /dev/shm is
 * ordinary memory-backed storage and stays allowed.
 */
const REFUSED_ROOTS = ["/proc", "/sys", "/dev"];
const ALLOWED_ROOTS = ["/dev/shm"];

const isUnder = (file: string, root: string) => file === root || file.startsWith(root + path.sep);

/** `file` with its deepest existing folder resolved through symlinks (a link into /proc is /proc). */
function realLocation(file: string): string {
  let existing = file;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(realpathSync(existing), ...rest);
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return file;
      rest.unshift(path.basename(existing));
      existing = parent;
    }
  }
}

function refuseSpecialPlaces(file: string): void {
  for (const location of [file, realLocation(file)]) {
    if (ALLOWED_ROOTS.some((root) => isUnder(location, root))) continue;
    const root = REFUSED_ROOTS.find((r) => isUnder(location, r));
    if (root) {
      throw new DatabaseFileError(
        file,
        `is under ${root}, which cannot hold a database: use a path on a disk`,
      );
    }
  }
}

const errnoOf = (error: unknown) => (error as NodeJS.ErrnoException).code;

function canAccess(file: string, mode: number): boolean {
  try {
    accessSync(file, mode);
    return true;
  } catch {
    return false;
  }
}

function startsLikeSqlite(file: string): boolean {
  const head = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(file, "r");
  try {
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(SQLITE_HEADER);
  } finally {
    closeSync(fd);
  }
}

function createFolder(file: string): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
  } catch (error) {
    const why =
      errnoOf(error) === "ENOTDIR" || errnoOf(error) === "EEXIST"
        ? "a part of its folder path is a file, not a folder"
        : errnoOf(error) === "EACCES" || errnoOf(error) === "EROFS"
          ? "its folder cannot be created here (read-only or permission denied)"
          : `its folder cannot be created (${errnoOf(error) ?? String(error)})`;
    throw new DatabaseFileError(file, `cannot be created: ${why}`);
  }
}

// Checked on the mode bits too: root may write a file nobody is meant to write.
const isReadOnly = (file: string, mode: number) => !canAccess(file, constants.W_OK) || (mode & 0o222) === 0;

export interface PrepareOptions {
  /** False: a missing file is left missing (the caller has nothing to create). */
  create?: boolean;
  /** The caller only reads: a read-only file or folder is accepted (open it as `canWriteDatabase` says). */
  readOnly?: boolean;
}

/**
 * Checks that `file` can be a Totewatch database before SQLite opens it, and
 * creates its folder when it does not exist yet (unless `create` is false:
 * then a missing file is left missing). Throws DatabaseFileError.
 */
export function prepareDatabaseFile(file: string, opts: PrepareOptions = {}): void {
  if (file === ":memory:") return;
  refuseSpecialPlaces(file);
  let stat;
  try {
    stat = statSync(file);
  } catch (error) {
    if (errnoOf(error) === "ENOTDIR") {
      throw new DatabaseFileError(
        file,
        "cannot be created: a part of its folder path is a file, not a folder",
      );
    }
    if (errnoOf(error) !== "ENOENT") throw new DatabaseFileError(file, `cannot be read (${errnoOf(error)})`);
  }
  if (!stat) {
    if (opts.create === false) return;
    createFolder(file);
  } else if (stat.isDirectory()) {
    throw new DatabaseFileError(file, "is a directory, not a database file");
  } else if (!stat.isFile()) {
    throw new DatabaseFileError(
      file,
      "is not a regular file (a device, pipe or socket), not a database file",
    );
  } else if (!canAccess(file, constants.R_OK)) {
    throw new DatabaseFileError(file, "cannot be read (permission denied)");
  } else if (!opts.readOnly && isReadOnly(file, stat.mode)) {
    throw new DatabaseFileError(file, "is read-only: Totewatch writes to its database (make it writable)");
  } else if (stat.size > 0 && !startsLikeSqlite(file)) {
    throw new DatabaseFileError(file, "is not a SQLite database (file is not a database)");
  }
  if (!opts.readOnly && !canAccess(path.dirname(file), constants.W_OK)) {
    throw new DatabaseFileError(
      file,
      `cannot be written: its folder ${path.dirname(file)} is read-only (SQLite keeps its journal beside the file)`,
    );
  }
}

/**
 * Whether `file` (an existing one) and its folder can be written: when not, a reader opens it
 * read-only (a read-write open would fail, or write to a file nobody is meant to write).
 */
export function canWriteDatabase(file: string): boolean {
  return !isReadOnly(file, statSync(file).mode) && canAccess(path.dirname(file), constants.W_OK);
}

/** SQLite result codes that are about the file itself, and how to say them. */
function fileReason(code: string, message: string): string | null {
  if (code === "SQLITE_NOTADB") return `is not a SQLite database (${message})`;
  if (code.startsWith("SQLITE_CORRUPT")) return `is damaged (${message})`;
  if (code.startsWith("SQLITE_READONLY")) return `is read-only (${message})`;
  if (code.startsWith("SQLITE_CANTOPEN")) return `cannot be opened (${message})`;
  if (code === "SQLITE_FULL") return `cannot grow: the disk is full (${message})`;
  if (code.startsWith("SQLITE_IOERR")) return `cannot be read or written (${message})`;
  if (code === "SQLITE_PERM" || code === "SQLITE_AUTH") return `cannot be used (${message})`;
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return `is busy: another process holds its write lock (${message})`;
  }
  return null;
}

/** `error` as a DatabaseFileError when it is about the file (not a database, read-only, ...), else unchanged. */
export function describeFileError(file: string, error: unknown): unknown {
  if (error instanceof DatabaseFileError) return error;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === "string" && typeof message === "string") {
    const reason = fileReason(code, message);
    if (reason) return new DatabaseFileError(file, reason);
  }
  // better-sqlite3 checks the folder itself before SQLite runs.
  if (error instanceof TypeError && /directory does not exist/.test(error.message)) {
    return new DatabaseFileError(file, "cannot be created: its folder does not exist");
  }
  return error;
}

/** Runs `work` on `file`, turning errors about the file into DatabaseFileErrors. */
export function withFileErrors<T>(file: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw describeFileError(file, error);
  }
}

/** Opens `file` (after prepareDatabaseFile) and reads its schema, so a bad file fails here, in one line. */
export function openDatabaseFile(file: string, opts: { readonly?: boolean } = {}): Database.Database {
  return withFileErrors(file, () => {
    const sql = new Database(file, { timeout: BUSY_TIMEOUT_MS, readonly: opts.readonly === true });
    try {
      sql.prepare("SELECT count(*) FROM sqlite_master").get();
      return sql;
    } catch (error) {
      sql.close();
      throw error;
    }
  });
}
