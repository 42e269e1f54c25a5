// The db:* scripts as a user runs them (real child processes, real files): --help everywhere,
// the database and retention from totewatch.yaml like the apps (--config, --db, DATABASE_URL),
// one line and exit 1 for a bad database file, db:status naming the file it reads.
import { execFile } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import Database from "better-sqlite3";
import { describe, expect, it, vi } from "vitest";
import { migrationNames } from "../src/migrate.js";
import { migratedTemplate, scratchDir } from "../testing/index.js";

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm")).href;
const scriptsDir = path.dirname(fileURLToPath(import.meta.url));
const SCRIPTS = ["migrate", "status", "prune", "vacuum", "seed", "demo", "migrate-dev", "bench"] as const;

const tempDir = scratchDir;

/** A folder to run in, as the user's: no totewatch.yaml unless a test writes one. */
// Each run starts node with tsx: seconds on a busy machine.
vi.setConfig({ testTimeout: 120_000 });

const userDir = () => tempDir("totewatch-scripts-");

/** Runs scripts/<name>.ts in `cwd` (INIT_CWD, as pnpm records it) with only `env` of ours set. */
function run(name: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  // The child gets this process's environment (PATH, ...) without the settings a developer's
  // shell may hold, so only what a test passes decides the database.
  const { DATABASE_URL: _url, TOTEWATCH_CONFIG: _config, ...base } = process.env;
  const script = path.join(scriptsDir, `${name}.ts`);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--import", tsxLoader, script, ...args],
      { cwd, env: { ...base, INIT_CWD: cwd, NO_COLOR: "1", ...env }, encoding: "utf8", timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe("every db script", () => {
  it.each(SCRIPTS)("%s --help prints its options and exits 0, touching no database", async (name) => {
    const cwd = userDir();
    const file = path.join(cwd, "never.db");
    const { code, stdout } = await run(name, ["--help"], cwd, { DATABASE_URL: `file:${file}` });
    expect(stdout).toMatch(/^Usage: /);
    expect(code).toBe(0);
    expect(existsSync(file)).toBe(false);
    if (name !== "bench") expect(stdout).toContain("--config <file>");
  });

  it.each([
    ["migrate", "db:migrate"],
    ["prune", "db:prune"],
    ["vacuum", "db:vacuum"],
    ["seed", "seed"],
    ["status", "db:status"],
  ])("%s: a bad database file is one line on stderr, exit 1", async (name, program) => {
    const cwd = userDir();
    const text = path.join(cwd, "notes.db");
    writeFileSync(text, "race 1: favourite drifted\n");
    const { code, stderr } = await run(name, ["--db", text], cwd);
    expect(stderr).toBe(`${program}: ${text} is not a SQLite database (file is not a database)\n`);
    expect(code).toBe(1);
  });
});

describe("which database and retention a script uses", () => {
  it("takes database.url from ./totewatch.yaml, from --config, then DATABASE_URL, then --db", async () => {
    const cwd = userDir();
    writeFileSync(path.join(cwd, "totewatch.yaml"), "database:\n  url: file:./from-yaml.db\n");
    const other = path.join(cwd, "other.yaml");
    writeFileSync(other, "database:\n  url: file:./from-other.db\n");

    expect((await run("migrate", [], cwd)).stdout).toContain(
      `database at ${path.join(cwd, "from-yaml.db")} (from database.url in`,
    );
    expect(existsSync(path.join(cwd, "from-yaml.db"))).toBe(true);
    expect((await run("migrate", ["--config", "other.yaml"], cwd)).stdout).toContain(
      path.join(cwd, "from-other.db"),
    );
    const env = { DATABASE_URL: "file:./from-env.db" };
    expect((await run("migrate", ["--config", "other.yaml"], cwd, env)).stdout).toContain(
      `${path.join(cwd, "from-env.db")} (from DATABASE_URL)`,
    );
    expect((await run("migrate", ["--db", "cli.db"], cwd, env)).stdout).toContain(
      `${path.join(cwd, "cli.db")} (from --db)`,
    );
    for (const name of ["from-yaml", "from-other", "from-env", "cli"]) {
      expect(existsSync(path.join(cwd, `${name}.db`))).toBe(true);
    }
  });

  it("db:prune keeps the retention days of totewatch.yaml", async () => {
    const cwd = userDir();
    copyFileSync(migratedTemplate(), path.join(cwd, "horses.db"));
    writeFileSync(
      path.join(cwd, "totewatch.yaml"),
      "database:\n  url: file:./horses.db\nretention:\n  oddsDays: 7\n  alertsDays: 45\n",
    );
    const { code, stdout } = await run("prune", [], cwd);
    expect(stdout).toContain(`Pruning ${path.join(cwd, "horses.db")}`);
    expect(stdout).toContain("odds and exacta rows older than 7 days");
    expect(stdout).toContain("alerts older than 45 days");
    expect(code).toBe(0);
    expect((await run("prune", ["--odds-days", "3"], cwd)).stdout).toContain("older than 3 days");
  });

  it("a bad config file exits 2, naming it", async () => {
    const cwd = userDir();
    writeFileSync(path.join(cwd, "totewatch.yaml"), "retention:\n  oddsDays: -1\n");
    const { code, stderr } = await run("prune", [], cwd);
    expect(stderr).toContain("totewatch.yaml");
    expect(code).toBe(2);
  });

  it("never prints a server url's password", async () => {
    const cwd = userDir();
    const { code, stdout, stderr } = await run("migrate", [], cwd, {
      DATABASE_URL: "postgres://tote:hunter2@db/horses",
    });
    expect(`${stdout}${stderr}`).not.toContain("hunter2");
    expect(code).not.toBe(0);
  });
});

describe("db:status", () => {
  it("names the file it reads, and says what db:migrate will do about an interrupted migration", async () => {
    const cwd = userDir();
    const file = path.join(cwd, "horses.db");
    expect(await run("status", ["--db", file], cwd)).toMatchObject({
      code: 1,
      stdout:
        `Database: ${file} (from --db)\n` +
        `No database yet: \`pnpm db:migrate --db ${file}\` creates it (${migrationNames().length} migration(s)).\n`,
    });
    // What a `prisma migrate deploy` killed before its first statement left.
    const sql = new Database(file);
    sql.exec(`CREATE TABLE "_prisma_migrations" ("id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL,
      "finished_at" DATETIME, "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME,
      "started_at" DATETIME NOT NULL DEFAULT current_timestamp, "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`);
    sql
      .prepare(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ('1', 'x', ?)`)
      .run(migrationNames()[0]);
    sql.close();
    const interrupted = await run("status", [], cwd, { DATABASE_URL: `file:${file}` });
    expect(interrupted.stdout).toContain(`Database: ${file} (from DATABASE_URL)`);
    expect(interrupted.stdout).toContain(
      `Interrupted: ${migrationNames()[0]}: none of its changes are in the file: \`pnpm db:migrate --db ${file}\` applies it again.`,
    );
    expect(interrupted.stdout).toContain(
      `Pending: ${migrationNames().slice(1).join(", ")}: \`pnpm db:migrate --db ${file}\` applies them.`,
    );
    expect(interrupted.code).toBe(1);

    expect((await run("migrate", ["--db", file], cwd)).stdout).toContain(
      "had been interrupted before it changed anything",
    );
    expect(await run("status", ["--db", file], cwd)).toMatchObject({
      code: 0,
      stdout: expect.stringContaining("Up to date."),
    });
  });
});

describe("db:status on a read-only file", () => {
  it("reads it and reports (it writes nothing); db:migrate, which writes, still refuses it", async () => {
    const cwd = userDir();
    const file = path.join(cwd, "horses.db");
    copyFileSync(migratedTemplate(), file);
    chmodSync(file, 0o444);
    const bytes = readFileSync(file);
    const status = await run("status", ["--db", file], cwd);
    expect(status.stderr).toBe("");
    expect(status.stdout).toBe(
      `Database: ${file} (from --db)\n` +
        `Migrations: ${migrationNames().length} of ${migrationNames().length} applied (latest: ${migrationNames().at(-1)}).\n` +
        "Up to date.\n",
    );
    expect(status.code).toBe(0);
    expect(readFileSync(file).equals(bytes)).toBe(true);

    expect(await run("migrate", ["--db", file], cwd)).toMatchObject({
      code: 1,
      stderr: `db:migrate: ${file} is read-only: Totewatch writes to its database (make it writable)\n`,
    });
  });
});

describe("a bad option to a db script", () => {
  it.each([
    ["migrate", "--frobnicate"],
    ["status", "--frobnicate"],
  ])("%s %s: one line and the --help hint on stderr, exit 2, no help dump", async (name, option) => {
    const cwd = userDir();
    expect(await run(name, [option], cwd)).toEqual({
      code: 2,
      stdout: "",
      stderr: `error: unknown option '${option}'\n(--help for usage)\n`,
    });
  });
});

describe("upgrading a day of the previous version, then db:vacuum", () => {
  it("db:migrate converts it and says how much is free; db:vacuum gives that back to the disk", async () => {
    const cwd = userDir();
    const file = path.join(cwd, "horses.db");
    const fixture = path.join(scriptsDir, "..", "test-fixtures", "pre-compact-day.db.gz");
    writeFileSync(file, gunzipSync(readFileSync(fixture)));
    // Forty more copies of its exacta grids (7,848 x 41 = 321,768 rows), so what the upgrade
    // frees passes the note's floor (16 MB and a quarter of the file).
    const grow = new Database(file);
    grow.exec(`WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 40)
      INSERT INTO exacta_probable (race_id, fetched_at, first_horse, second_horse, payout, total_exacta_pool, created_at)
      SELECT race_id, strftime('%Y-%m-%dT%H:%M:%f+00:00', fetched_at, '+' || n || ' days'), first_horse,
             second_horse, payout, total_exacta_pool, created_at
      FROM exacta_probable, k`);
    grow.close();

    const migrated = await run("migrate", ["--db", file], cwd);
    expect(migrated.code).toBe(0);
    // (Whether the note says "at least", and names the file in its command, is storage-space.ts's.)
    const freeNote =
      /: (?:at least )?([\d.]+) MB of its ([\d.]+) MB is free space after the upgrade; `totewatch db vacuum[^`]*` gives it back/;
    const [, freeMb, fileMb] = migrated.stdout.match(freeNote) ?? [];
    expect(Number(freeMb)).toBeGreaterThan(Number(fileMb) / 4);
    const before = statSync(file).size;
    expect(before / 1e6).toBeCloseTo(Number(fileMb), 0);

    const vacuumed = await run("vacuum", ["--db", file], cwd);
    expect(vacuumed.code).toBe(0);
    expect(vacuumed.stdout).toMatch(/^Vacuuming .*\nDone: [\d.]+ MB -> [\d.]+ MB \([\d.]+ MB given back; /);
    // At least the free pages are gone from the file.
    expect(before - statSync(file).size).toBeGreaterThanOrEqual(Number(freeMb) * 1e6 - 1e5);
    const sql = new Database(file, { readonly: true });
    expect(sql.prepare(`SELECT count(*) AS n FROM exacta_probable`).get()).toEqual({ n: 321_768 });
    expect(sql.pragma("integrity_check", { simple: true })).toBe("ok");
    sql.close();
  });
});
