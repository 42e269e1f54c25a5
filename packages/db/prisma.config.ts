import path from "node:path";
import { databaseUrlFromEnvironment, loadConfig } from "@totewatch/config";
import { defineConfig } from "prisma/config";
import { databasePathFromUrl, ensureDatabaseDir } from "./src/database-url.js";
import { MigrationAdapterFactory } from "./src/migrate-adapter.js";

// Prisma's native engines cannot be downloaded here (nor behind many
// firewalls): migrate runs on the WASM schema engine over better-sqlite3.
export default defineConfig({
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  experimental: { adapter: true },
  engine: "js",
  adapter: async () => {
    // runPrisma (db:migrate:dev) names the file in DATABASE_URL: then no config file is read
    // (the script may have been given another --config). Migrations are applied by
    // migrateDatabase, not through this file. Run by hand (`pnpm exec prisma migrate
    // status`), the database is the one every command uses: DATABASE_URL, then
    // totewatch.yaml, then the default. Decided here, not above: `prisma generate` needs none.
    const file = databasePathFromUrl(databaseUrlFromEnvironment() ?? loadConfig().database.url);
    ensureDatabaseDir(file);
    return new MigrationAdapterFactory({ url: `file:${file}` });
  },
});
