// pnpm db:vacuum (totewatch db vacuum): gives the free space inside the database file back to
// the disk (SQLite's VACUUM). A file keeps the pages that pruning or an upgrade freed (the
// compact_storage upgrade frees about half) for later rows; this rewrites it without them.
// Atomic: a kill leaves the old file whole. Needs up to the file's size again in free disk
// space, and holds the write lock while it runs (pollers and the alerts daemon wait).
// Migrates first, like every command.
import { existsSync } from "node:fs";
import { EXIT, runIfEntryPoint } from "@totewatch/cli-kit";
import { Command } from "commander";
import { migrateDatabase } from "../src/index.js";
import { mb, vacuumDatabase } from "../src/storage-space.js";
import { runScript, scriptSetup, withDatabaseOptions, type DatabaseOptions } from "./lib/where.js";

async function main(args: string[]): Promise<number> {
  const program = withDatabaseOptions(
    new Command("db:vacuum").description(
      "give the free space inside the database file back to the disk (rewrites the file; other commands wait)",
    ),
  );
  return runScript<DatabaseOptions>(program, args, async (options) => {
    const { url, file, source, postgres } = scriptSetup(options);
    if (postgres) {
      console.error(
        `${file} is a PostgreSQL database: its server gives space back by itself (autovacuum); ` +
          "db:vacuum rewrites SQLite files only.",
      );
      return EXIT.failed;
    }
    if (!existsSync(file)) {
      console.error(`No database at ${file} (${source}): nothing to vacuum.`);
      return EXIT.failed;
    }
    await migrateDatabase(url, { quiet: true, onNote: (line) => console.error(line) });
    console.log(`Vacuuming ${file} (${source}): rewriting it without its free pages...`);
    const { before, afterBytes, shrunk } = vacuumDatabase(url);
    if (!shrunk) {
      console.error(
        `Rewritten, but another process is reading ${file}, so the file cannot shrink yet ` +
          `(${mb(afterBytes)} on disk with its WAL): it shrinks at the next checkpoint after that ` +
          "process lets go; stop it and run this again to see it done.",
      );
      return EXIT.failed;
    }
    console.log(
      `Done: ${mb(before.fileBytes)} -> ${mb(afterBytes)} (${mb(Math.max(0, before.fileBytes - afterBytes))} given back; ` +
        `${mb(before.freeBytes)} was in free pages, the rest in pages the rows only partly filled).`,
    );
    return EXIT.ok;
  });
}

void runIfEntryPoint(import.meta.url, "db:vacuum", main);
