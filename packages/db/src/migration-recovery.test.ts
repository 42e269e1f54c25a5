import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { writesRows } from "./migration-recovery.js";

const migrations = fileURLToPath(new URL("../prisma/migrations", import.meta.url));

describe("writesRows", () => {
  it("sees a statement that changes rows, so a backfill is never judged from the schema alone", () => {
    expect(writesRows(`ALTER TABLE "race" ADD COLUMN "x" INTEGER;\nUPDATE "race" SET "x" = 1;`)).toBe(true);
    expect(writesRows(`insert into t values (1)`)).toBe(true);
    expect(writesRows(`CREATE TABLE t (a INT);\n  DELETE FROM u;`)).toBe(true);
  });

  it("is not fooled by ON DELETE / ON UPDATE clauses or comments", () => {
    expect(
      writesRows(
        `CREATE TABLE e (r INT, FOREIGN KEY (r) REFERENCES race (id) ON DELETE RESTRICT ON UPDATE CASCADE);`,
      ),
    ).toBe(false);
    expect(writesRows(`-- UPDATE nothing here\nALTER TABLE t ADD COLUMN c TEXT; /* DELETE */`)).toBe(false);
  });

  it("sees a write that starts with a common table expression (WITH ... INSERT/UPDATE/DELETE/REPLACE)", () => {
    expect(writesRows(`WITH x AS (SELECT 1 AS a) UPDATE t SET a = (SELECT a FROM x);`)).toBe(true);
    expect(
      writesRows(
        `CREATE TABLE "slow" (n INT);\nWITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 9)\nINSERT INTO "slow" SELECT i FROM c;`,
      ),
    ).toBe(true);
    expect(writesRows(`with old as (select id from t) delete from t where id in old;`)).toBe(true);
    expect(writesRows(`WITH n AS (SELECT 1) REPLACE INTO t SELECT * FROM n;`)).toBe(true);
    // A CTE that only reads (replace() is a function, not a statement) writes nothing.
    expect(writesRows(`WITH n AS (SELECT replace('a', 'a', 'b') AS v) SELECT v FROM n;`)).toBe(false);
  });

  it("sees a write after a string literal or quoted identifier holding '--', '/*' or ';'", () => {
    expect(writesRows(`ALTER TABLE t ADD COLUMN c TEXT DEFAULT '--'; UPDATE t SET c = 'x';`)).toBe(true);
    expect(writesRows(`CREATE TABLE t (a TEXT DEFAULT '--');\nUPDATE t SET a = 'x';`)).toBe(true);
    expect(writesRows(`ALTER TABLE t ADD COLUMN "x--y" TEXT;\nUPDATE t SET "x--y" = 1;`)).toBe(true);
    expect(writesRows(`CREATE TABLE t (a TEXT DEFAULT '/*');\nUPDATE t SET a = '*/';`)).toBe(true);
    expect(writesRows(`CREATE TABLE t (a TEXT DEFAULT 'it''s -- fine');\nDELETE FROM t;`)).toBe(true);
    expect(writesRows(`/* it's */ UPDATE t SET a = 1;`)).toBe(true);
  });

  it("is not fooled by a write inside a string literal or quoted identifier", () => {
    expect(writesRows(`CREATE TABLE t (a TEXT DEFAULT '; DELETE FROM u');`)).toBe(false);
    expect(writesRows(`CREATE TABLE "a;UPDATE" (x INT);`)).toBe(false);
    expect(writesRows(`CREATE TABLE [b;INSERT] (x INT); CREATE TABLE \`c;REPLACE\` (y INT);`)).toBe(false);
  });

  it("finds the one shipped migration that converts rows (compact_storage) and no other", () => {
    const writing = readdirSync(migrations)
      .filter((name) => /^\d/.test(name))
      .filter((folder) => writesRows(readFileSync(path.join(migrations, folder, "migration.sql"), "utf8")));
    expect(writing).toEqual(["20261202100000_compact_storage"]);
  });
});
