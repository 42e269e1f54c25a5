import { describe, expect, it } from "vitest";
import { chromiumPath, colorsForbidden, databaseUrlFromEnvironment, userCwd } from "./environment.js";

describe("userCwd", () => {
  it("is INIT_CWD (the folder pnpm was run in), else process.cwd()", () => {
    expect(userCwd({ INIT_CWD: "/home/me/races" })).toBe("/home/me/races");
    expect(userCwd({})).toBe(process.cwd());
    expect(userCwd({ INIT_CWD: "" })).toBe(process.cwd());
  });
});

describe("colorsForbidden", () => {
  it("is true when NO_COLOR is set to anything but the empty string", () => {
    expect(colorsForbidden({ NO_COLOR: "1" })).toBe(true);
    expect(colorsForbidden({ NO_COLOR: "" })).toBe(false);
    expect(colorsForbidden({})).toBe(false);
  });
});

describe("databaseUrlFromEnvironment", () => {
  it("is DATABASE_URL made absolute against the user's folder, or undefined when unset or blank", () => {
    const env = { INIT_CWD: "/home/me/races" };
    expect(databaseUrlFromEnvironment({ ...env, DATABASE_URL: "day.db" })).toBe("/home/me/races/day.db");
    expect(databaseUrlFromEnvironment({ ...env, DATABASE_URL: "file:./day.db" })).toBe(
      "file:/home/me/races/day.db",
    );
    expect(databaseUrlFromEnvironment({ ...env, DATABASE_URL: "file:/data/t.db" })).toBe("file:/data/t.db");
    expect(databaseUrlFromEnvironment({ ...env, DATABASE_URL: "  " })).toBeUndefined();
    expect(databaseUrlFromEnvironment(env)).toBeUndefined();
  });

  it("refuses a url that is neither a SQLite file nor a PostgreSQL server, without printing its password", () => {
    expect(() => databaseUrlFromEnvironment({ DATABASE_URL: "mysql://u:hunter2@h/db" })).toThrow(
      'DATABASE_URL: unsupported database url scheme "mysql:" in "mysql://u:***@h/db"',
    );
    expect(databaseUrlFromEnvironment({ DATABASE_URL: "postgresql://u:hunter2@h/db" })).toBe(
      "postgresql://u:hunter2@h/db",
    );
    expect(() => databaseUrlFromEnvironment({ DATABASE_URL: "file:/proc/1/x.db" })).toThrow(/under \/proc/);
  });
});

describe("chromiumPath (render: browser)", () => {
  it("is TOTEWATCH_CHROMIUM when set, else Debian's /usr/bin/chromium", () => {
    expect(chromiumPath({ TOTEWATCH_CHROMIUM: "/opt/chromium/chrome" })).toBe("/opt/chromium/chrome");
    expect(chromiumPath({ TOTEWATCH_CHROMIUM: "  " })).toBe("/usr/bin/chromium");
    expect(chromiumPath({})).toBe("/usr/bin/chromium");
  });
});
