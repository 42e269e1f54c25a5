// pnpm db:migrate:dev [--name <what>]: after a change to prisma/schema.prisma, write the
// migration for it and apply it to the development database (Prisma's `migrate dev`).
// Pending migrations are applied first, by migrateDatabase (one transaction each): the
// CLI's `migrate dev` fails on a database without `_prisma_migrations` or with pending ones.
// Then the PostgreSQL twin of each new migration is written (src/pg-migration-twin.ts) and
// prisma/postgres/schema.prisma derived again, so both folders stay in step.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { EXIT, runIfEntryPoint } from "@totewatch/cli-kit";
import { Command } from "commander";
import { migrateDatabase } from "../src/migrations.js";
import { packageDir } from "../src/migrate.js";
import { missingTwins, writePostgresTwin } from "../src/pg-migration-twin.js";
import { derivePostgresSchema, POSTGRES_SCHEMA_PATH } from "../src/postgres-schema.js";
import { runPrisma } from "../src/prisma-cli.js";
import { runScript, scriptSetup, withDatabaseOptions, type DatabaseOptions } from "./lib/where.js";

async function main(args: string[]): Promise<number> {
  const program = withDatabaseOptions(
    new Command("db:migrate:dev")
      .description(
        "write a migration for the changes in prisma/schema.prisma and apply it (prisma migrate dev)",
      )
      .option("--name <what>", "the new migration's name (prisma asks when it is missing)"),
  );
  return runScript<DatabaseOptions & { name?: string }>(program, args, async (options) => {
    const { url, file, source, postgres } = scriptSetup(options);
    if (postgres) {
      console.error(
        "db:migrate:dev writes migrations against a SQLite development file (--db file:./data/dev.db); " +
          "the PostgreSQL twin of each migration is derived from it",
      );
      return EXIT.usage;
    }
    console.log(`Database: ${file} (${source})`);
    await migrateDatabase(url, { quiet: true, onNote: (line) => console.log(line) });
    // The PostgreSQL schema as its migrations leave it, before schema.prisma's change is derived.
    const pgSchemaFile = path.join(packageDir, POSTGRES_SCHEMA_PATH);
    const pgBefore = readFileSync(pgSchemaFile, "utf8");
    runPrisma(["migrate", "dev", ...(options.name ? ["--name", options.name] : [])], file, { inherit: true });
    const pgAfter = derivePostgresSchema(
      readFileSync(path.join(packageDir, "prisma", "schema.prisma"), "utf8"),
    );
    for (const name of missingTwins()) {
      const folder = writePostgresTwin(name, pgBefore, pgAfter);
      console.log(`PostgreSQL twin: ${path.relative(packageDir, folder)}/migration.sql`);
    }
    writeFileSync(pgSchemaFile, pgAfter);
    return EXIT.ok;
  });
}

void runIfEntryPoint(import.meta.url, "db:migrate:dev", main);
