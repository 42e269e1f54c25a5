// The storage migration (20261202100000_compact_storage) on a populated database made by the
// version before it: test-fixtures/pre-compact-day.db.gz is a real file that version wrote (a
// simulated day, 2 tracks x 2 races, 8-10 runners, exacta grids, then `alerts run --once`:
// 916 win rows, 7,848 exacta rows, 13 alerts delivered). Every row must survive with the same
// content, instants read back as the same Date, and a kill at any moment must leave either the
// old day whole or the new day whole.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { createDb } from "./client.js";
import { migrateSqliteDatabase, migrationNames, migrationsDir, packageDir } from "./migrate.js";
import { latestExactaGrid, latestOddsForRace, listAlerts, recordWinSnapshot } from "./index.js";
import { scratchDir } from "../testing/index.js";
import { killWhileMigrating } from "../testing/kill-migration.js";

const COMPACT = "20261202100000_compact_storage";
const FIXTURE = path.join(packageDir, "test-fixtures", "pre-compact-day.db.gz");

const tempDir = () => scratchDir("totewatch-compact-");

/** The fixture day unpacked into a new folder. */
function oldDay(): string {
  const file = path.join(tempDir(), "horses.db");
  writeFileSync(file, gunzipSync(readFileSync(FIXTURE)));
  return file;
}

/**
 * An instant as a number, parsed by JavaScript (independently of the migration's julianday()):
 * the old client's "2025-09-12T16:00:00.000+00:00", SQLite's CURRENT_TIMESTAMP
 * "2025-09-12 16:00:00" (UTC), or already milliseconds. Text no parser reads stays text.
 */
function instant(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const iso = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(value) ? `${value.replace(" ", "T")}Z` : value;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? value : ms;
}

interface Contents {
  counts: Record<string, number>;
  /** sha256 over every row of every table, instants as milliseconds: equal before and after. */
  checksum: string;
  /** DATETIME values still stored as text. */
  textInstants: number;
  /** The tables and columns read: a later file is read in the earlier one's shape. */
  shape: Record<string, string[]>;
}

// Files are opened writable: a migration killed in the rollback journal (sole-use.ts) leaves a
// hot journal that only a writer may roll back, as any command's connection does on opening.
// `shape`: read only these tables and columns (the file before migrating), so a table or column a
// later migration adds (empty, or null in every row) does not count as a change to the day.
function contents(file: string, shape?: Contents["shape"]): Contents {
  const sql = new Database(file);
  try {
    const tables = (
      sql
        .prepare(
          `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
           AND name <> '_prisma_migrations' ORDER BY name`,
        )
        .all() as Array<{ name: string }>
    ).map((t) => t.name);
    const hash = createHash("sha256");
    const counts: Record<string, number> = {};
    const read: Contents["shape"] = {};
    let textInstants = 0;
    for (const table of shape ? Object.keys(shape) : tables) {
      const columns = sql.prepare(`PRAGMA table_info(${table})`).all() as Array<{
        name: string;
        type: string;
      }>;
      const instants = new Set(columns.filter((c) => c.type === "DATETIME").map((c) => c.name));
      read[table] = shape?.[table] ?? columns.map((c) => c.name);
      const rows = sql
        .prepare(`SELECT ${read[table].map((c) => `"${c}"`).join(", ")} FROM ${table} ORDER BY rowid`)
        .all() as Array<Record<string, unknown>>;
      counts[table] = rows.length;
      for (const row of rows) {
        const normal = Object.entries(row).map(([column, value]) => {
          if (!instants.has(column)) return value;
          if (typeof value === "string") textInstants++;
          return instant(value);
        });
        hash.update(`${table}:${JSON.stringify(normal)}\n`);
      }
    }
    return { counts, checksum: hash.digest("hex"), textInstants, shape: read };
  } finally {
    sql.close();
  }
}

function appliedNames(file: string): string[] {
  const sql = new Database(file);
  try {
    return (
      sql
        .prepare(
          `SELECT migration_name FROM _prisma_migrations
           WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
        )
        .all() as Array<{ migration_name: string }>
    ).map((r) => r.migration_name);
  } finally {
    sql.close();
  }
}

const exactaIndexes = (file: string) => {
  const sql = new Database(file);
  try {
    return sql.prepare(`PRAGMA index_list(exacta_probable)`).all() as Array<{ name: string; unique: number }>;
  } finally {
    sql.close();
  }
};

describe("the compact_storage migration on a populated day of the previous version", () => {
  it("converts every instant to integer milliseconds and drops the second exacta index, losing nothing", () => {
    const file = oldDay();
    const edit = new Database(file);
    // Two rows older databases can hold: a created_at from SQLite's own default (no
    // milliseconds, a space, no zone), and a nullable instant no parser can read.
    edit.prepare(`INSERT INTO horse (name) VALUES ('Default Stamp')`).run();
    edit.prepare(`UPDATE race SET off_at = 'not a time' WHERE race_id = 4`).run();
    edit.close();
    expect(appliedNames(file).at(-1)).toBe("20261202070000_entry_scratched_at");
    const before = contents(file);
    // 916 win rows and 7,848 exacta rows, each with fetched_at and created_at as text, and more.
    expect(before.counts).toMatchObject({ odds_snapshot: 916, exacta_probable: 7_848, alert: 13 });
    expect(before.textInstants).toBeGreaterThan(2 * (916 + 7_848));

    migrateSqliteDatabase(file, { quiet: true });

    const after = contents(file, before.shape);
    expect(after.counts).toEqual(before.counts);
    expect(after.checksum).toBe(before.checksum);
    expect(after.textInstants).toBe(1); // 'not a time', kept as it was
    expect(appliedNames(file)).toEqual(migrationNames());
    expect(
      exactaIndexes(file)
        .map((i) => [i.name, i.unique])
        .sort(),
    ).toEqual([["idx_exacta_race_time", 1]]);
    const sql = new Database(file);
    expect(sql.pragma("integrity_check", { simple: true })).toBe("ok");
    expect(
      sql.prepare(`SELECT typeof(created_at) AS t FROM horse WHERE name = 'Default Stamp'`).get(),
    ).toEqual({
      t: "integer",
    });
    sql.close();
  });

  it("is read by this version as the old version wrote it, and an old observation is not stored twice", async () => {
    const file = oldDay();
    const old = new Database(file);
    const newestWin = old
      .prepare(`SELECT max(fetched_at) AS at FROM odds_snapshot WHERE race_id = 1`)
      .get() as { at: string };
    const newestExacta = old
      .prepare(`SELECT max(fetched_at) AS at FROM exacta_probable WHERE race_id = 1`)
      .get() as { at: string };
    const firstAlert = old
      .prepare(`SELECT triggered_at AS at FROM alert ORDER BY triggered_at LIMIT 1`)
      .get() as {
      at: string;
    };
    const board = old
      .prepare(
        `SELECT e.program_number AS programNumber, o.win_odds AS winOdds, o.win_pool_amount AS amount,
                o.total_win_pool AS total
         FROM odds_snapshot o JOIN entry e USING (entry_id)
         WHERE o.race_id = 1 AND o.fetched_at = ? AND o.win_odds IS NOT NULL`,
      )
      .all(newestWin.at) as Array<{
      programNumber: string;
      winOdds: number;
      amount: number | null;
      total: number;
    }>;
    const race = old
      .prepare(
        `SELECT t.name AS track, r.race_date AS raceDate, r.race_number AS raceNumber
                FROM race r JOIN track t USING (track_id) WHERE r.race_id = 1`,
      )
      .get() as { track: string; raceDate: string; raceNumber: number };
    old.close();

    migrateSqliteDatabase(file, { quiet: true });
    const db = createDb({ url: file });
    try {
      const latest = await latestOddsForRace(db, 1);
      expect(latest.find((r) => r.fetchedAt)?.fetchedAt).toEqual(new Date(newestWin.at));
      expect((await latestExactaGrid(db, 1))?.fetchedAt).toEqual(new Date(newestExacta.at));
      const alerts = await listAlerts(db, { limit: 100 });
      expect(alerts).toHaveLength(13);
      expect(new Date(Math.min(...alerts.map((a) => a.triggeredAt.getTime())))).toEqual(
        new Date(firstAlert.at),
      );
      // The newest board again, as a replay of the old day's file would send it: the converted
      // instant matches the new one to the millisecond, so the UNIQUE key sees a repeat.
      const repeat = await recordWinSnapshot(db, {
        ...race,
        fetchedAt: new Date(newestWin.at),
        totalWinPool: board[0]!.total,
        runners: board.map((r) => ({
          programNumber: r.programNumber,
          winOdds: r.winOdds,
          winPoolAmount: r.amount,
        })),
      });
      expect(repeat).toEqual({ changed: false, rows: 0 });
    } finally {
      await db.close();
    }
  });

  it("refuses while another process has the file open (an older daemon would write text), changing nothing", () => {
    const file = oldDay();
    // An older version's poller: its own connection, in WAL mode as every connection sets.
    const daemon = new Database(file);
    daemon.pragma("journal_mode = WAL");
    daemon.prepare(`SELECT count(*) FROM odds_snapshot`).get();
    const before = contents(file);
    expect(() => migrateSqliteDatabase(file, { quiet: true })).toThrow(
      `${file}: migration ${COMPACT} rewrites stored rows, so it needs the database to itself, but another ` +
        "process has it open (an ingest poll or alerts run, maybe of the previous version): stop them, then " +
        `run \`totewatch db migrate --db ${file}\`; nothing was changed`,
    );
    expect(contents(file)).toEqual(before);
    expect(appliedNames(file)).not.toContain(COMPACT);
    daemon.close();

    migrateSqliteDatabase(file, { quiet: true });
    expect(appliedNames(file)).toContain(COMPACT);
    const after = new Database(file);
    // Back in WAL mode after running in the rollback journal.
    expect(after.pragma("journal_mode", { simple: true })).toBe("wal");
    after.close();
  });

  it("killed with SIGKILL at several moments: the old day whole or the new day whole, then finished", async () => {
    const file = oldDay();
    // Forty more copies of the day's exacta grids, a day apart, so converting takes long enough
    // to be killed in the middle: 7,848 x 41 = 321,768 exacta rows.
    const grow = new Database(file);
    grow.exec(`WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 40)
      INSERT INTO exacta_probable (race_id, fetched_at, first_horse, second_horse, payout, total_exacta_pool, created_at)
      SELECT race_id, strftime('%Y-%m-%dT%H:%M:%f+00:00', fetched_at, '+' || n || ' days'), first_horse,
             second_horse, payout, total_exacta_pool, created_at
      FROM exacta_probable, k`);
    grow.close();
    const before = contents(file);
    expect(before.counts.exacta_probable).toBe(321_768);

    let killedOld = 0;
    for (const delayMs of [0, 20, 100, 300, 600, 1_000, 1_500]) {
      const killed = await killWhileMigrating(file, migrationsDir, delayMs);
      const state = contents(file, before.shape);
      expect(state.counts).toEqual(before.counts);
      expect(state.checksum).toBe(before.checksum);
      const converted = appliedNames(file).includes(COMPACT);
      // Whole or absent: the old format with its two exacta indexes, or the new with one.
      expect(state.textInstants).toBe(converted ? 0 : before.textInstants);
      expect(exactaIndexes(file).length).toBe(converted ? 1 : 2);
      if (killed && !converted) killedOld++;
      if (!killed || converted) break;
    }
    expect(killedOld).toBeGreaterThan(0);
    migrateSqliteDatabase(file, { quiet: true });
    const done = contents(file, before.shape);
    expect(done.checksum).toBe(before.checksum);
    expect(done.textInstants).toBe(0);
    expect(appliedNames(file)).toEqual(migrationNames());
  }, 180_000);
});
