import { describe, expect, it } from "vitest";
import { missingTwins, postgresDiff } from "./pg-migration-twin.js";

const BEFORE = `datasource db {
  provider = "postgresql"
  url      = "postgresql://127.0.0.1/totewatch"
}

model Cursor {
  name     String @id
  position BigInt @default(0)

  @@map("cursor")
}
`;

describe("the PostgreSQL twin of a migration", () => {
  it("is Prisma's offline diff between the derived schemas: SQL only, none of the CLI's notes", () => {
    const after = BEFORE.replace(
      "position BigInt @default(0)",
      "position BigInt @default(0)\n  note     String?",
    );
    expect(postgresDiff(BEFORE, after)).toBe(
      '-- AlterTable\nALTER TABLE "cursor" ADD COLUMN     "note" TEXT;\n\n',
    );
    expect(postgresDiff(BEFORE, BEFORE).trim()).toBe("-- This is an empty migration.");
  });

  it("is missing for no migration of this version: both folders are in step", () => {
    expect(missingTwins()).toEqual([]);
  });
});
