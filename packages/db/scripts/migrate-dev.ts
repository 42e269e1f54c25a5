// pnpm db:migrate:dev [--name <what>]: after a change to prisma/schema.prisma, write the
// migration for it and apply it to the development database (Prisma's `migrate dev`).
// Pending migrations are applied first, by migrateDatabase (one transaction each): the
// CLI's `migrate dev` fails on a database without `_prisma_migrations` or with pending ones.
import { EXIT, runIfEntryPoint } from "@totewatch/cli-kit";
import { Command } from "commander";
import { migrateDatabase } from "../src/migrate.js";
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
  return runScript<DatabaseOptions & { name?: string }>(program, args, (options) => {
    const { url, file, source } = scriptSetup(options);
    console.log(`Database: ${file} (${source})`);
    migrateDatabase(url, { quiet: true, onNote: (line) => console.log(line) });
    runPrisma(["migrate", "dev", ...(options.name ? ["--name", options.name] : [])], file, { inherit: true });
    return EXIT.ok;
  });
}

void runIfEntryPoint(import.meta.url, "db:migrate:dev", main);
