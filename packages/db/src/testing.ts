import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createDb, type Db } from "./client.js";
import { migrateDatabase, migrationsFingerprint, publishFile } from "./migrate.js";

/**
 * A database file migrated by the real migrations (`prisma migrate deploy`),
 * made once per migrations fingerprint and copied for each test, so every
 * test file gets its own fresh database in milliseconds.
 */
export function migratedTemplate(): string {
  const template = path.join(os.tmpdir(), `totewatch-template-${migrationsFingerprint()}.db`);
  if (!existsSync(template)) {
    const scratch = path.join(mkdtempSync(path.join(os.tmpdir(), "totewatch-mig-")), "t.db");
    migrateDatabase(scratch, { quiet: true });
    publishFile(scratch, template);
  }
  return template;
}

const scratchDirs: string[] = [];
// Test databases are scratch files: remove them when the test process ends.
process.once("exit", () => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

/** Path of a new, migrated database file in its own temp folder (removed when the process exits). */
export function freshDatabaseFile(label = "test"): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `totewatch-${label}-`));
  scratchDirs.push(dir);
  const file = path.join(dir, "horses.db");
  copyFileSync(migratedTemplate(), file);
  return file;
}

/** A client on a new, migrated database file. */
export function createTestDb(label?: string): Db {
  return createDb({ url: freshDatabaseFile(label) });
}
