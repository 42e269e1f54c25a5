import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_TIME_ZONE } from "@totewatch/tote";
import type { Db } from "./client.js";
import { Prisma } from "./generated/prisma/client.js";
import { LATEST_ODDS_SQL } from "./queries/odds.js";
import { applyRaceCard } from "./queries/races.js";
import { migrationNames } from "./migrate.js";
import { createTestDb } from "../testing/index.js";
import { connectionOf, prismaOf } from "./connection.js";

let db: Db;

beforeAll(() => {
  db = createTestDb("schema");
});
afterAll(async () => {
  await db.close();
});

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
}

const columns = (table: string) =>
  connectionOf(db).prepare(`PRAGMA table_info(${table})`).all() as ColumnInfo[];
const columnNames = (table: string) => columns(table).map((c) => c.name);

/** Every index of a table with its columns (and DESC flags) and whether it is UNIQUE. */
function indexes(table: string): Map<string, { unique: boolean; columns: string[] }> {
  const list = connectionOf(db).prepare(`PRAGMA index_list(${table})`).all() as Array<{
    name: string;
    unique: number;
  }>;
  const result = new Map<string, { unique: boolean; columns: string[] }>();
  for (const index of list) {
    const cols = connectionOf(db).prepare(`PRAGMA index_xinfo(${index.name})`).all() as Array<{
      name: string | null;
      desc: number;
      key: number;
    }>;
    result.set(index.name, {
      unique: index.unique === 1,
      columns: cols.filter((c) => c.key === 1).map((c) => `${c.name}${c.desc ? " DESC" : ""}`),
    });
  }
  return result;
}

interface ForeignKey {
  table: string;
  from: string;
  to: string;
  on_delete: string;
}
const foreignKeys = (table: string) =>
  (connectionOf(db).prepare(`PRAGMA foreign_key_list(${table})`).all() as ForeignKey[]).map(
    (fk) => `${fk.from} -> ${fk.table}.${fk.to} ON DELETE ${fk.on_delete}`,
  );

// The founding schema's columns, in its order (shared/seed/database-schema-and-models.md).
const SEED_COLUMNS: Record<string, string[]> = {
  track: ["track_id", "name", "code", "url", "created_at", "updated_at"],
  race: [
    "race_id",
    "track_id",
    "race_date",
    "race_number",
    "post_time",
    "status",
    "created_at",
    "updated_at",
  ],
  horse: ["horse_id", "name", "created_at"],
  entry: [
    "entry_id",
    "race_id",
    "horse_id",
    "program_number",
    "morning_line_odds",
    "jockey",
    "trainer",
    "created_at",
    "updated_at",
  ],
  odds_snapshot: [
    "snapshot_id",
    "race_id",
    "entry_id",
    "fetched_at",
    "win_odds",
    "win_odds_decimal",
    "win_pool_amount",
    "total_win_pool",
    "created_at",
  ],
  exacta_probable: [
    "exacta_id",
    "race_id",
    "fetched_at",
    "first_horse",
    "second_horse",
    "payout",
    "total_exacta_pool",
    "created_at",
  ],
  alert: [
    "alert_id",
    "triggered_at",
    "race_id",
    "entry_id",
    "alert_type",
    "threshold_value",
    "actual_value",
    "message",
    "sent",
    "sent_at",
    "created_at",
  ],
};

const SEED_INDEXES: Array<[table: string, name: string, columns: string[]]> = [
  ["race", "idx_race_date", ["race_date"]],
  ["race", "idx_race_track", ["track_id", "race_date"]],
  ["odds_snapshot", "idx_odds_race_time", ["race_id", "fetched_at DESC"]],
  ["odds_snapshot", "idx_odds_entry", ["entry_id", "fetched_at DESC"]],
  // The seed's (race_id, fetched_at DESC), extended by the combination to be the UNIQUE key.
  ["exacta_probable", "idx_exacta_race_time", ["race_id", "fetched_at DESC", "first_horse", "second_horse"]],
  ["alert", "idx_alert_race", ["race_id", "triggered_at DESC"]],
  ["alert", "idx_alert_sent", ["sent", "triggered_at DESC"]],
];

describe("schema created by the migrations", () => {
  it("records every migration of the folder as applied, init first", () => {
    const applied = connectionOf(db)
      .prepare(
        `SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY migration_name`,
      )
      .all() as Array<{ migration_name: string; finished_at: string | null; rolled_back_at: string | null }>;
    expect(applied.map((m) => m.migration_name)).toEqual(migrationNames());
    expect(applied[0]?.migration_name).toMatch(/^\d{14}_init$/);
    for (const migration of applied) {
      expect(migration.finished_at).not.toBeNull();
      expect(migration.rolled_back_at).toBeNull();
    }
  });

  it("has every table of the seed plus alert_delivery, channel_hold, cursor and track_lease", () => {
    const tables = (
      connectionOf(db)
        .prepare(
          `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
        )
        .all() as Array<{ name: string }>
    ).map((t) => t.name);
    expect(tables).toEqual([
      "_prisma_migrations",
      "alert",
      "alert_delivery",
      "channel_hold",
      "cursor",
      "entry",
      "exacta_probable",
      "horse",
      "odds_snapshot",
      "race",
      "track",
      "track_lease",
    ]);
  });

  it.each(Object.entries(SEED_COLUMNS))(
    "table %s has the seed's columns with the seed's names",
    (table, seed) => {
      const actual = columnNames(table);
      // all of them, in the seed's order (additions may sit in between)
      expect(actual.filter((c) => seed.includes(c))).toEqual(seed);
    },
  );

  it("primary keys are the seed's autoincrement ids", () => {
    for (const [table, seed] of Object.entries(SEED_COLUMNS)) {
      const pk = columns(table).filter((c) => c.pk > 0);
      expect(pk.map((c) => c.name)).toEqual([seed[0]]);
      const sql = (
        connectionOf(db)
          .prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`)
          .get(table) as {
          sql: string;
        }
      ).sql;
      expect(sql).toMatch(/PRIMARY KEY AUTOINCREMENT/);
    }
  });

  it("keeps the seed's NOT NULLs and defaults", () => {
    const col = (table: string, name: string) => columns(table).find((c) => c.name === name);
    expect(col("track", "name")?.notnull).toBe(1);
    expect(col("race", "race_date")?.notnull).toBe(1);
    expect(col("race", "race_number")?.notnull).toBe(1);
    expect(col("race", "status")?.dflt_value).toBe("'scheduled'");
    expect(col("entry", "program_number")?.notnull).toBe(1);
    expect(col("odds_snapshot", "fetched_at")?.notnull).toBe(1);
    expect(col("exacta_probable", "payout")?.notnull).toBe(1);
    expect(col("alert", "alert_type")?.notnull).toBe(1);
    expect(col("alert", "message")?.notnull).toBe(1);
    expect(col("alert", "sent")?.dflt_value).toBe("false");
    for (const table of Object.keys(SEED_COLUMNS)) {
      expect(col(table, "created_at")?.dflt_value).toBe("CURRENT_TIMESTAMP");
    }
  });

  it("adds track.timezone, race.card_as_of/off_at, entry.scratched/scratched_at, alert.dedupe_key/subject/details", () => {
    const col = (table: string, name: string) => columns(table).find((c) => c.name === name);
    expect(col("track", "timezone")).toMatchObject({ notnull: 1, dflt_value: `'${DEFAULT_TIME_ZONE}'` });
    expect(col("race", "card_as_of")).toMatchObject({ type: "DATETIME", notnull: 0 });
    expect(col("race", "off_at")).toMatchObject({ type: "DATETIME", notnull: 0, dflt_value: null });
    expect(col("entry", "scratched")).toMatchObject({ notnull: 1, dflt_value: "false" });
    expect(col("entry", "scratched_at")).toMatchObject({ type: "DATETIME", notnull: 0, dflt_value: null });
    expect(col("alert", "dedupe_key")).toMatchObject({ notnull: 1 });
    expect(columnNames("alert")).toEqual(expect.arrayContaining(["subject", "details"]));
  });

  it("has the seed's foreign keys", () => {
    expect(foreignKeys("race")).toEqual(["track_id -> track.track_id ON DELETE RESTRICT"]);
    expect(foreignKeys("entry").sort()).toEqual([
      "horse_id -> horse.horse_id ON DELETE RESTRICT",
      "race_id -> race.race_id ON DELETE RESTRICT",
    ]);
    expect(foreignKeys("odds_snapshot").sort()).toEqual([
      "entry_id -> entry.entry_id ON DELETE RESTRICT",
      "race_id -> race.race_id ON DELETE RESTRICT",
    ]);
    expect(foreignKeys("exacta_probable")).toEqual(["race_id -> race.race_id ON DELETE RESTRICT"]);
    expect(foreignKeys("alert").sort()).toEqual([
      "entry_id -> entry.entry_id ON DELETE SET NULL",
      "race_id -> race.race_id ON DELETE SET NULL",
    ]);
    expect(foreignKeys("alert_delivery")).toEqual(["alert_id -> alert.alert_id ON DELETE CASCADE"]);
  });

  // idx_odds_entry and idx_exacta_race_time are the seed's indexes made UNIQUE: they are also
  // the one-observation-per-runner (per-combination) per-instant keys (one index each, not two).
  const UNIQUE_SEED_INDEXES = new Set(["idx_odds_entry", "idx_exacta_race_time"]);

  it.each(SEED_INDEXES)("table %s has index %s on the seed's columns", (table, name, cols) => {
    expect(indexes(table).get(name)).toEqual({ unique: UNIQUE_SEED_INDEXES.has(name), columns: cols });
  });

  it("has the seed's UNIQUEs and the added ones", () => {
    const uniqueColumns = (table: string) =>
      [...indexes(table).values()].filter((i) => i.unique).map((i) => i.columns.join(","));
    expect(uniqueColumns("track")).toContain("name");
    expect(uniqueColumns("race")).toContain("track_id,race_date,race_number");
    expect(uniqueColumns("horse")).toContain("name");
    expect(uniqueColumns("entry")).toContain("race_id,program_number");
    // Added: re-ingesting the same observation cannot duplicate data.
    expect(uniqueColumns("odds_snapshot")).toEqual(["entry_id,fetched_at DESC"]);
    expect(uniqueColumns("exacta_probable")).toEqual(["race_id,fetched_at DESC,first_horse,second_horse"]);
    expect(uniqueColumns("alert")).toContain("dedupe_key");
    expect(uniqueColumns("alert_delivery")).toContain("alert_id,channel");
  });

  it("opens connections with foreign keys on, WAL, NORMAL sync and a busy timeout", async () => {
    expect(connectionOf(db).pragma("foreign_keys", { simple: true })).toBe(1);
    expect(connectionOf(db).pragma("journal_mode", { simple: true })).toBe("wal");
    expect(connectionOf(db).pragma("synchronous", { simple: true })).toBe(1);
    expect(connectionOf(db).pragma("busy_timeout", { simple: true })).toBeGreaterThanOrEqual(5_000);
    const [prismaSide] = await db.exclusive(() =>
      prismaOf(db).$queryRawUnsafe<Array<{ foreign_keys: bigint | number }>>("PRAGMA foreign_keys"),
    );
    expect(Number(prismaSide?.foreign_keys)).toBe(1);
  });
});

describe("foreign keys are enforced", () => {
  let raceId = 0;
  let entryId = 0;

  beforeAll(async () => {
    await applyRaceCard(db, {
      track: "FK Downs",
      raceDate: "2025-09-13",
      raceNumber: 1,
      entries: [{ programNumber: "1", horse: "FK Runner" }],
    });
    const entry = await db.exclusive(() =>
      prismaOf(db).entry.findFirstOrThrow({ where: { horse: { name: "FK Runner" } } }),
    );
    raceId = entry.raceId;
    entryId = entry.id;
  });

  async function prismaError(work: () => Promise<unknown>): Promise<Prisma.PrismaClientKnownRequestError> {
    const error = await db.exclusive(work).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    return error as Prisma.PrismaClientKnownRequestError;
  }

  it("rejects an entry for an unknown race (P2003)", async () => {
    const horse = await db.exclusive(() => prismaOf(db).horse.create({ data: { name: "Orphan" } }));
    const error = await prismaError(() =>
      prismaOf(db).entry.create({ data: { raceId: 9_999, horseId: horse.id, programNumber: "1" } }),
    );
    expect(error.code).toBe("P2003");
    expect(error.message).toMatch(/foreign key/i);
    expect(await db.exclusive(() => prismaOf(db).entry.count({ where: { raceId: 9_999 } }))).toBe(0);
  });

  it("rejects odds for an unknown entry (P2003, and on the raw connection)", async () => {
    const error = await prismaError(() =>
      prismaOf(db).oddsSnapshot.create({
        data: { raceId, entryId: 9_999, fetchedAt: new Date(), winOdds: 2 },
      }),
    );
    expect(error.code).toBe("P2003");
    expect(() =>
      connectionOf(db)
        .prepare(
          `INSERT INTO odds_snapshot (race_id, entry_id, fetched_at, win_odds) VALUES (?, 9999, '2025-01-01', 2)`,
        )
        .run(raceId),
    ).toThrow(
      expect.objectContaining({
        code: "SQLITE_CONSTRAINT_FOREIGNKEY",
        message: expect.stringMatching(/FOREIGN KEY constraint failed/),
      }),
    );
    expect(
      connectionOf(db).prepare(`SELECT count(*) AS n FROM odds_snapshot WHERE entry_id = 9999`).get(),
    ).toEqual({
      n: 0,
    });
  });

  it("rejects exacta rows and races for unknown parents", async () => {
    expect(
      (
        await prismaError(() =>
          prismaOf(db).exactaProbable.create({
            data: { raceId: 9_999, fetchedAt: new Date(), firstHorse: "1", secondHorse: "2", payout: 10 },
          }),
        )
      ).code,
    ).toBe("P2003");
    expect(
      (
        await prismaError(() =>
          prismaOf(db).race.create({ data: { trackId: 9_999, raceDate: "2025-09-13", raceNumber: 1 } }),
        )
      ).code,
    ).toBe("P2003");
  });

  it("rejects deleting a track that has races (P2003) and keeps it", async () => {
    const error = await prismaError(() => prismaOf(db).track.delete({ where: { name: "FK Downs" } }));
    expect(error.code).toBe("P2003");
    expect(await db.exclusive(() => prismaOf(db).track.count({ where: { name: "FK Downs" } }))).toBe(1);
  });

  it("rejects deleting a race that has entries (P2003) and keeps it", async () => {
    const error = await prismaError(() => prismaOf(db).race.delete({ where: { id: raceId } }));
    expect(error.code).toBe("P2003");
    expect(() => connectionOf(db).prepare(`DELETE FROM race WHERE race_id = ?`).run(raceId)).toThrow(
      /FOREIGN KEY constraint failed/,
    );
    expect(await db.exclusive(() => prismaOf(db).race.count({ where: { id: raceId } }))).toBe(1);
  });

  it("rejects deleting a horse or an entry that is referenced", async () => {
    const horseError = await prismaError(() => prismaOf(db).horse.delete({ where: { name: "FK Runner" } }));
    expect(horseError.code).toBe("P2003");
    await db.exclusive(() =>
      prismaOf(db).oddsSnapshot.create({ data: { raceId, entryId, fetchedAt: new Date(), winOdds: 3 } }),
    );
    const entryError = await prismaError(() => prismaOf(db).entry.delete({ where: { id: entryId } }));
    expect(entryError.code).toBe("P2003");
  });
});

describe("indices serve the latest-odds query", () => {
  const plan = (sql: string, ...params: unknown[]) =>
    (
      connectionOf(db)
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...params) as Array<{ detail: string }>
    ).map((r) => r.detail);

  it("LATEST_ODDS_SQL seeks idx_odds_entry and never scans odds_snapshot", () => {
    const details = plan(LATEST_ODDS_SQL, 1);
    expect(details.some((d) => /USING (COVERING )?INDEX idx_odds_entry/.test(d))).toBe(true);
    expect(details.some((d) => /SCAN (odds_snapshot|o\b|s\b)/.test(d))).toBe(false);
    expect(details.join("\n")).not.toMatch(/SCAN odds_snapshot/);
    // entries of the race are found by the (race_id, program_number) unique index, not a scan either
    expect(details.some((d) => /SEARCH e USING INDEX entry_race_id_program_number_key/.test(d))).toBe(true);
  });

  it("history and race lookups use their indices", () => {
    expect(
      plan(`SELECT * FROM odds_snapshot WHERE race_id = ? AND fetched_at >= ?`, 1, "2025").join("\n"),
    ).toMatch(/USING INDEX idx_odds_race_time/);
    expect(plan(`SELECT * FROM race WHERE race_date = ?`, "2025-09-13").join("\n")).toMatch(
      /USING INDEX idx_race_date/,
    );
    expect(
      plan(
        `SELECT fetched_at FROM exacta_probable WHERE race_id = ? ORDER BY fetched_at DESC LIMIT 1`,
        1,
      ).join("\n"),
    ).toMatch(/USING (COVERING )?INDEX idx_exacta_race_time/);
    expect(plan(`SELECT * FROM alert WHERE sent = 0 ORDER BY triggered_at`).join("\n")).toMatch(
      /USING INDEX idx_alert_sent/,
    );
  });
});
