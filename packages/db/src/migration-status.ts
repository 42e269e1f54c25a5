/**
 * Where a database file stands against the migrations folder, read without
 * changing anything (`db:status`): applied, pending, and any migration
 * recorded as started but not finished with what `migrateDatabase` will do
 * about it (migration-recovery.ts decides both), and what of the file's
 * history this version cannot account for (migration-history.ts decides it,
 * the same way migrateDatabase does before it refuses the file). Reads only:
 * a read-only file is read (opened read-only), not refused as by commands
 * that write.
 */
import { existsSync, statSync } from "node:fs";
import { canWriteDatabase, openDatabaseFile, prepareDatabaseFile, withFileErrors } from "./database-file.js";
import { databasePathFromUrl } from "./database-url.js";
import { historyConflicts, isApplied, isOpen, readMigrations, readRecords } from "./migration-history.js";
import {
  interruptedState,
  readSchema,
  type InterruptedState,
  type UnknownReason,
} from "./migration-recovery.js";
import { migrationsDir } from "./migrate.js";

export interface MigrationStatus {
  /** The database file (absolute). */
  file: string;
  /** False when there is no file yet (or an empty one): `migrateDatabase` creates the schema. */
  exists: boolean;
  /** Migrations of the folder recorded as applied, oldest first. */
  applied: string[];
  /** Migrations of the folder not applied yet (interrupted ones included), oldest first. */
  pending: string[];
  /** Migrations recorded as started but not finished, and what the schema shows of them (and, for "unknown", why not). */
  interrupted: Array<
    | { name: string; state: Exclude<InterruptedState["kind"], "unknown"> }
    | { name: string; state: "unknown"; reason: UnknownReason }
  >;
  /** Migrations the file records as applied that this version's folder does not have (a newer Totewatch's), sorted. */
  unknown: string[];
  /** Migrations of the folder the file records as applied from a different migration.sql, oldest first. */
  changed: string[];
}

/** Reads the state of the database `url` names; throws DatabaseFileError for a file that cannot be a database. */
export function sqliteMigrationStatus(url: string, dir = migrationsDir): MigrationStatus {
  const file = databasePathFromUrl(url);
  const migrations = readMigrations(dir);
  const names = migrations.map((m) => m.name);
  prepareDatabaseFile(file, { create: false, readOnly: true });
  if (file === ":memory:" || !existsSync(file) || statSync(file).size === 0) {
    return { file, exists: false, applied: [], pending: names, interrupted: [], unknown: [], changed: [] };
  }
  // A writable file is opened read-write even so: a read-only open of a WAL file can fail where
  // its -shm file is missing and cannot be made. Nothing here writes either way.
  const sql = openDatabaseFile(file, { readonly: !canWriteDatabase(file) });
  try {
    return withFileErrors(file, () => {
      const records = readRecords(sql) ?? [];
      const applied = new Set(records.filter(isApplied).map((r) => r.name));
      const open = new Set(records.filter(isOpen).map((r) => r.name));
      const rowsIn = (table: string) =>
        (sql.prepare(`SELECT count(*) AS n FROM "${table.replaceAll('"', '""')}"`).get() as { n: number }).n;
      const interrupted = migrations
        .map((migration, index) => ({ migration, index }))
        .filter(({ migration }) => open.has(migration.name) && !applied.has(migration.name))
        .map(({ migration, index }) => {
          const state = interruptedState(migrations, index, readSchema(sql), rowsIn);
          const name = migration.name;
          return state.kind === "unknown"
            ? { name, state: state.kind, reason: state.reason }
            : { name, state: state.kind };
        });
      return {
        file,
        exists: true,
        applied: names.filter((n) => applied.has(n)),
        pending: names.filter((n) => !applied.has(n)),
        interrupted,
        ...historyConflicts(migrations, records),
      };
    });
  } finally {
    sql.close();
  }
}
