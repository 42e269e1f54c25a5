// pnpm db:migrate  -> apply pending migrations (creates the database if missing)
// pnpm db:reset    -> delete the database and migrate from nothing
// The database is the one @totewatch/config picks (--db, DATABASE_URL, totewatch.yaml, default).
import { EXIT, runIfEntryPoint } from "@totewatch/cli-kit";
import { Command } from "commander";
import { migrateDatabase, migrationStatus, resetDatabase } from "../src/migrations.js";
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
  return runScript<DatabaseOptions & { reset?: boolean }>(program, args, async (options) => {
    const { url, file, source } = scriptSetup(options);
    const before = options.reset ? null : await statusBefore(url);
    const existed = before?.exists === true;
    if (options.reset) {
      console.log(`Resetting the database at ${file} (${source}): emptying it and migrating from nothing...`);
      await resetDatabase(url, { quiet: true, onNote: (line) => console.log(line) });
    } else {
      console.log(`${existed ? "Migrating" : "Creating"} the database at ${file} (${source})...`);
      await migrateDatabase(url, { quiet: true, onNote: (line) => console.log(line) });
    }
    const { applied } = await migrationStatus(url);
    // What this run applied, not every migration the file has ever had.
    const now = applied.length - (before?.applied.length ?? 0);
    console.log(
      `Done: the database at ${file} is up to date (${applied.length} migration(s), latest ` +
        `${applied.at(-1) ?? "none"}); ${now === 0 ? "nothing to apply" : `${now} applied now`}.`,
    );
    return EXIT.ok;
  });
}

/** The database's migrations before this run; null when they cannot be read (migrating says why, in one line). */
async function statusBefore(url: string): Promise<{ exists: boolean; applied: string[] } | null> {
  try {
    return await migrationStatus(url);
  } catch {
    return null;
  }
}

void runIfEntryPoint(import.meta.url, "db:migrate", main);
