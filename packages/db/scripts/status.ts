// pnpm db:status: which database, which migrations are applied, which are pending, and
// what `pnpm db:migrate` will do about a migration an earlier run left half-done, and
// whether the file's history is one this version can use (migrations a newer Totewatch
// applied, or applied ones whose migration.sql changed since: every command refuses those).
// Reads only (a read-only file is read, not refused). Exit 0 when up to date, 1 when migrations
// are pending, one cannot be settled, or the history does not match this version's migrations.
// Every command it suggests names the file (`--db`): run as suggested, it acts on this database,
// not on whichever one is the default.
import { EXIT, runIfEntryPoint } from "@totewatch/cli-kit";
import { Command } from "commander";
import { dbCommand, resolveHint } from "../src/db-command.js";
import { UNKNOWN_WHY } from "../src/migration-recovery.js";
import type { MigrationStatus } from "../src/migration-status.js";
import { migrationStatus } from "../src/migrations.js";
import { runScript, scriptSetup, withDatabaseOptions, type DatabaseOptions } from "./lib/where.js";

/** What `pnpm db:migrate` will do about interrupted migration `name` of `file`. */
function whatMigrateDoes(file: string, interrupted: MigrationStatus["interrupted"][number]): string {
  const migrate = dbCommand("db:migrate", file);
  switch (interrupted.state) {
    case "not-applied":
      return `none of its changes are in the file: ${migrate} applies it again`;
    case "created-only":
      return `it only created empty tables of its own: ${migrate} drops them and applies it again`;
    case "applied":
      return `all its changes are in the file: ${migrate} records it as applied`;
    case "partial":
      return `its changes are partly in the file: ${migrate} cannot settle it (restore a backup, or ${dbCommand("db:reset", file)} to start over, deleting every row)`;
    case "unknown":
      return `${UNKNOWN_WHY[interrupted.reason]}: ${migrate} cannot settle it (${resolveHint(file, interrupted.name)})`;
  }
}

async function main(args: string[]): Promise<number> {
  const program = withDatabaseOptions(
    new Command("db:status").description(
      "show the database's migrations: applied, pending, interrupted (reads only; exit 0 when up to date, 1 otherwise)",
    ),
  );
  return runScript<DatabaseOptions>(program, args, async (options) => {
    const { url, file, source } = scriptSetup(options);
    console.log(`Database: ${file} (${source})`);
    const status = await migrationStatus(url);
    if (!status.exists) {
      console.log(
        `No database yet: ${dbCommand("db:migrate", file)} creates it (${status.pending.length} migration(s)).`,
      );
      return EXIT.failed;
    }
    const total = status.applied.length + status.pending.length;
    console.log(
      `Migrations: ${status.applied.length} of ${total} applied (latest: ${status.applied.at(-1) ?? "none"}).`,
    );
    for (const interrupted of status.interrupted) {
      console.log(`Interrupted: ${interrupted.name}: ${whatMigrateDoes(file, interrupted)}.`);
    }
    const interrupted = new Set(status.interrupted.map((i) => i.name));
    const pending = status.pending.filter((name) => !interrupted.has(name));
    if (pending.length > 0) {
      console.log(`Pending: ${pending.join(", ")}: ${dbCommand("db:migrate", file)} applies them.`);
    }
    if (status.unknown.length > 0) {
      console.log(
        `Applied but not in this version's migrations folder: ${status.unknown.join(", ")} (the database was made ` +
          "by a newer Totewatch): upgrade Totewatch; this version refuses to change the database.",
      );
    }
    if (status.changed.length > 0) {
      console.log(
        `Changed since applied: ${status.changed.join(", ")}: the migration.sql differs from the one the database ` +
          "was migrated with: restore it (`git checkout` it) or use the Totewatch version that made the database; " +
          "until then this version refuses to change the database.",
      );
    }
    if (status.pending.length === 0 && status.unknown.length === 0 && status.changed.length === 0) {
      console.log("Up to date.");
      return EXIT.ok;
    }
    return EXIT.failed;
  });
}

void runIfEntryPoint(import.meta.url, "db:status", main);
