import path from "node:path";
import { describe, expect, it } from "vitest";
import { databasePathFromUrl, defaultDatabasePath, repoRoot } from "./database-url.js";
import { fromDbTime, toDbTime } from "./time.js";

describe("toDbTime / fromDbTime", () => {
  it("writes instants as UTC ISO text with +00:00, as the Prisma adapter does", () => {
    expect(toDbTime(new Date("2025-09-13T17:05:00-04:00"))).toBe("2025-09-13T21:05:00.000+00:00");
    expect(toDbTime(0)).toBe("1970-01-01T00:00:00.000+00:00");
    expect(toDbTime("2025-09-13T21:05:00Z")).toBe("2025-09-13T21:05:00.000+00:00");
  });

  it("round-trips, and the text sorts in time order", () => {
    const a = new Date("2025-09-13T09:59:59.999Z");
    const b = new Date("2025-09-13T10:00:00.000Z");
    expect(fromDbTime(toDbTime(a))).toEqual(a);
    expect(toDbTime(a) < toDbTime(b)).toBe(true);
  });

  it("refuses an invalid instant, naming it", () => {
    expect(() => toDbTime("not a time")).toThrow(/not a valid instant: not a time/);
  });
});

describe("databasePathFromUrl", () => {
  it("defaults to data/horses.db at the repo root", () => {
    expect(databasePathFromUrl("")).toBe(defaultDatabasePath);
    expect(defaultDatabasePath).toBe(path.join(repoRoot, "data", "horses.db"));
  });

  it("accepts file: URLs and bare paths", () => {
    expect(databasePathFromUrl("file:/tmp/x.db")).toBe("/tmp/x.db");
    expect(databasePathFromUrl("file:///tmp/y.db")).toBe("/tmp/y.db");
    expect(databasePathFromUrl("/tmp/z.db")).toBe("/tmp/z.db");
  });

  it("resolves relative paths against where the user ran the command (INIT_CWD)", () => {
    const saved = process.env.INIT_CWD;
    process.env.INIT_CWD = "/somewhere/else";
    try {
      expect(databasePathFromUrl("file:./data/h.db")).toBe("/somewhere/else/data/h.db");
    } finally {
      if (saved === undefined) delete process.env.INIT_CWD;
      else process.env.INIT_CWD = saved;
    }
  });
});
