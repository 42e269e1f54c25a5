import { describe, expect, it } from "vitest";
import { colorsForbidden, userCwd } from "./environment.js";

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
