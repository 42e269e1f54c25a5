import { describe, expect, it } from "vitest";
import { pgText } from "./pg-text.js";

describe("pgText", () => {
  it("numbers ? placeholders in order, leaving quoted text, identifiers, comments and $$ bodies alone", () => {
    expect(pgText(`SELECT '?' AS "a?", x FROM t WHERE a = ? AND b = ? -- c = ?\n AND d = ?`)).toEqual({
      text: `SELECT '?' AS "a?", x FROM t WHERE a = $1 AND b = $2 -- c = ?\n AND d = $3`,
      names: null,
      count: 3,
      writes: false,
    });
    expect(pgText(`SELECT 'it''s ?' , ? /* ? */`).text).toBe(`SELECT 'it''s ?' , $1 /* ? */`);
    expect(pgText(`DO $$ BEGIN PERFORM ?; END $$; SELECT ?`).text).toBe(
      `DO $$ BEGIN PERFORM ?; END $$; SELECT $1`,
    );
  });

  it("gives each @name one number, however often it is used", () => {
    expect(
      pgText(`UPDATE t SET a = coalesce(@code, a), n = @now WHERE a IS DISTINCT FROM coalesce(@code, a)`),
    ).toEqual({
      text: `UPDATE t SET a = coalesce($1, a), n = $2 WHERE a IS DISTINCT FROM coalesce($1, a)`,
      names: ["code", "now"],
      count: 2,
      writes: true,
    });
  });

  it("drops SQLite's INDEXED BY and NOT INDEXED hints, and nothing that only looks like one", () => {
    expect(pgText(`SELECT 1 FROM odds_snapshot s INDEXED BY idx_odds_entry WHERE s.x = ?`).text).toBe(
      `SELECT 1 FROM odds_snapshot s  WHERE s.x = $1`,
    );
    expect(pgText(`SELECT 1 FROM entry NOT INDEXED WHERE y = 2`).text).toBe(
      `SELECT 1 FROM entry  WHERE y = 2`,
    );
    expect(pgText(`SELECT reINDEXED BY_x, 'INDEXED BY y' FROM t`).text).toBe(
      `SELECT reINDEXED BY_x, 'INDEXED BY y' FROM t`,
    );
  });

  it("refuses text that mixes ? and @name", () => {
    expect(() => pgText(`SELECT ? , @a`)).toThrow("query mixes ? and @name placeholders");
  });
});
