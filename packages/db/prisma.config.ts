import path from "node:path";
import { loadConfig } from "@totewatch/config";
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
    // The database every command uses, decided by @totewatch/config (DATABASE_URL,
    // then totewatch.yaml, then the default); migrateDatabase sets DATABASE_URL
    // for its child. Loaded here, not above: `prisma generate` needs no database.
    const file = databasePathFromUrl(loadConfig().database.url);
    ensureDatabaseDir(file);
    return new MigrationAdapterFactory({ url: `file:${file}` });
  },
});
