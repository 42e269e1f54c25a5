// Whether `_prisma_migrations` matches a migrations folder, decided as Prisma's schema engine
// decides it (checksum.rs): the sha256 of migration.sql in hex, line endings aside, and the
// unpadded hex of old Prisma versions accepted.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  checksumMatches,
  historyConflicts,
  readMigrations,
  toMigration,
  type MigrationRecord,
} from "./migration-history.js";
import { migrationsDir } from "./migrate.js";

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
const script = `CREATE TABLE "a" ("x" INTEGER);\nCREATE INDEX "a_x" ON "a"("x");\n`;
const migration = toMigration("20260101000000_a", Buffer.from(script));

let ids = 0;
const record = (name: string, checksum: string, state: Partial<MigrationRecord> = {}): MigrationRecord => ({
  id: String(++ids),
  name,
  checksum,
  finished: true,
  rolledBack: false,
  ...state,
});

describe("checksumMatches", () => {
  it("matches the sha256 (hex) of the file's bytes, which is what Prisma and migrate.ts record", () => {
    expect(migration.checksum).toBe(sha256(script));
    expect(checksumMatches(migration, sha256(script))).toBe(true);
  });

  it("ignores line endings: a CRLF checkout of an LF-recorded migration matches, and back", () => {
    const crlf = script.replaceAll("\n", "\r\n");
    expect(checksumMatches(toMigration(migration.name, Buffer.from(crlf)), sha256(script))).toBe(true);
    expect(checksumMatches(migration, sha256(crlf))).toBe(true);
  });

  it("accepts the unpadded hex old Prisma versions recorded (prisma-engines#1887)", () => {
    const digest = createHash("sha256").update(script).digest();
    const unpadded = [...digest].map((byte) => byte.toString(16)).join("");
    expect(unpadded.length).toBeLessThan(64);
    expect(checksumMatches(migration, unpadded)).toBe(true);
  });

  it("refuses any other change, an empty checksum and a different case", () => {
    expect(checksumMatches(migration, sha256(`${script}-- edited\n`))).toBe(false);
    expect(checksumMatches(migration, sha256(script.replace("INTEGER", "TEXT")))).toBe(false);
    expect(checksumMatches(migration, "")).toBe(false);
    expect(checksumMatches(migration, sha256(script).toUpperCase())).toBe(false);
  });

  it("holds for every migration shipped today", () => {
    for (const shipped of readMigrations(migrationsDir)) {
      expect(checksumMatches(shipped, sha256(shipped.script))).toBe(true);
    }
  });
});

describe("historyConflicts", () => {
  const other = toMigration("20260201000000_b", Buffer.from(`ALTER TABLE "a" ADD COLUMN "y" TEXT;\n`));

  it("finds nothing in a history recorded from the same files, pending ones aside", () => {
    expect(historyConflicts([migration, other], [record(migration.name, migration.checksum)])).toEqual({
      unknown: [],
      changed: [],
    });
  });

  it("lists applied migrations the folder lacks (sorted, once), not open or rolled-back ones", () => {
    const records = [
      record(migration.name, migration.checksum),
      record("29990201000000_z", "x"),
      record("29990101000000_y", "x"),
      record("29990101000000_y", "x"),
      record("29990301000000_open", "x", { finished: false }),
      record("29990401000000_back", "x", { finished: false, rolledBack: true }),
    ];
    expect(historyConflicts([migration], records).unknown).toEqual(["29990101000000_y", "29990201000000_z"]);
  });

  it("lists applied migrations recorded from another migration.sql, oldest first, not rolled-back attempts", () => {
    const records = [
      record(other.name, sha256("something else")),
      record(migration.name, sha256("before the edit")),
      record(migration.name, sha256("a rolled-back try"), { rolledBack: true }),
      record(other.name, sha256("an open try"), { finished: false }),
    ];
    expect(historyConflicts([migration, other], records).changed).toEqual([migration.name, other.name]);
    expect(historyConflicts([migration], [records[2]!, records[3]!]).changed).toEqual([]);
  });
});
