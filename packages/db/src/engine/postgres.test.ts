import { describe, expect, it } from "vitest";
import { writesData } from "./pg-text.js";
import { poolSettings, ROW_TYPES } from "./postgres.js";

describe("poolSettings", () => {
  it("gives pg discrete settings, never a connectionString that could override the database (POSTGRES.md fix 2)", () => {
    expect(poolSettings("postgresql://tw:p%40ss%3Aw%2Frd@db.example:5433/totewatch")).toEqual({
      host: "db.example",
      port: 5433,
      user: "tw",
      password: "p@ss:w/rd",
      database: "totewatch",
    });
    expect(poolSettings("postgres://127.0.0.1/tw")).toEqual({
      host: "127.0.0.1",
      port: 5432,
      user: undefined,
      password: undefined,
      database: "tw",
    });
  });

  it("takes an IPv6 address without its brackets", () => {
    expect(poolSettings("postgresql://tw@[::1]:5433/totewatch")).toMatchObject({ host: "::1", port: 5433 });
  });

  it("reads a socket folder (?host=) and sslmode as libpq does", () => {
    expect(poolSettings("postgresql:///tw?host=/run/postgresql")).toMatchObject({
      host: "/run/postgresql",
      database: "tw",
    });
    expect(poolSettings("postgresql://h/tw?sslmode=require").ssl).toEqual({ rejectUnauthorized: false });
    expect(poolSettings("postgresql://h/tw?sslmode=verify-full").ssl).toBe(true);
    expect(poolSettings("postgresql://h/tw").ssl).toBeUndefined();
  });
});

describe("ROW_TYPES", () => {
  it("reads BIGINT and NUMERIC as numbers and BOOLEAN as 0/1, as SQLite returns them", () => {
    const parse = (oid: number, text: string) =>
      (ROW_TYPES.getTypeParser(oid, "text") as (t: string) => unknown)(text);
    expect(parse(20, "1733155200000")).toBe(1733155200000); // int8: an instant in ms
    expect(parse(1700, "12345.50")).toBe(12345.5); // numeric: sum() of integers
    expect(parse(16, "t")).toBe(1);
    expect(parse(16, "f")).toBe(0);
    expect(parse(701, "2.5")).toBe(2.5); // float8, pg's own parser
    expect(parse(25, "SCR")).toBe("SCR");
  });
});

describe("writesData", () => {
  it("counts as a write anything but a plain SELECT (a commit after one that changed a row notifies)", () => {
    for (const read of [
      "SELECT 1",
      "  select position FROM cursor WHERE name = ?",
      "SELECT * FROM t ORDER BY forward",
    ]) {
      expect(writesData(read)).toBe(false);
    }
    for (const write of [
      "INSERT INTO t (a) VALUES (?)",
      "update t set a = 1",
      "DELETE FROM t",
      "WITH x AS (DELETE FROM t RETURNING a) SELECT count(*) FROM x",
      "-- a comment first\nUPDATE t SET a = 1",
      "SELECT a FROM t WHERE b = ? FOR UPDATE",
      "SELECT a FROM t FOR NO KEY UPDATE SKIP LOCKED",
      "SELECT a FROM t FOR KEY SHARE",
      "TRUNCATE t",
    ]) {
      expect(writesData(write)).toBe(true);
    }
  });
});
