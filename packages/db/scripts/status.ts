// pnpm db:status: which database, which migrations are applied, which are pending, and
// what `pnpm db:migrate` will do about a migration an earlier run left half-done, and
// whether the file's history is one this version can use (migrations a newer Totewatch
// applied, or applied ones whose migration.sql changed since: every command refuses those).
// Reads only. Exit 0 when up to date, 1 when migrations are pending, one cannot be settled,
// or the history does not match this version's migrations.
import { EXIT, runIfEntryPoint } from "@totewatch/cli-kit";
import { Command } from "commander";
import { migrationStatus, type MigrationStatus } from "../src/migration-status.js";
import { runScript, scriptSetup, withDatabaseOptions, type DatabaseOptions } from "./lib/where.js";

const WHAT_MIGRATE_DOES: Record<MigrationStatus["interrupted"][number]["state"], string> = {
  "not-applied": "none of its changes are in the file: `pnpm db:migrate` applies it again",
  "created-only":
    "it only created empty tables of its own: `pnpm db:migrate` drops them and applies it again",
  applied: "all its changes are in the file: `pnpm db:migrate` records it as applied",
  partial:
    "its changes are partly in the file: `pnpm db:migrate` cannot settle it (restore a backup, or `pnpm db:reset`)",
  unknown:
    "the schema cannot tell whether it ran (it changes no table, or it rewrites rows): check its data, then `prisma migrate resolve`",
};

async function main(args: string[]): Promise<number> {
  const program = withDatabaseOptions(
    new Command("db:status").description(
      "show the database's migrations: applied, pending, interrupted (reads only; exit 0 when up to date, 1 otherwise)",
    ),
  );
  return runScript<DatabaseOptions>(program, args, (options) => {
    const { url, file, source } = scriptSetup(options);
    console.log(`Database: ${file} (${source})`);
    const status = migrationStatus(url);
    if (!status.exists) {
      console.log(`No database yet: \`pnpm db:migrate\` creates it (${status.pending.length} migration(s)).`);
      return EXIT.failed;
    }
    const total = status.applied.length + status.pending.length;
    console.log(
      `Migrations: ${status.applied.length} of ${total} applied (latest: ${status.applied.at(-1) ?? "none"}).`,
    );
    for (const { name, state } of status.interrupted) {
      console.log(`Interrupted: ${name}: ${WHAT_MIGRATE_DOES[state]}.`);
    }
    const interrupted = new Set(status.interrupted.map((i) => i.name));
    const pending = status.pending.filter((name) => !interrupted.has(name));
    if (pending.length > 0) console.log(`Pending: ${pending.join(", ")}: \`pnpm db:migrate\` applies them.`);
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
