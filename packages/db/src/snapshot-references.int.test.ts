/**
 * The snapshot tables' references (odds_snapshot.race_id and entry_id, exacta_probable.race_id)
 * hold alike on both engines: foreign keys on SQLite; on PostgreSQL, checks run once per
 * statement (migration 20261203030000_snapshot_reference_checks) with the foreign keys' rules
 * (ON DELETE RESTRICT ON UPDATE CASCADE), SQLSTATE and constraint names.
 */
import { afterEach, describe, expect, it } from "vitest";
import { freshTestDatabaseUrl, queryRows, runSql, testEngine } from "../testing/index.js";
import {
  applyRaceCard,
  createDb,
  findRace,
  recordExactaSnapshot,
  recordWinSnapshot,
  type Db,
} from "./index.js";
import { rowLockedTransaction } from "./sql.js";

const onPostgres = testEngine() === "postgres";
const clients: Db[] = [];
const client = (url: string) => {
  const db = createDb({ url });
  clients.push(db);
  return db;
};
afterEach(async () => {
  await Promise.all(clients.splice(0).map((db) => db.close()));
});
const RACE = { track: "Ref Downs", raceDate: "2025-09-13", raceNumber: 1 };
const FETCHED_AT = new Date("2025-09-13T17:00:00.000Z");
const MISSING = 999_999;

/** A race with two runners, one win board and one exacta grid; its ids. */
async function storedRace(
  label: string,
): Promise<{ db: Db; url: string; raceId: number; entryIds: number[] }> {
  const url = await freshTestDatabaseUrl(label);
  const db = client(url);
  await applyRaceCard(db, {
    ...RACE,
    entries: [
      { programNumber: "1", horse: "Ref One" },
      { programNumber: "2", horse: "Ref Two" },
    ],
  });
  await recordWinSnapshot(db, {
    ...RACE,
    fetchedAt: FETCHED_AT,
    runners: [
      { programNumber: "1", winOdds: 2 },
      { programNumber: "2", winOdds: 3 },
    ],
  });
  await recordExactaSnapshot(db, {
    ...RACE,
    fetchedAt: FETCHED_AT,
    probables: [
      { first: "1", second: "2", payout: 9 },
      { first: "2", second: "1", payout: 11 },
    ],
  });
  const { raceId } = (await findRace(db, RACE))!;
  const entries = await queryRows<{ id: number }>(
    db,
    `SELECT entry_id AS id FROM entry WHERE race_id = ? ORDER BY program_number`,
    raceId,
  );
  return { db, url, raceId, entryIds: entries.map((e) => e.id) };
}

/** The error `work` fails with. */
async function failure(work: Promise<unknown>): Promise<Error & { code?: string; constraint?: string }> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error & { code?: string; constraint?: string };
}

/** Refused as a foreign key refuses it: SQLite's code, or PostgreSQL's 23503 naming `constraint`. */
function expectForeignKeyRefusal(error: Error & { code?: string; constraint?: string }, constraint: string) {
  if (onPostgres) {
    expect(error.code).toBe("23503");
    expect(error.constraint).toBe(constraint);
    expect(error.message).toContain(`violates foreign key constraint "${constraint}"`);
  } else {
    // A refused insert or update is SQLITE_CONSTRAINT_FOREIGNKEY; a refused delete (RESTRICT is
    // an action) SQLITE_CONSTRAINT_TRIGGER; the message is the same.
    expect(error.code).toMatch(/^SQLITE_CONSTRAINT_(FOREIGNKEY|TRIGGER)$/);
    expect(error.message).toBe("FOREIGN KEY constraint failed");
  }
}

const count = async (db: Db, table: string) =>
  (await queryRows<{ n: number }>(db, `SELECT count(*) AS n FROM ${table}`))[0]!.n;

describe("the snapshot tables' references", () => {
  it("refuse a statement whose rows name a race or entry that does not exist, storing none of them", async () => {
    const { db, raceId, entryIds } = await storedRace("refs-insert");
    const later = FETCHED_AT.getTime() + 30_000;
    // Two grid rows in one statement, the second naming no race: neither is stored.
    const grid = await failure(
      runSql(
        db,
        `INSERT INTO exacta_probable (race_id, fetched_at, first_horse, second_horse, payout, created_at)
         VALUES (?, ?, '1', '2', 8, 0), (?, ?, '2', '1', 10, 0)`,
        raceId,
        later,
        MISSING,
        later,
      ),
    );
    expectForeignKeyRefusal(grid, "exacta_probable_race_id_fkey");
    // A board row naming no entry, and one naming no race.
    const board = await failure(
      runSql(
        db,
        `INSERT INTO odds_snapshot (race_id, entry_id, fetched_at, win_odds, created_at)
         VALUES (?, ?, ?, 2, 0), (?, ?, ?, 3, 0)`,
        raceId,
        entryIds[0]!,
        later,
        raceId,
        MISSING,
        later,
      ),
    );
    expectForeignKeyRefusal(board, "odds_snapshot_entry_id_fkey");
    const noRace = await failure(
      runSql(
        db,
        `INSERT INTO odds_snapshot (race_id, entry_id, fetched_at, win_odds, created_at) VALUES (?, ?, ?, 2, 0)`,
        MISSING,
        entryIds[0]!,
        later,
      ),
    );
    expectForeignKeyRefusal(noRace, "odds_snapshot_race_id_fkey");
    // What the helpers stored, and nothing of the refused statements.
    expect(await count(db, "exacta_probable")).toBe(2);
    expect(await count(db, "odds_snapshot")).toBe(2);
  });

  it("refuse an update that moves a snapshot row to a race that does not exist", async () => {
    const { db, raceId } = await storedRace("refs-update");
    const moved = await failure(
      runSql(db, `UPDATE exacta_probable SET race_id = ? WHERE race_id = ?`, MISSING, raceId),
    );
    expectForeignKeyRefusal(moved, "exacta_probable_race_id_fkey");
    expect(await queryRows(db, `SELECT race_id AS "raceId" FROM exacta_probable`)).toEqual([
      { raceId },
      { raceId },
    ]);
  });

  it("keep a race or entry that snapshots name from being deleted (RESTRICT); one no snapshot names goes", async () => {
    const { db, raceId, entryIds } = await storedRace("refs-delete");
    expectForeignKeyRefusal(
      await failure(runSql(db, `DELETE FROM entry WHERE entry_id = ?`, entryIds[0]!)),
      "odds_snapshot_entry_id_fkey",
    );
    // The board goes; the grid still names the race (the entries name it too, by a foreign key on
    // both engines, so they go first).
    await runSql(db, `DELETE FROM odds_snapshot WHERE race_id = ?`, raceId);
    expect(await runSql(db, `DELETE FROM entry WHERE race_id = ?`, raceId)).toBe(2);
    expectForeignKeyRefusal(
      await failure(runSql(db, `DELETE FROM race WHERE race_id = ?`, raceId)),
      "exacta_probable_race_id_fkey",
    );
    await runSql(db, `DELETE FROM exacta_probable WHERE race_id = ?`, raceId);
    expect(await runSql(db, `DELETE FROM race WHERE race_id = ?`, raceId)).toBe(1);
  });

  it("follow a race's or entry's id when it changes (ON UPDATE CASCADE)", async () => {
    const { db, raceId, entryIds } = await storedRace("refs-cascade");
    const [newRace, newEntry] = [raceId + 1_000, entryIds[0]! + 1_000];
    expect(await runSql(db, `UPDATE race SET race_id = ? WHERE race_id = ?`, newRace, raceId)).toBe(1);
    expect(await runSql(db, `UPDATE entry SET entry_id = ? WHERE entry_id = ?`, newEntry, entryIds[0]!)).toBe(
      1,
    );
    expect(await queryRows(db, `SELECT DISTINCT race_id AS "raceId" FROM exacta_probable`)).toEqual([
      { raceId: newRace },
    ]);
    expect(
      await queryRows(
        db,
        `SELECT race_id AS "raceId", entry_id AS "entryId" FROM odds_snapshot ORDER BY win_odds`,
      ),
    ).toEqual([
      { raceId: newRace, entryId: newEntry },
      { raceId: newRace, entryId: entryIds[1]! },
    ]);
  });

  it.runIf(onPostgres)(
    "lock each race a statement names until it commits, so a delete waits and then sees its rows",
    async () => {
      const { db, url } = await storedRace("refs-lock");
      const other = client(url);
      // A race nothing names: its one entry (a card has one at least) goes.
      await applyRaceCard(db, {
        ...RACE,
        raceNumber: 2,
        entries: [{ programNumber: "1", horse: "Ref Lone" }],
      });
      const { raceId } = (await findRace(db, { ...RACE, raceNumber: 2 }))!;
      await runSql(db, `DELETE FROM entry WHERE race_id = ?`, raceId);
      const events: string[] = [];
      let commit!: () => void;
      const committing = new Promise<void>((resolve) => (commit = resolve));
      let inserted!: () => void;
      const insertedRow = new Promise<void>((resolve) => (inserted = resolve));
      // Row-locked transactions take no writers' lock, so the two can overlap.
      const insert = rowLockedTransaction(db, async (sql) => {
        await sql.run(
          `INSERT INTO exacta_probable (race_id, fetched_at, first_horse, second_horse, payout, created_at)
           VALUES (?, ?, '1', '2', 8, 0)`,
          raceId,
          FETCHED_AT.getTime(),
        );
        inserted();
        await committing;
        events.push("insert commits");
      });
      await insertedRow;
      const remove = rowLockedTransaction(other, (sql) =>
        sql.run(`DELETE FROM race WHERE race_id = ?`, raceId),
      ).then(
        () => events.push("race deleted"),
        (error: Error & { code?: string; constraint?: string }) => {
          events.push("delete refused");
          expectForeignKeyRefusal(error, "exacta_probable_race_id_fkey");
        },
      );
      // Without the lock the delete would go through now, leaving the grid row naming no race.
      await new Promise((resolve) => setTimeout(resolve, 300));
      commit();
      await Promise.all([insert, remove]);
      expect(events).toEqual(["insert commits", "delete refused"]);
      expect(await count(db, "race")).toBe(2);
    },
  );
});
