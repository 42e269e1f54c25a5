import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { derivePostgresSchema, POSTGRES_SCHEMA_PATH } from "./postgres-schema.js";

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
  it("changes the provider, the client folder and each DateTime's column type, and nothing else", () => {
    const derived = derivePostgresSchema(SMALL);
    expect(derived).toContain('provider = "postgresql"');
    expect(derived).toContain('output   = "../../src/generated/postgres"');
    expect(derived).toContain('url      = "postgresql://127.0.0.1/totewatch"');
    expect(derived).toContain(
      '  postTime  DateTime? @map("post_time") @db.Timestamptz(3) // local post time, as UTC',
    );
    expect(derived).toContain('  createdAt DateTime  @default(now()) @map("created_at") @db.Timestamptz(3)');
    expect(derived).toContain("  note      String?   // DateTime in a comment is not a field");
    // Everything else line for line: the SQL names (@map, @@map) are the same on both engines.
    const body = derived.split("\n").slice(3);
    const changed = body.filter((line, i) => line !== SMALL.split("\n")[i]);
    expect(changed).toHaveLength(5);
  });

  it("refuses a schema it cannot derive, saying why", () => {
    expect(() => derivePostgresSchema(SMALL.replace('"sqlite"', '"mysql"'))).toThrow(
      'expected one provider = "sqlite", found 0',
    );
    expect(() =>
      derivePostgresSchema(SMALL.replace("DateTime  @default(now())", "DateTime @db.Date @default(now())")),
    ).toThrow("line 14: a DateTime with its own @db type cannot be derived");
  });

  it("the committed prisma/postgres/schema.prisma is derived from prisma/schema.prisma as it is now", () => {
    // What CI's `pnpm db:schema:pg --check` checks: edit schema.prisma, then run pnpm db:schema:pg.
    expect(read(POSTGRES_SCHEMA_PATH)).toBe(derivePostgresSchema(read("prisma/schema.prisma")));
  });
});
