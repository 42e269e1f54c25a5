import { describe, expect, it } from "vitest";
import { insertShape, unnestInsert } from "./pg-unnest.js";

const ODDS = `INSERT INTO odds_snapshot (race_id, entry_id, fetched_at, win_odds)
       VALUES (?, ?, ?, ?) ON CONFLICT (entry_id, fetched_at) DO NOTHING`;
const ODDS_TYPES = new Map([
  ["race_id", "integer"],
  ["entry_id", "integer"],
  ["fetched_at", "bigint"],
  ["win_odds", "double precision"],
]);

describe("insertShape", () => {
  it("reads a single-row insert's table, columns, ON CONFLICT tail and conflict target", () => {
    expect(insertShape(ODDS)).toEqual({
      table: "odds_snapshot",
      columns: ["race_id", "entry_id", "fetched_at", "win_odds"],
      tail: " ON CONFLICT (entry_id, fetched_at) DO NOTHING",
      conflictKeys: ["entry_id", "fetched_at"],
    });
    expect(insertShape(`INSERT INTO t (a) VALUES (?)`)).toEqual({
      table: "t",
      columns: ["a"],
      tail: "",
      conflictKeys: null,
    });
    // No target, or a target that is not a plain list of inserted columns: ON CONFLICT is kept as written.
    expect(insertShape(`INSERT INTO t (a) VALUES (?) ON CONFLICT DO NOTHING`)?.conflictKeys).toBeNull();
    expect(insertShape(`INSERT INTO t (a) VALUES (?) ON CONFLICT (b) DO NOTHING`)?.conflictKeys).toBeNull();
    expect(
      insertShape(`INSERT INTO t (a) VALUES (?) ON CONFLICT (lower(a)) DO NOTHING`)?.conflictKeys,
    ).toBeNull();
  });

  it("is null for what cannot be sent that way", () => {
    expect(insertShape(`UPDATE t SET a = ?`)).toBeNull();
    expect(
      insertShape(`INSERT INTO t (a) VALUES (?) ON CONFLICT (a) DO UPDATE SET a = excluded.a`),
    ).toBeNull();
    expect(insertShape(`INSERT INTO t (a, b) VALUES (?, 7)`)).toBeNull();
    expect(insertShape(`INSERT INTO t (a, b) VALUES (?)`)).toBeNull();
    expect(insertShape(`INSERT INTO t (a) VALUES (?) RETURNING a`)).toBeNull();
  });
});

describe("unnestInsert", () => {
  const shape = insertShape(ODDS)!;
  const grid = insertShape(
    `INSERT INTO exacta_probable (race_id, fetched_at, first_horse, second_horse, payout)
     VALUES (?, ?, ?, ?, ?) ON CONFLICT (race_id, fetched_at, first_horse, second_horse) DO NOTHING`,
  )!;
  const GRID_TYPES = new Map([
    ["race_id", "integer"],
    ["fetched_at", "bigint"],
    ["first_horse", "text"],
    ["second_horse", "text"],
    ["payout", "double precision"],
  ]);
  // An exacta grid: one race and instant, a row per combination.
  const combinations = [
    [7, 1000, "1", "2", 12.4],
    [7, 1000, "2", "1", 15.2],
  ];
  // A win snapshot: one race and instant, a row per runner.
  const rows = [
    [7, 70, 1000, 2.5],
    [7, 71, 1000, 4],
  ];

  it("sends a constant column once as a scalar and the others as arrays, in the rows' order", () => {
    expect(unnestInsert(shape, ODDS_TYPES, rows, { serialized: false })).toEqual({
      text:
        "INSERT INTO odds_snapshot (race_id, entry_id, fetched_at, win_odds) " +
        "SELECT $1::integer, u.entry_id, $3::bigint, u.win_odds " +
        "FROM unnest($2::integer[], $4::double precision[]) WITH ORDINALITY AS u(entry_id, win_odds, row_order) " +
        "ORDER BY u.row_order ON CONFLICT (entry_id, fetched_at) DO NOTHING",
      values: [7, "{70,71}", 1000, "{2.5,4}"],
    });
  });

  it("writes an array column as a literal: strings quoted and escaped, nulls as NULL", () => {
    const shape = insertShape(`INSERT INTO t (name, n) VALUES (?, ?)`)!;
    const types = new Map([
      ["name", "text"],
      ["n", "bigint"],
    ]);
    const rows = [
      ['say "hi"', 1],
      ["back\\slash, {brace}", null],
      [null, 12345678901234567n],
      ["NULL", -0.5],
    ];
    expect(unnestInsert(shape, types, rows, { serialized: false }).values).toEqual([
      '{"say \\"hi\\"","back\\\\slash, {brace}",NULL,"NULL"}',
      "{1,NULL,12345678901234567,-0.5}",
    ]);
  });

  it("keeps ON CONFLICT under the writers' lock when the rows share no leading key column", () => {
    // A win snapshot's key leads with the runner: a look-up per row would cost more than ON CONFLICT.
    expect(unnestInsert(shape, ODDS_TYPES, rows, { serialized: true }).text).toMatch(
      / ORDER BY u\.row_order ON CONFLICT \(entry_id, fetched_at\) DO NOTHING$/,
    );
  });

  it("checks the key's leading columns every row shares once, then each row only if need be", () => {
    expect(unnestInsert(grid, GRID_TYPES, combinations, { serialized: true }).text).toBe(
      "INSERT INTO exacta_probable (race_id, fetched_at, first_horse, second_horse, payout) " +
        "SELECT $1::integer, $2::bigint, u.first_horse, u.second_horse, u.payout " +
        "FROM unnest($3::text[], $4::text[], $5::double precision[]) WITH ORDINALITY AS u(first_horse, second_horse, payout, row_order) " +
        "WHERE NOT EXISTS (SELECT 1 FROM exacta_probable existing " +
        "WHERE existing.race_id = $1::integer AND existing.fetched_at = $2::bigint OFFSET 0) " +
        "OR NOT EXISTS (SELECT 1 FROM exacta_probable existing WHERE existing.race_id = $1::integer AND " +
        "existing.fetched_at = $2::bigint AND existing.first_horse = u.first_horse AND existing.second_horse = u.second_horse OFFSET 0) " +
        "ORDER BY u.row_order",
    );
  });

  it("keeps ON CONFLICT when rows repeat a key among themselves (NOT EXISTS would fail on the repeat)", () => {
    const repeated = [...combinations, [7, 1000, "1", "2", 13]];
    expect(unnestInsert(grid, GRID_TYPES, repeated, { serialized: true }).text).toMatch(
      / ORDER BY u\.row_order ON CONFLICT \(race_id, fetched_at, first_horse, second_horse\) DO NOTHING$/,
    );
    // The reverse combination is no repeat; a null in the key never conflicts.
    const distinct = [...combinations, [7, 1000, "3", null, 20], [7, 1000, "3", null, 21]];
    expect(unnestInsert(grid, GRID_TYPES, distinct, { serialized: true }).text).toContain("WHERE NOT EXISTS");
  });

  it("sends one row as scalars alone (with ON CONFLICT: nothing to share), and names a column the table lacks", () => {
    expect(unnestInsert(shape, ODDS_TYPES, [rows[0]!], { serialized: true })).toEqual({
      text:
        "INSERT INTO odds_snapshot (race_id, entry_id, fetched_at, win_odds) " +
        "SELECT $1::integer, $2::integer, $3::bigint, $4::double precision " +
        "ON CONFLICT (entry_id, fetched_at) DO NOTHING",
      values: [7, 70, 1000, 2.5],
    });
    expect(() =>
      unnestInsert(insertShape(`INSERT INTO t (a) VALUES (?)`)!, new Map(), [[1]], { serialized: false }),
    ).toThrow("t has no column a");
    expect(() => unnestInsert(shape, ODDS_TYPES, [], { serialized: false })).toThrow(
      "an insert into odds_snapshot needs at least one row",
    );
  });
});
