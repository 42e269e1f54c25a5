/**
 * What the PostgreSQL engine (engine/postgres.ts) promises beyond the query modules' tests: a
 * read-only client, commits heard through LISTEN/NOTIFY, writers serialized like SQLite's, and
 * a sample day stored alike on both engines. Only in the postgres project.
 */
import { describe, expect, it } from "vitest";
import { seedSampleData } from "../scripts/lib/sample-data.js";
import {
  createPostgresTestDb,
  dumpTables,
  freshDatabaseFile,
  freshPostgresDatabase,
  testEngine,
} from "../testing/index.js";
import { createDb } from "./client.js";
import { watchCommits } from "./commits.js";
import { retriableDatabaseError } from "./errors.js";
import { postgresEngine } from "./engine/postgres.js";
import { registerTrack, trackTimeZone } from "./queries/tracks.js";
import { readRaw, writeTransaction } from "./sql.js";

const onPostgres = testEngine() === "postgres";

describe.runIf(onPostgres)("the PostgreSQL engine", () => {
  it("a read-only client reads and cannot write", async () => {
    const url = await freshPostgresDatabase("readonly");
    const writer = createDb({ url });
    const reader = createDb({ url, readOnly: true });
    try {
      await registerTrack(writer, { name: "Saratoga", code: "SAR", timezone: "America/New_York" });
      expect(await trackTimeZone(reader, "Saratoga")).toBe("America/New_York");
      await expect(registerTrack(reader, { name: "Belmont Park" })).rejects.toThrow(
        "cannot execute INSERT in a read-only transaction",
      );
      expect(await trackTimeZone(writer, "Belmont Park")).toBeNull();
    } finally {
      await reader.close();
      await writer.close();
    }
  });

  it("watchCommits hears another client's commit, and not a rolled-back transaction", async () => {
    const url = await freshPostgresDatabase("commits");
    const watcher = createDb({ url });
    const writer = createDb({ url });
    const stop = new AbortController();
    let heard = 0;
    const watching = watchCommits(watcher, () => heard++, { signal: stop.signal });
    try {
      // Listening is in place before any later query of the watcher's client runs.
      await trackTimeZone(watcher, "none");
      await writeTransaction(writer, async (sql) => {
        await sql.run(`INSERT INTO cursor (name, position, updated_at) VALUES ('x', 1, 0)`);
        throw new Error("rolled back");
      }).catch(() => undefined);
      await registerTrack(writer, { name: "Saratoga" });
      for (let waited = 0; heard === 0 && waited < 5000; waited += 20)
        await new Promise((r) => setTimeout(r, 20));
      expect(heard).toBe(1);
    } finally {
      stop.abort();
      await watching;
      await writer.close();
      await watcher.close();
    }
  });

  it("serializes write transactions across clients (one advisory lock), as SQLite's BEGIN IMMEDIATE does", async () => {
    const url = await freshPostgresDatabase("serial");
    const a = createDb({ url });
    const b = createDb({ url });
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    try {
      const first = writeTransaction(a, async (sql) => {
        events.push("a starts");
        await sql.run(`INSERT INTO cursor (name, position, updated_at) VALUES ('a', 1, 0)`);
        await gate;
        events.push("a commits");
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const second = writeTransaction(b, async () => {
        events.push("b starts");
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      release();
      await Promise.all([first, second]);
      expect(events).toEqual(["a starts", "a commits", "b starts"]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("stores the sample day exactly as SQLite does (every data row, column for column)", async () => {
    const sqlite = createDb({ url: freshDatabaseFile("parity") });
    const postgres = createPostgresTestDb("parity");
    try {
      const sqliteSteps = await seedSampleData(sqlite);
      const postgresSteps = await seedSampleData(postgres);
      expect(postgresSteps).toEqual(sqliteSteps);
      expect(await dumpTables(postgres)).toEqual(await dumpTables(sqlite));
      // And a second run writes nothing on either.
      expect((await seedSampleData(postgres)).every((step) => step.written === 0)).toBe(true);
    } finally {
      await sqlite.close();
      await postgres.close();
    }
  });
});

describe.runIf(onPostgres)("a PostgreSQL session the server ends", () => {
  it("fails mid-transaction as 'unreachable' (retriable), and the client's next write goes through", async () => {
    const url = await freshPostgresDatabase("terminated");
    const db = createDb({ url });
    const admin = createDb({ url });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    try {
      await registerTrack(db, { name: "Saratoga" });
      const pending = writeTransaction(db, async (sql) => {
        await sql.run(`INSERT INTO cursor (name, position, updated_at) VALUES ('x', 1, 0)`);
        await gate;
        await sql.run(`INSERT INTO cursor (name, position, updated_at) VALUES ('y', 1, 0)`);
      }).catch((error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 100));
      // The server ends every other session on the database (as a restart or an admin would).
      await readRaw(admin, (sql) =>
        sql.all(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
        ),
      );
      release();
      expect(retriableDatabaseError(await pending)).toBe("unreachable");
      // Nothing of the cut transaction stayed; the next write takes a new connection.
      await registerTrack(db, { name: "Belmont Park" });
      expect(await trackTimeZone(db, "Belmont Park")).toBe("America/New_York");
      expect(await readRaw(db, (sql) => sql.all(`SELECT name FROM cursor`))).toEqual([]);
    } finally {
      release();
      await admin.close();
      await db.close();
    }
  });
});

describe.runIf(onPostgres)("the engine's own state", () => {
  it("work a transaction left running after it ended runs on its own, never inside the next transaction", async () => {
    const url = await freshPostgresDatabase("stale");
    // One pooled connection, so the next transaction gets the very client the first one had.
    const engine = postgresEngine({ url, max: 1 });
    try {
      let late!: Promise<number>;
      await engine.transaction("write", async (sql) => {
        await sql.run(`INSERT INTO cursor (name, position, updated_at) VALUES ('first', 1, 0)`);
        // Started inside, run after the commit (a timer keeps this transaction's async context).
        late = new Promise((resolve, reject) =>
          setTimeout(() => {
            engine
              .session((later) =>
                later.run(`INSERT INTO cursor (name, position, updated_at) VALUES ('late', 7, 0)`),
              )
              .then(resolve, reject);
          }, 50),
        );
      });
      const failed = await engine
        .transaction("write", async (sql) => {
          await sql.run(`INSERT INTO cursor (name, position, updated_at) VALUES ('second', 2, 0)`);
          await new Promise((resolve) => setTimeout(resolve, 150));
          throw new Error("second rolls back");
        })
        .catch((error: Error) => error.message);
      expect(failed).toBe("second rolls back");
      expect(await late).toBe(1);
      // 'late' committed on its own; only 'second' was rolled back.
      const names = await engine.session((sql) =>
        sql.all<{ name: string }>(`SELECT name FROM cursor ORDER BY name`),
      );
      expect(names.map((row) => row.name)).toEqual(["first", "late"]);
    } finally {
      await engine.close();
    }
  });

  it("reads a table's column types again until the table exists (a poller started before db migrate)", async () => {
    const url = await freshPostgresDatabase("late-table");
    const engine = postgresEngine({ url });
    try {
      const insert = `INSERT INTO late_table (a, b) VALUES (?, ?)`;
      const before = await engine
        .transaction("write", (sql) => sql.runEach(insert, [[1, "x"]]))
        .catch((error: Error) => error.message);
      expect(before).toBe('relation "late_table" does not exist');
      await engine.transaction("write", (sql) => sql.run(`CREATE TABLE late_table (a INTEGER, b TEXT)`));
      expect(
        await engine.transaction("write", (sql) =>
          sql.runEach(insert, [
            [1, "x"],
            [2, "it's, {y}"],
          ]),
        ),
      ).toBe(2);
      expect(await engine.session((sql) => sql.all(`SELECT a, b FROM late_table ORDER BY a`))).toEqual([
        { a: 1, b: "x" },
        { a: 2, b: "it's, {y}" },
      ]);
    } finally {
      await engine.close();
    }
  });
});
