import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { derivePostgresSchema, PG_NOW_MS, POSTGRES_SCHEMA_PATH } from "./postgres-schema.js";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const read = (file: string) => readFileSync(path.join(packageDir, file), "utf8");

const SMALL = `generator client {
  provider = "prisma-client"
  output   = "../src/generated/prisma"
}

datasource db {
  provider = "sqlite"
  url      = "file:../../../data/horses.db"
}

model Race {
  id        Int       @id @default(autoincrement()) @map("race_id")
  postTime  DateTime? @map("post_time") // local post time, as UTC
  createdAt DateTime  @default(now()) @map("created_at")
  note      String?   // DateTime in a comment is not a field

  @@map("race")
}
`;

describe("derivePostgresSchema", () => {
  it("changes the provider, the client folder, instants to BIGINT milliseconds, and nothing else", () => {
    const derived = derivePostgresSchema(SMALL);
    expect(derived).toContain('provider = "postgresql"');
    expect(derived).toContain('output   = "../../src/generated/postgres"');
    expect(derived).toContain('url      = "postgresql://127.0.0.1/totewatch"');
    // Instants are the same integer milliseconds SQLite stores; now() is the server's, in ms.
    expect(derived).toContain('  postTime  BigInt? @map("post_time") // local post time, as UTC');
    expect(derived).toContain(`  createdAt BigInt @default(dbgenerated("${PG_NOW_MS}")) @map("created_at")`);
    expect(derived).toContain("  note      String?   // DateTime in a comment is not a field");
    // A race id stays INTEGER: only the snapshot tables' ids and the cursors over them grow to BIGINT.
    expect(derived).toContain('  id        Int       @id @default(autoincrement()) @map("race_id")');
    // Everything else line for line: the SQL names (@map, @@map) are the same on both engines.
    const body = derived.split("\n").slice(3);
    const changed = body.filter((line, i) => line !== SMALL.split("\n")[i]);
    expect(changed).toHaveLength(5);
  });

  it("gives the snapshot tables BIGINT ids, BIGINT cursors and a BRIN index on fetched_at", () => {
    const derived = derivePostgresSchema(read("prisma/schema.prisma"));
    expect(derived).toContain('  id             BigInt @id @default(autoincrement()) @map("snapshot_id")');
    expect(derived).toContain('  id              BigInt @id @default(autoincrement()) @map("exacta_id")');
    expect(derived).toContain("  position  BigInt @default(0)");
    expect(derived).toContain('  @@index([fetchedAt], map: "brin_odds_fetched_at", type: Brin)');
    expect(derived).toContain('  @@index([fetchedAt], map: "brin_exacta_fetched_at", type: Brin)');
    expect(derived).not.toMatch(/^\s+\w+\s+DateTime/m);
    expect(derived).not.toContain("@updatedAt");
  });

  it("refuses a schema it cannot derive, saying why", () => {
    expect(() => derivePostgresSchema(SMALL.replace('"sqlite"', '"mysql"'))).toThrow(
      'expected one provider = "sqlite", found 0',
    );
    expect(() =>
      derivePostgresSchema(SMALL.replace("DateTime  @default(now())", "DateTime @db.Date @default(now())")),
    ).toThrow("schema.prisma line 14: a field with its own @db type cannot be derived");
  });

  it("the committed prisma/postgres/schema.prisma is derived from prisma/schema.prisma as it is now", () => {
    // What CI's `pnpm db:schema:pg --check` checks: edit schema.prisma, then run pnpm db:schema:pg.
    expect(read(POSTGRES_SCHEMA_PATH)).toBe(derivePostgresSchema(read("prisma/schema.prisma")));
  });
});
