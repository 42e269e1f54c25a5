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

  it("finds the one shipped migration that converts rows (compact_storage) and no other", () => {
    const writing = readdirSync(migrations)
      .filter((name) => /^\d/.test(name))
      .filter((folder) => writesRows(readFileSync(path.join(migrations, folder, "migration.sql"), "utf8")));
    expect(writing).toEqual(["20261202100000_compact_storage"]);
  });
});
