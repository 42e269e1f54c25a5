// pnpm db:migrate  -> apply pending migrations (creates the database if missing)
// pnpm db:reset    -> delete the database and migrate from nothing
// The database is the one @totewatch/config picks (--db, DATABASE_URL, totewatch.yaml, default).
import { existsSync } from "node:fs";
import { EXIT, runIfEntryPoint } from "@totewatch/cli-kit";
import { Command } from "commander";
import { appliedMigrations, migrateDatabase, resetDatabase } from "../src/migrate.js";
import { runScript, scriptSetup, withDatabaseOptions, type DatabaseOptions } from "./lib/where.js";

async function main(args: string[]): Promise<number> {
  const program = withDatabaseOptions(
    new Command("db:migrate")
      .description(
        "apply pending migrations to the database, creating it if missing; a migration an earlier run " +
          "left half-done is settled first (applied again, or explained in one line); a database made by a " +
          "newer Totewatch, or whose applied migrations were edited since, is refused unchanged (exit 1)",
      )
      .option("--reset", "delete the database first and migrate from nothing (every row is lost)"),
  );
  return runScript<DatabaseOptions & { reset?: boolean }>(program, args, (options) => {
    const { url, file, source } = scriptSetup(options);
    const existed = !options.reset && existsSync(file);
    const before = existed ? appliedBefore(file) : 0;
    if (options.reset) {
      console.log(`Resetting the database at ${file} (${source}): deleting it and migrating from nothing...`);
      resetDatabase(url, { quiet: true, onNote: (line) => console.log(line) });
    } else {
      console.log(`${existed ? "Migrating" : "Creating"} the database at ${file} (${source})...`);
      migrateDatabase(url, { quiet: true, onNote: (line) => console.log(line) });
    }
    const applied = appliedMigrations(file);
    // What this run applied, not every migration the file has ever had.
    const now = applied.length - before;
    console.log(
      `Done: the database at ${file} is up to date (${applied.length} migration(s), latest ` +
        `${applied.at(-1) ?? "none"}); ${now === 0 ? "nothing to apply" : `${now} applied now`}.`,
    );
    return EXIT.ok;
  });
}

/** Migrations the file had before this run; 0 when it cannot be read (migrating says why, in one line). */
function appliedBefore(file: string): number {
  try {
    return appliedMigrations(file).length;
  } catch {
    return 0;
  }
}

void runIfEntryPoint(import.meta.url, "db:migrate", main);
