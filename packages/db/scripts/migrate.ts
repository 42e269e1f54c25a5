// pnpm db:migrate  -> apply pending migrations (creates the database if missing)
// pnpm db:reset    -> delete the database and migrate from nothing
import { existsSync } from "node:fs";
import { createDb, migrateDatabase, resetDatabase } from "../src/index.js";
import { databaseChoice } from "./lib/where.js";
import { scriptOptions } from "./lib/args.js";

const values = scriptOptions({ reset: { type: "boolean", default: false } });
const { file, source } = databaseChoice();
const existed = existsSync(file);

if (values.reset) {
  console.log(`Resetting the database at ${file} (${source}): deleting it and migrating from nothing...`);
  resetDatabase(file, { quiet: true });
} else {
  console.log(`${existed ? "Migrating" : "Creating"} the database at ${file} (${source})...`);
  migrateDatabase(file, { quiet: true });
}

const db = createDb({ url: file });
try {
  const applied = await db.exclusive(
    () =>
      db.sql
        .prepare(
          `SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL
           ORDER BY migration_name`,
        )
        .all() as Array<{ migration_name: string }>,
  );
  const latest = applied.at(-1)?.migration_name ?? "none";
  console.log(
    `Done: the database at ${file} is up to date, ${applied.length} migration(s) applied (latest: ${latest}).`,
  );
} finally {
  await db.close();
}
