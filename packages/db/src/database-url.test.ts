import path from "node:path";
import { describe, expect, it } from "vitest";
import { databasePathFromUrl } from "./database-url.js";
import { InvalidInputError } from "./errors.js";

// Which url a command uses (--db, DATABASE_URL, totewatch.yaml, the default,
// relative to where the user ran it) is @totewatch/config's, tested there.
describe("databasePathFromUrl", () => {
  it("accepts file: URLs and bare paths", () => {
    expect(databasePathFromUrl("file:/tmp/x.db")).toBe("/tmp/x.db");
    expect(databasePathFromUrl("file:///tmp/y.db")).toBe("/tmp/y.db");
    expect(databasePathFromUrl("/tmp/z.db")).toBe("/tmp/z.db");
    expect(databasePathFromUrl("file::memory:")).toBe(":memory:");
    expect(databasePathFromUrl("//tmp/w.db")).toBe("/tmp/w.db");
  });

  it("resolves a relative path against the process's folder, as the adapter would", () => {
    expect(databasePathFromUrl("file:./data/h.db")).toBe(path.join(process.cwd(), "data", "h.db"));
  });

  it("refuses a url that names no file, quoting it", () => {
    expect(() => databasePathFromUrl("  ")).toThrow(InvalidInputError);
    expect(() => databasePathFromUrl("file:")).toThrow('database url names no file: "file:"');
  });

  it("refuses a server url naming only its scheme: the rest may hold a password", () => {
    for (const url of ["postgres://user:hunter2@db/horses", "file:mysql://root:hunter2@db/x", "HTTP://x/y"]) {
      const refusal = () => databasePathFromUrl(url);
      expect(refusal).toThrow(InvalidInputError);
      expect(refusal).toThrow(/database url has the scheme "\w+:", which is not supported/);
      expect(refusal).not.toThrow(/hunter2/);
    }
    expect(databasePathFromUrl("FILE:/tmp/x.db")).toBe("/tmp/x.db");
  });

  it("refuses scheme:user:password@host typed without //, naming only its scheme", () => {
    for (const url of ["mysql:root:hunter2@db/x", "file:postgres:u:hunter2@h"]) {
      const refusal = () => databasePathFromUrl(url);
      expect(refusal).toThrow(/^database url has the scheme "\w+:", which is not supported/);
      expect(refusal).not.toThrow(/hunter2/);
    }
    expect(databasePathFromUrl("C:x.db")).toBe(path.resolve("C:x.db"));
  });

  it("refuses a host, user or password after file://, without quoting the url", () => {
    for (const url of [
      "file://user:hunter2@localhost/x.db",
      "file://user@localhost/x.db",
      "file://db.example/x.db",
    ]) {
      const refusal = () => databasePathFromUrl(url);
      expect(refusal).toThrow(InvalidInputError);
      expect(refusal).toThrow(
        "database url names a host or user after file://, which a local SQLite file cannot have: " +
          "write file:///abs/path.db, file:/abs/path.db or file:rel/path.db",
      );
    }
    expect(databasePathFromUrl("file://localhost/tmp/x.db")).toBe("/tmp/x.db");
    expect(databasePathFromUrl("FILE://LOCALHOST/tmp/x.db")).toBe("/tmp/x.db");
    expect(databasePathFromUrl("file:data/x.db")).toBe(path.join(process.cwd(), "data", "x.db"));
    expect(databasePathFromUrl("file://:memory:")).toBe(":memory:");
  });
});
