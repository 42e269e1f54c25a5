import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveUserPath, userArguments } from "./arguments.js";

describe("userArguments", () => {
  it("drops the '--' pnpm passes through, and only a leading one", () => {
    expect(userArguments(["--", "--reset", "--db", "x.db"])).toEqual(["--reset", "--db", "x.db"]);
    expect(userArguments(["replay", "--", "--odd-file-name"])).toEqual(["replay", "--", "--odd-file-name"]);
    expect(userArguments([])).toEqual([]);
  });
});

describe("resolveUserPath", () => {
  it("resolves relative paths against the folder the user ran pnpm in", () => {
    expect(resolveUserPath("day.jsonl", { INIT_CWD: "/home/me/races" })).toBe("/home/me/races/day.jsonl");
    expect(resolveUserPath("/tmp/day.jsonl", { INIT_CWD: "/home/me" })).toBe("/tmp/day.jsonl");
    expect(resolveUserPath("day.jsonl", {})).toBe(path.resolve("day.jsonl"));
  });
});
