import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_DATABASE_PATH, loadConfig } from "./index.js";

describe("loadConfig", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "totewatch-config-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function writeConfig(relative: string, text: string): string {
    const file = path.join(dir, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  }

  it("makes a relative database path absolute against the config file's folder", () => {
    const file = writeConfig("etc/totewatch.yaml", "database:\n  url: file:./data/horses.db\n");
    expect(loadConfig({ file, env: {}, cwd: dir }).database.url).toBe(
      `file:${path.join(dir, "etc", "data", "horses.db")}`,
    );
    writeConfig("etc/totewatch.yaml", "database:\n  url: ../horses.db\n");
    expect(loadConfig({ file, env: {}, cwd: dir }).database.url).toBe(path.join(dir, "horses.db"));
    writeConfig("etc/totewatch.yaml", "database:\n  url: file:/var/lib/totewatch.db\n");
    expect(loadConfig({ file, env: {}, cwd: dir }).database.url).toBe("file:/var/lib/totewatch.db");
  });

  it("lets DATABASE_URL win over the file", () => {
    const file = writeConfig("etc/totewatch.yaml", "database:\n  url: file:./data/horses.db\n");
    expect(loadConfig({ file, env: { DATABASE_URL: "file:/srv/other.db" } }).database.url).toBe(
      "file:/srv/other.db",
    );
    // A relative DATABASE_URL is relative to where the command ran: the user typed it there.
    expect(loadConfig({ file, env: { DATABASE_URL: "file:./x.db" }, cwd: dir }).database.url).toBe(
      `file:${path.join(dir, "x.db")}`,
    );
    expect(loadConfig({ env: { DATABASE_URL: "file::memory:" }, cwd: dir }).database.url).toBe(
      "file::memory:",
    );
  });

  it("always resolves the database: a --db option, else DATABASE_URL, else the file, else the default", () => {
    const file = writeConfig("etc/totewatch.yaml", "database:\n  url: file:./data/horses.db\n");
    const fromFile = `file:${path.join(dir, "etc", "data", "horses.db")}`;
    const env = { DATABASE_URL: "file:/srv/other.db" };
    expect(loadConfig({ file, databaseUrl: "mine.db", env, cwd: dir }).database).toEqual({
      url: path.join(dir, "mine.db"),
      urlFrom: "option",
    });
    expect(loadConfig({ file, databaseUrl: "file:./mine.db", env: {}, cwd: dir }).database).toEqual({
      url: `file:${path.join(dir, "mine.db")}`,
      urlFrom: "option",
    });
    expect(loadConfig({ file, env, cwd: dir }).database).toEqual({
      url: "file:/srv/other.db",
      urlFrom: "DATABASE_URL",
    });
    // Empty (or blank) values count as unset, as in a shell's `DATABASE_URL= pnpm ...`.
    expect(loadConfig({ file, databaseUrl: " ", env: { DATABASE_URL: "" }, cwd: dir }).database).toEqual({
      url: fromFile,
      urlFrom: "config file",
    });
    expect(loadConfig({ env: {}, cwd: dir }).database).toEqual({
      url: DEFAULT_DATABASE_PATH,
      urlFrom: "default",
    });
    // The default is data/horses.db at the repository root, wherever the command runs.
    expect(DEFAULT_DATABASE_PATH).toBe(fileURLToPath(new URL("../../../data/horses.db", import.meta.url)));
  });

  it("refuses a database url that is not a SQLite file, naming where it came from and hiding its password", () => {
    const file = writeConfig("totewatch.yaml", "log:\n  level: info\n");
    const accepted =
      "Totewatch uses a SQLite file, given as a path or a file: URL (e.g. file:./data/horses.db), " +
      "or a PostgreSQL server, given as a postgresql:// URL (e.g. postgresql://totewatch@127.0.0.1:5432/totewatch)";
    const refused = (options: Parameters<typeof loadConfig>[0]): string => {
      try {
        loadConfig({ cwd: dir, ...options });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).message;
      }
      throw new Error("expected a ConfigError");
    };
    expect(refused({ env: { DATABASE_URL: "sqlite://user:pw@host/db" } })).toBe(
      `DATABASE_URL: unsupported database url scheme "sqlite:" in "sqlite://user:***@host/db": ${accepted}`,
    );
    expect(refused({ file, databaseUrl: "mysql://root:hunter2@localhost:3306/t", env: {} })).toBe(
      `--db: unsupported database url scheme "mysql:" in "mysql://root:***@localhost:3306/t": ${accepted}`,
    );
    writeConfig("totewatch.yaml", "database:\n  url: mssql://user:hunter2@host/db\n");
    expect(refused({ env: {} })).toBe(
      `totewatch.yaml: database.url: unsupported database url scheme "mssql:" in "mssql://user:***@host/db": ${accepted} (line 2)`,
    );
    // Nothing was created for it.
    expect(existsSync(path.join(dir, "mssql:"))).toBe(false);
  });

  it("refuses a database file under /proc, /sys or /dev", () => {
    expect(() => loadConfig({ env: { DATABASE_URL: "file:/proc/nope/x.db" }, cwd: dir })).toThrow(
      /^DATABASE_URL: \/proc\/nope\/x\.db is under \/proc, which cannot hold a database file/,
    );
    expect(() => loadConfig({ databaseUrl: "/sys/x.db", env: {}, cwd: dir })).toThrow(
      /^--db: \/sys\/x\.db is under \/sys/,
    );
    writeConfig("totewatch.yaml", "database:\n  url: file:/proc/self/x.db\n");
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(
      /^totewatch\.yaml: database\.url: \/proc\/self\/x\.db is under \/proc, .* \(line 2\)$/,
    );
    writeConfig("totewatch.yaml", "database:\n  url: ../../../../../../../../proc/x.db\n");
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(
      /^totewatch\.yaml: database\.url: \/proc\/x\.db is under \/proc/,
    );
  });

  it("starts relative paths at INIT_CWD (where pnpm was run) when no cwd is given", () => {
    const local = writeConfig("totewatch.yaml", "database:\n  url: here.db\n");
    const config = loadConfig({ databaseUrl: "typed.db", env: { INIT_CWD: dir } });
    expect(config.source).toBe(local);
    expect(config.database.url).toBe(path.join(dir, "typed.db"));
  });

  it("finds the file from TOTEWATCH_CONFIG, else ./totewatch.yaml, else uses the defaults", () => {
    expect(loadConfig({ env: {}, cwd: dir })).toMatchObject({ source: null, log: { level: "info" } });

    const local = writeConfig("totewatch.yaml", "log:\n  level: debug\n");
    expect(loadConfig({ env: {}, cwd: dir })).toMatchObject({ source: local, log: { level: "debug" } });
    expect(loadConfig({ env: { INIT_CWD: dir } }).source).toBe(local);

    const chosen = writeConfig("elsewhere/custom.yaml", "log:\n  level: warn\n");
    expect(loadConfig({ env: { TOTEWATCH_CONFIG: "elsewhere/custom.yaml" }, cwd: dir })).toMatchObject({
      source: chosen,
      log: { level: "warn" },
    });
    expect(loadConfig({ file: chosen, env: { TOTEWATCH_CONFIG: local } }).source).toBe(chosen);
  });

  it("fails when the named file does not exist", () => {
    expect(() => loadConfig({ file: "nope.yaml", env: {}, cwd: dir })).toThrow(ConfigError);
    expect(() => loadConfig({ file: "nope.yaml", env: {}, cwd: dir })).toThrow(
      /nope\.yaml: config file not found/,
    );
    expect(() => loadConfig({ env: { TOTEWATCH_CONFIG: "gone.yaml" }, cwd: dir })).toThrow(
      /from TOTEWATCH_CONFIG/,
    );
  });

  it("names the file in every problem", () => {
    writeConfig("totewatch.yaml", "log:\n  level: 3\n");
    expect(() => loadConfig({ env: {}, cwd: dir })).toThrow(
      'totewatch.yaml: log.level: expected one of "trace", "debug", "info", "warn", "error", received number 3 (line 2)',
    );
  });
});
