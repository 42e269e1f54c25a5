// `pnpm db:migrate` and `pnpm db:status` (real child processes, real files) on a database this
// version's migrations cannot account for: db:migrate refuses in one line on stderr, exit 1,
// the file unchanged; db:status says what is wrong and what to do, exit 1.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import { describe, expect, it, vi } from "vitest";
import { migrateSqliteDatabase, migrationNames, migrationsDir } from "./migrate.js";
import { migratedTemplate, scratchDir } from "../testing/index.js";

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm")).href;
const scriptsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "scripts");
const INIT = migrationNames()[0]!;
const NEWER = "29990101000000_newer";

// Each run starts node with tsx: seconds on a busy machine.
vi.setConfig({ testTimeout: 120_000 });

/** A folder to run in holding a database at this version's head: [folder, file]. */
function userDatabase(): [string, string] {
  const cwd = scratchDir("totewatch-checks-scripts-");
  const file = path.join(cwd, "horses.db");
  copyFileSync(migratedTemplate(), file);
  return [cwd, file];
}

/** Runs scripts/<name>.ts on `file` (--db) in `cwd`, without a developer's DATABASE_URL or config. */
function run(name: string, file: string, cwd: string) {
  const { DATABASE_URL: _url, TOTEWATCH_CONFIG: _config, ...env } = process.env;
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--import", tsxLoader, path.join(scriptsDir, `${name}.ts`), "--db", file],
      { cwd, env: { ...env, INIT_CWD: cwd, NO_COLOR: "1" }, encoding: "utf8", timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

describe("db:migrate and db:status on a database this version cannot account for", () => {
  it("an applied migration recorded from another migration.sql: refused, reported", async () => {
    const [cwd, file] = userDatabase();
    // As a database migrated by a Totewatch whose init migration.sql differed from this one.
    const sql = new Database(file);
    sql
      .prepare(`UPDATE _prisma_migrations SET checksum = ? WHERE migration_name = ?`)
      .run(createHash("sha256").update("-- another init\n").digest("hex"), INIT);
    sql.close();
    const before = sha(file);

    const migrate = await run("migrate", file, cwd);
    expect(migrate.stderr).toBe(
      `db:migrate: ${file}: migration ${INIT} was applied from a different migration.sql than this version has ` +
        "(the file was edited after it was applied, or the database was made by a different Totewatch " +
        "version): restore the file as it was (`git checkout` it) or use that version; refusing to change the database\n",
    );
    expect(migrate.code).toBe(1);
    expect(sha(file)).toBe(before);

    const status = await run("status", file, cwd);
    expect(status.stdout).toContain(
      `Changed since applied: ${INIT}: the migration.sql differs from the one the database was migrated with: ` +
        "restore it (`git checkout` it) or use the Totewatch version that made the database; " +
        "until then this version refuses to change the database.\n",
    );
    expect(status.stdout).not.toContain("Up to date.");
    expect(status.code).toBe(1);
  });

  it("a migration applied by a newer Totewatch: refused, reported, the file unchanged", async () => {
    const [cwd, file] = userDatabase();
    const newer = path.join(cwd, "newer-migrations");
    cpSync(migrationsDir, newer, { recursive: true });
    mkdirSync(path.join(newer, NEWER));
    writeFileSync(path.join(newer, NEWER, "migration.sql"), `ALTER TABLE "race" ADD COLUMN "later" TEXT;\n`);
    migrateSqliteDatabase(file, { quiet: true, migrationsDir: newer });
    const before = sha(file);

    const migrate = await run("migrate", file, cwd);
    expect(migrate.stderr).toBe(
      `db:migrate: ${file}: migration ${NEWER} is applied in this database but is not among this version's ` +
        "migrations (the database was made by a newer Totewatch): upgrade Totewatch to use it; refusing to change the database\n",
    );
    expect(migrate.code).toBe(1);
    expect(sha(file)).toBe(before);

    const status = await run("status", file, cwd);
    expect(status.stdout).toContain(
      `Applied but not in this version's migrations folder: ${NEWER} (the database was made by a newer ` +
        "Totewatch): upgrade Totewatch; this version refuses to change the database.\n",
    );
    expect(status.stdout).not.toContain("Up to date.");
    expect(status.code).toBe(1);
    expect(sha(file)).toBe(before);
  });
});
