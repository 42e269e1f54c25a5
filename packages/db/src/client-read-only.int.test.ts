// A read-only client (createDb({ readOnly: true }), the dashboard's): what it refuses to open,
// that it writes nothing (not even a setting), that it sees what other clients commit after it
// opened, and that watchCommits hears those commits, with or without a -wal file to watch.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { createDb, type Db } from "./client.js";
import { watchCommits } from "./commits.js";
import { prismaOf } from "./connection.js";
import { DatabaseFileError } from "./errors.js";
import { recordWinSnapshot } from "./queries/odds.js";
import { applyRaceCard, racesOnDate } from "./queries/races.js";
import { registerTrack, trackTimeZone } from "./queries/tracks.js";
import { allStoredRows, freshDatabaseFile, scratchDir } from "../testing/index.js";

// Generous: a commit is heard within milliseconds; this only bounds a failure.
const WAIT_MS = 20_000;

const open: Db[] = [];
const client = (url: string, readOnly = false) => {
  const db = createDb({ url, readOnly });
  open.push(db);
  return db;
};
afterEach(async () => {
  await Promise.all(open.splice(0).map((db) => db.close()));
});

const CARD = {
  track: "Belmont Park",
  raceDate: "2025-09-13",
  raceNumber: 1,
  entries: [{ programNumber: "1", horse: "Number One" }],
};

/** Why createDb refused `url` read-only (the error's one line), or null when it opened. */
function refusal(url: string): string | null {
  try {
    client(url, true);
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(DatabaseFileError);
    return (error as Error).message;
  }
}

describe("createDb({ readOnly: true })", () => {
  it("refuses, in one line naming the file, what it cannot read: missing, empty, not a database, a folder, in memory", () => {
    const dir = scratchDir("totewatch-readonly-");
    const missing = path.join(dir, "missing.db");
    expect(refusal(missing)).toBe(
      `${missing} does not exist (a read-only client creates nothing: run db:migrate first)`,
    );
    expect(existsSync(missing)).toBe(false);
    const empty = path.join(dir, "empty.db");
    writeFileSync(empty, "");
    expect(refusal(empty)).toBe(`${empty} holds no Totewatch tables (run db:migrate on it first)`);
    const text = path.join(dir, "notes.db");
    writeFileSync(text, "not a database at all, just some text that is long enough");
    expect(refusal(text)).toBe(`${text} is not a SQLite database (file is not a database)`);
    const folder = path.join(dir, "folder.db");
    mkdirSync(folder);
    expect(refusal(folder)).toBe(`${folder} is a directory, not a database file`);
    expect(refusal(":memory:")).toMatch(/^:memory: cannot be opened read-only/);
  });

  it("fails every write (raw helpers and Prisma alike) and leaves the file as it was", async () => {
    const file = freshDatabaseFile("readonly-writes");
    const writer = client(file);
    await applyRaceCard(writer, CARD);
    const before = await allStoredRows(writer);
    const reader = client(file, true);
    const readonly = { code: expect.stringMatching(/^SQLITE_READONLY/) };
    await expect(applyRaceCard(reader, { ...CARD, raceNumber: 2 })).rejects.toMatchObject(readonly);
    await expect(registerTrack(reader, { name: "Aqueduct" })).rejects.toMatchObject(readonly);
    await expect(
      recordWinSnapshot(reader, {
        ...CARD,
        fetchedAt: new Date(),
        runners: [{ programNumber: "1", winOdds: 2 }],
      }),
    ).rejects.toMatchObject(readonly);
    await expect(
      reader.exclusive(() => prismaOf(reader).track.create({ data: { name: "Saratoga" } })),
    ).rejects.toThrow(/readonly/i);
    // The reader still reads.
    expect((await racesOnDate(reader, CARD.raceDate)).map((race) => race.raceNumber)).toEqual([1]);
    expect(await allStoredRows(writer)).toEqual(before);
  });

  it("sees what another client commits after it opened and after its own reads", async () => {
    const file = freshDatabaseFile("readonly-sees");
    const writer = client(file);
    const reader = client(file, true);
    expect(await racesOnDate(reader, CARD.raceDate)).toEqual([]);
    await applyRaceCard(writer, CARD);
    expect((await racesOnDate(reader, CARD.raceDate)).map((race) => race.raceNumber)).toEqual([1]);
    await applyRaceCard(writer, { ...CARD, raceNumber: 2 });
    expect((await racesOnDate(reader, CARD.raceDate)).map((race) => race.raceNumber)).toEqual([1, 2]);
  });

  it(
    "watchCommits on a read-only client hears a writer's commit made after the watch started",
    async () => {
      const file = freshDatabaseFile("readonly-watch");
      // A writer has the file open (in WAL mode: every read-write client sets it) before the reader.
      const writer = client(file);
      await registerTrack(writer, { name: "Saratoga" });
      const reader = client(file, true);
      expect(existsSync(`${file}-wal`)).toBe(true);
      await expect(heardThrough(reader, () => registerTrack(writer, { name: "Keeneland" }))).resolves.toBe(
        "America/New_York",
      );
    },
    WAIT_MS,
  );

  it(
    "with no -wal file to watch (a file not in WAL mode), the watch still hears the writer that makes one",
    async () => {
      // A file just migrated is in rollback-journal mode until a read-write client opens it (which
      // switches it to WAL); a read-only client cannot switch it, so there is no -wal to watch.
      const file = freshDatabaseFile("readonly-nowal");
      const mode = new Database(file, { readonly: true });
      expect(mode.pragma("journal_mode", { simple: true })).toBe("delete");
      mode.close();
      const reader = client(file, true);
      await reader.exclusive(() => undefined);
      expect(existsSync(`${file}-wal`)).toBe(false);
      // Opening read-only changed no setting of the file.
      const check = new Database(file, { readonly: true });
      expect(check.pragma("journal_mode", { simple: true })).toBe("delete");
      check.close();
      // The writer's client turns WAL on (making the -wal) and commits: the watch hears it.
      await expect(
        heardThrough(reader, () => registerTrack(client(file), { name: "Keeneland" })),
      ).resolves.toBe("America/New_York");
      expect(existsSync(`${file}-wal`)).toBe(true);
    },
    WAIT_MS,
  );
});

/**
 * Starts watchCommits on `reader`, then runs `write`; resolves with Keeneland's zone as the reader
 * reads it once a wake-up finds it (so it is the commit that woke the watch, not something before).
 */
async function heardThrough(reader: Db, write: () => Promise<unknown>): Promise<string> {
  const stop = new AbortController();
  let watching!: Promise<void>;
  const seen = new Promise<string>((resolve, reject) => {
    watching = watchCommits(
      reader,
      () => {
        trackTimeZone(reader, "Keeneland").then((zone) => zone && resolve(zone), reject);
      },
      { signal: stop.signal },
    );
    watching.catch(reject);
  });
  // The watch takes its turn on the database first: a write after this is heard.
  await reader.exclusive(() => undefined);
  await write();
  try {
    return await seen;
  } finally {
    stop.abort();
    await watching;
  }
}
