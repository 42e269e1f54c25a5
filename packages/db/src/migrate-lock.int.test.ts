// Every command migrates when it opens the database. On an up-to-date file that must not need
// SQLite's write lock: while another process holds it (a VACUUM, a backup, a `BEGIN IMMEDIATE`
// left open in the sqlite3 shell) a read command starts at once instead of failing after the
// busy timeout. The lock holder here is a real OS process on a real file.
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { createDb } from "./client.js";
import { BUSY_TIMEOUT_MS } from "./database-file.js";
import { MigrationError } from "./errors.js";
import { migrateSqliteDatabase } from "./migrate.js";
import { listAlerts } from "./queries/listings.js";
import { freshDatabaseFile, storeSteamAlert } from "../testing/index.js";

const betterSqlite3 = createRequire(import.meta.url).resolve("better-sqlite3");

// What `sqlite3 horses.db` then `BEGIN IMMEDIATE;` does: holds the write lock until stdin closes.
const HOLDER = `
const Database = require(process.argv[1]);
const sql = new Database(process.argv[2]);
sql.exec("BEGIN IMMEDIATE");
process.stdout.write("held\\n");
process.stdin.resume();
process.stdin.on("end", () => { sql.exec("ROLLBACK"); sql.close(); });
`;

const holders: ChildProcess[] = [];
afterEach(async () => {
  for (const child of holders.splice(0)) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.stdin?.end();
    if (child.exitCode === null) await exited;
  }
});

/** Starts a process holding `file`'s write lock; resolves once it holds it. */
async function holdWriteLock(file: string): Promise<void> {
  const child = spawn(process.execPath, ["-e", HOLDER, betterSqlite3, file], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  holders.push(child);
  let output = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += String(chunk);
      if (output.includes("held")) resolve();
    });
    child.stderr!.on("data", (chunk: Buffer) => (output += String(chunk)));
    child.once("exit", (code) => reject(new Error(`lock holder exited (${code}): ${output}`)));
  });
}

/** A migrated file in WAL mode, as every file is once a command has opened it. */
async function upToDateFile(label: string): Promise<string> {
  const file = freshDatabaseFile(label);
  const db = createDb({ url: file });
  await storeSteamAlert(db);
  await db.close();
  return file;
}

/** Runs `work`, returning what it returned (or threw) and how long it took. */
function timed<T>(work: () => T): { result: T | Error; ms: number } {
  const start = performance.now();
  try {
    return { result: work(), ms: performance.now() - start };
  } catch (error) {
    return { result: error as Error, ms: performance.now() - start };
  }
}

// Long enough for a busy machine, far below the busy timeout a write-lock wait would take.
const PROMPT_MS = BUSY_TIMEOUT_MS / 3;

describe("migrating an up-to-date file while another process holds the write lock", () => {
  it("returns at once, and a read command (alerts list) works", async () => {
    const file = await upToDateFile("lock-held");
    await holdWriteLock(file);
    const lines: string[] = [];
    const { result, ms } = timed(() => migrateSqliteDatabase(file, { onNote: (line) => lines.push(line) }));
    expect(result).toBe(file);
    expect(ms).toBeLessThan(PROMPT_MS);
    expect(lines).toEqual([]);

    const db = createDb({ url: file });
    try {
      const alerts = await listAlerts(db);
      expect(alerts.map((a) => a.alertType)).toEqual(["steam"]);
    } finally {
      await db.close();
    }
  }, 60_000);

  it("still refuses at once a file a newer Totewatch migrated (the check is a read)", async () => {
    const file = await upToDateFile("lock-newer");
    const sql = new Database(file);
    sql
      .prepare(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
         VALUES ('newer', 'x', '2099-01-01T00:00:00.000+00:00', '29990101000000_newer', 1)`,
      )
      .run();
    sql.close();
    await holdWriteLock(file);
    const { result, ms } = timed(() => migrateSqliteDatabase(file, { quiet: true }));
    expect(result).toBeInstanceOf(MigrationError);
    expect((result as Error).message).toContain(
      "29990101000000_newer is applied in this database but is not among this version's migrations",
    );
    expect(ms).toBeLessThan(PROMPT_MS);
  }, 60_000);
});
