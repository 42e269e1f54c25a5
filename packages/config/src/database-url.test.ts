import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "./config-error.js";
import { absoluteDatabaseUrl, databaseUrlProblem } from "./database-url.js";

/** The ConfigError message `run` throws. */
function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error("expected a ConfigError");
}

describe("absoluteDatabaseUrl", () => {
  it("takes a PostgreSQL server url as given, and refuses one without a host or database", () => {
    expect(absoluteDatabaseUrl(" postgresql://tw:pw@127.0.0.1:5433/totewatch ", "/srv", "--db")).toBe(
      "postgresql://tw:pw@127.0.0.1:5433/totewatch",
    );
    expect(absoluteDatabaseUrl("postgres://db.example/tw?sslmode=require", "/srv")).toBe(
      "postgres://db.example/tw?sslmode=require",
    );
    expect(absoluteDatabaseUrl("postgresql:///tw?host=/run/postgresql", "/srv")).toBe(
      "postgresql:///tw?host=/run/postgresql",
    );
    expect(messageOf(() => absoluteDatabaseUrl("postgresql://u:hunter2@db.example", "/srv", "--db"))).toBe(
      '--db: "postgresql://u:***@db.example" names no database: write postgresql://user@host:5432/database',
    );
    // A password in the query is not read (libpq would): refused, never printed.
    const query = messageOf(() =>
      absoluteDatabaseUrl("postgresql://tw@db.example/tw?password=hunter2&sslmode=require", "/srv", "--db"),
    );
    expect(query).toBe(
      '--db: "postgresql://tw@db.example/tw?password=***&sslmode=***" has ?password=, which Totewatch does not ' +
        "read: put the user and password before the host, not in the query; only ?host= (a socket folder) and " +
        "?sslmode= are read",
    );
    expect(messageOf(() => absoluteDatabaseUrl("postgresql:///tw", "/srv", "--db"))).toBe(
      '--db: "postgresql:///tw" names no host: write postgresql://user@host:5432/database',
    );
  });

  it("refuses any scheme but file: and postgresql:, naming where the url came from, without its password", () => {
    const message = messageOf(() =>
      absoluteDatabaseUrl("mysql://user:hunter2@db.example/totewatch", "/srv", "--db"),
    );
    expect(message).toBe(
      '--db: unsupported database url scheme "mysql:" in "mysql://user:***@db.example/totewatch": ' +
        "Totewatch uses a SQLite file, given as a path or a file: URL (e.g. file:./data/horses.db), " +
        "or a PostgreSQL server, given as a postgresql:// URL (e.g. postgresql://totewatch@127.0.0.1:5432/totewatch)",
    );
    for (const url of [
      "sqlite://x.db",
      "https://h/x.db",
      "prisma+postgres://h",
      "mysql:root:hunter2@localhost/t",
      "postgres:u:hunter2@h",
    ]) {
      const text = messageOf(() => absoluteDatabaseUrl(url, "/srv", "DATABASE_URL"));
      expect(text).toMatch(/^DATABASE_URL: unsupported database url scheme "[a-z+]+:"/);
      expect(text).not.toContain("hunter2");
      expect(text.split("\n")).toHaveLength(1);
    }
    expect(
      messageOf(() =>
        absoluteDatabaseUrl("mysql://u:hunter2@h/db", "/srv", {
          source: "totewatch.yaml",
          path: "database.url",
        }),
      ),
    ).toMatch(
      /^totewatch\.yaml: database\.url: unsupported database url scheme "mysql:" in "mysql:\/\/u:\*\*\*@h\/db"/,
    );
    expect(messageOf(() => absoluteDatabaseUrl("mysql:user:s3cret@host", "/srv", "--db"))).toBe(
      '--db: unsupported database url scheme "mysql:" in "mysql:user:***@host": Totewatch uses ' +
        "a SQLite file, given as a path or a file: URL (e.g. file:./data/horses.db), " +
        "or a PostgreSQL server, given as a postgresql:// URL (e.g. postgresql://totewatch@127.0.0.1:5432/totewatch)",
    );
  });

  it("refuses a file: URL with a host, user or password after file://, in one line without the password", () => {
    expect(messageOf(() => absoluteDatabaseUrl("file://user:s3cret@localhost/x.db", "/srv", "--db"))).toBe(
      '--db: file: URL "file://user:***@localhost/x.db" names a host or user after file://, which a local ' +
        "SQLite file cannot have: write file:///abs/path.db, file:/abs/path.db or file:rel/path.db",
    );
    for (const url of [
      "file://user:s3cret@host/x.db",
      "FILE://u:s3cret@localhost",
      "file://u:s3c/ret@h/x.db",
      "file://user@localhost/x.db",
      "file://db.example/x.db",
      "file://data/x.db",
    ]) {
      const text = messageOf(() => absoluteDatabaseUrl(url, "/srv", "DATABASE_URL"));
      expect(text).toMatch(/^DATABASE_URL: file: URL ".*" names a host or user after file:\/\//);
      expect(text).not.toMatch(/s3c/);
      expect(text.split("\n")).toHaveLength(1);
    }
    expect(databaseUrlProblem("file://u:s3cret@h/x.db")).toMatch(
      /^file: URL "file:\/\/u:\*\*\*@h\/x\.db" names/,
    );
  });

  it("keeps file: URLs with an empty or localhost authority", () => {
    expect(absoluteDatabaseUrl("file://localhost/var/x.db", "/srv")).toBe("file:/var/x.db");
    expect(absoluteDatabaseUrl("file://LocalHost/var/x.db", "/srv")).toBe("file:/var/x.db");
    expect(absoluteDatabaseUrl("file:/var/x.db", "/srv")).toBe("file:/var/x.db");
    expect(absoluteDatabaseUrl("file:data/x.db", "/srv")).toBe("file:/srv/data/x.db");
    expect(absoluteDatabaseUrl("file://:memory:", "/srv")).toBe("file://:memory:");
    expect(databaseUrlProblem("file://localhost/proc/1/x.db")).toMatch(/\/proc\/1\/x\.db is under \/proc/);
  });

  it("keeps file: URLs, plain paths and :memory:", () => {
    expect(absoluteDatabaseUrl("file:./x.db", "/srv")).toBe("file:/srv/x.db");
    expect(absoluteDatabaseUrl("file:///var/x.db", "/srv")).toBe("file:/var/x.db");
    expect(absoluteDatabaseUrl("FILE:/var/x.db", "/srv")).toBe("file:/var/x.db");
    expect(absoluteDatabaseUrl("data/x.db", "/srv")).toBe("/srv/data/x.db");
    expect(absoluteDatabaseUrl("data/odd:name.db", "/srv")).toBe("/srv/data/odd:name.db");
    expect(absoluteDatabaseUrl(":memory:", "/srv")).toBe(":memory:");
    expect(absoluteDatabaseUrl("file::memory:", "/srv")).toBe("file::memory:");
    expect(absoluteDatabaseUrl("/dev/shm/t.db", "/srv")).toBe("/dev/shm/t.db");
  });

  it("refuses a file under /proc, /sys or /dev (where SQLite hangs or fails), however it is reached", () => {
    expect(messageOf(() => absoluteDatabaseUrl("file:/proc/nope/x.db", "/srv", "DATABASE_URL"))).toBe(
      "DATABASE_URL: /proc/nope/x.db is under /proc, which cannot hold a database file: give a path on a disk (e.g. file:./data/horses.db)",
    );
    expect(messageOf(() => absoluteDatabaseUrl("/proc", "/srv"))).toMatch(/under \/proc/);
    expect(messageOf(() => absoluteDatabaseUrl("../../sys/x.db", "/srv/a"))).toMatch(
      /\/sys\/x\.db is under \/sys/,
    );
    expect(messageOf(() => absoluteDatabaseUrl("file:///dev/null", "/srv"))).toMatch(
      /\/dev\/null is under \/dev/,
    );
    expect(messageOf(() => absoluteDatabaseUrl("x.db", "/proc/self"))).toMatch(/under \/proc/);
  });

  describe("through a symbolic link", () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), "totewatch-db-url-"));
    });
    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it("refuses a link into /proc", () => {
      symlinkSync("/proc/self", path.join(dir, "link"));
      expect(messageOf(() => absoluteDatabaseUrl("link/x.db", dir))).toMatch(
        new RegExp(`${path.join(dir, "link", "x.db")} \\(/proc/\\d+/x\\.db\\) is under /proc`),
      );
    });
  });
});

describe("databaseUrlProblem", () => {
  it("is the scheme or system-path problem of a url, or undefined", () => {
    expect(databaseUrlProblem("mysql://u:pw@h/db")).toMatch(/"mysql:\/\/u:\*\*\*@h\/db"/);
    expect(databaseUrlProblem("postgres://u:pw@h/db")).toBeUndefined();
    expect(databaseUrlProblem("file:/proc/1/x.db")).toMatch(/under \/proc/);
    expect(databaseUrlProblem("file:./data/horses.db")).toBeUndefined();
    expect(databaseUrlProblem("relative/x.db")).toBeUndefined();
  });
});
