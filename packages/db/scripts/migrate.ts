// pnpm db:migrate  -> apply pending migrations (creates the database if missing)
// pnpm db:reset    -> delete the database and migrate from nothing
// The database is the one @totewatch/config picks (DATABASE_URL, totewatch.yaml, default).
import { existsSync } from "node:fs";
import { EXIT, runIfEntryPoint } from "@totewatch/cli-kit";
import { Command } from "commander";
import { appliedMigrations, migrateDatabase, resetDatabase } from "../src/migrate.js";
import { parseOptions } from "./lib/args.js";
import { scriptSetup } from "./lib/where.js";

async function main(args: string[]): Promise<number> {
  const options = parseOptions<{ reset?: boolean }>(
    new Command("db:migrate")
      .description("apply pending migrations to the database, creating it if missing")
      .option("--reset", "delete the database first and migrate from nothing"),
    args,
  );
  if (typeof options === "number") return options;
  const setup = scriptSetup();
  if (!setup) return EXIT.usage;
  const { url, file, source } = setup;

  if (options.reset) {
    console.log(`Resetting the database at ${file} (${source}): deleting it and migrating from nothing...`);
    resetDatabase(url, { quiet: true });
  } else {
    console.log(`${existsSync(file) ? "Migrating" : "Creating"} the database at ${file} (${source})...`);
    migrateDatabase(url, { quiet: true });
  }
  const applied = appliedMigrations(file);
  console.log(
    `Done: the database at ${file} is up to date, ${applied.length} migration(s) applied (latest: ${applied.at(-1) ?? "none"}).`,
  );
  return EXIT.ok;
}

void runIfEntryPoint(import.meta.url, "db:migrate", main);
