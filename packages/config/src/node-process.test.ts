import { describe, expect, it } from "vitest";
import { nodeProcessEnv } from "./node-process.js";

describe("nodeProcessEnv", () => {
  it("adds two glibc arenas and a 4 MB semi-space to an environment without them", () => {
    const env = nodeProcessEnv({ PATH: "/usr/bin" });
    expect(env).toEqual({
      PATH: "/usr/bin",
      MALLOC_ARENA_MAX: "2",
      NODE_OPTIONS: "--max-semi-space-size=4",
    });
  });

  it("keeps the user's own settings and other node options, and does not change its argument", () => {
    const given = { MALLOC_ARENA_MAX: "8", NODE_OPTIONS: "--max-semi-space-size=16 --enable-source-maps" };
    expect(nodeProcessEnv(given)).toEqual(given);
    const underscored = { NODE_OPTIONS: "--max_semi_space_size=16" };
    expect(nodeProcessEnv(underscored).NODE_OPTIONS).toBe("--max_semi_space_size=16");
    expect(nodeProcessEnv({ NODE_OPTIONS: " --enable-source-maps " }).NODE_OPTIONS).toBe(
      "--enable-source-maps --max-semi-space-size=4",
    );
    const untouched = { PATH: "/bin" };
    nodeProcessEnv(untouched);
    expect(untouched).toEqual({ PATH: "/bin" });
  });
});
