// pnpm db:schema:pg [--check]: writes prisma/postgres/schema.prisma, the PostgreSQL twin of the
// hand-edited prisma/schema.prisma (src/postgres-schema.ts says what differs). With --check it
// writes nothing and exits 1 when the committed twin is not what schema.prisma derives (CI).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { EXIT, runIfEntryPoint } from "@totewatch/cli-kit";
import { Command } from "commander";
import { packageDir } from "../src/migrate.js";
import { derivePostgresSchema, POSTGRES_SCHEMA_PATH } from "../src/postgres-schema.js";

async function main(args: string[]): Promise<number> {
  const { check } = new Command("db:schema:pg")
    .description("derive prisma/postgres/schema.prisma from prisma/schema.prisma")
    .option("--check", "write nothing; exit 1 when the derived schema is out of date")
    .parse(args, { from: "user" })
    .opts<{ check?: boolean }>();
  const target = path.join(packageDir, POSTGRES_SCHEMA_PATH);
  const derived = derivePostgresSchema(readFileSync(path.join(packageDir, "prisma/schema.prisma"), "utf8"));
  const current = existsSync(target) ? readFileSync(target, "utf8") : null;
  if (check) {
    if (current === derived) {
      console.log(`${POSTGRES_SCHEMA_PATH} is up to date`);
      return EXIT.ok;
    }
    console.error(
      `${POSTGRES_SCHEMA_PATH} is ${current === null ? "missing" : "out of date"}: ` +
        "prisma/schema.prisma changed; run `pnpm db:schema:pg` and commit the result",
    );
    return EXIT.failed;
  }
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, derived);
  console.log(current === derived ? `${POSTGRES_SCHEMA_PATH}: unchanged` : `wrote ${POSTGRES_SCHEMA_PATH}`);
  return EXIT.ok;
}

void runIfEntryPoint(import.meta.url, "db:schema:pg", main);
