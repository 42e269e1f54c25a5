// watchCommits on both engines (SQLite: the file's changes; PostgreSQL: LISTEN/NOTIFY); what only a
// file can be (alone after its migration, in memory) on SQLite.
import { afterEach, describe, expect, it } from "vitest";
import { createDb, type Db } from "./client.js";
import { watchCommits } from "./commits.js";
import { migrateSqliteDatabase } from "./migrate.js";
import { registerTrack, trackTimeZone } from "./queries/tracks.js";
import { freshDatabaseFile, freshTestDatabaseUrl, testEngine } from "../testing/index.js";

const onSqlite = testEngine() === "sqlite";

// Generous: a commit is heard within milliseconds; this only bounds a failure.
const WAIT_MS = 20_000;

const open: Db[] = [];
const client = (url: string) => {
  const db = createDb({ url });
  open.push(db);
  return db;
};
afterEach(async () => {
  await Promise.all(open.splice(0).map((db) => db.close()));
});

describe("watchCommits", () => {
  it(
    "wakes a watcher on one client when another client commits to the same database, until stopped",
    async () => {
      const file = await freshTestDatabaseUrl("commits");
      const watcher = client(file);
      const writer = client(file);
      const stop = new AbortController();

      // Woken by the commit itself, not by something before it: each wake-up looks for the
      // committed row through the watching client, and only finding it ends the wait.
      let watching!: Promise<void>;
      const seen = new Promise<void>((resolve, reject) => {
        watching = watchCommits(
          watcher,
          () => {
            trackTimeZone(watcher, "Keeneland").then((zone) => zone && resolve(), reject);
          },
          { signal: stop.signal },
        );
        watching.catch(reject);
      });

      await registerTrack(writer, { name: "Keeneland", timezone: "America/New_York" });
      await seen;

      stop.abort();
      await expect(watching).resolves.toBeUndefined();
    },
    WAIT_MS,
  );

  it.runIf(onSqlite)(
    "hears commits on a client alone on its file that has read nothing yet (as one opened after migrateSqliteDatabase)",
    async () => {
      const db = client(migrateSqliteDatabase(freshDatabaseFile("commits-alone"), { quiet: true }));
      const stop = new AbortController();
      // The watch takes its turn on the database before the write below, so the write is heard.
      let watching!: Promise<void>;
      const heard = new Promise<void>((resolve, reject) => {
        watching = watchCommits(db, resolve, { signal: stop.signal });
        watching.catch(reject);
      });
      await registerTrack(db, { name: "Keeneland" });
      await heard;
      stop.abort();
      await watching;
    },
    WAIT_MS,
  );

  it("returns at once when the signal is already aborted", async () => {
    const db = client(await freshTestDatabaseUrl("commits-aborted"));
    const stop = new AbortController();
    stop.abort();
    await expect(watchCommits(db, () => {}, { signal: stop.signal })).resolves.toBeUndefined();
  });

  it.runIf(onSqlite)(
    "rejects when the database's commits cannot be watched (an in-memory database)",
    async () => {
      const db = client(":memory:");
      await expect(watchCommits(db, () => {}, { signal: new AbortController().signal })).rejects.toThrow();
    },
  );
});
