// Migrates one database file with a given migrations folder, as a separate OS process that a
// test kills at chosen moments (src/migrate-kill.int.test.ts). Prints "done" when finished.
//   node --import tsx scripts/migrate-worker.ts <db file> <migrations folder>
import { migrateSqliteDatabase } from "../src/migrate.js";

const [file, folder] = process.argv.slice(2);
if (!file || !folder) throw new Error("usage: migrate-worker.ts <db file> <migrations folder>");
migrateSqliteDatabase(file, { quiet: true, migrationsDir: folder });
process.stdout.write("done\n");
