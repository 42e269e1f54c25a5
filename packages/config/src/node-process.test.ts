import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { NODE_PROCESS_FLAGS, nodeProcessEnv } from "./node-process.js";

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

describe("NODE_PROCESS_FLAGS", () => {
  it("start node (a flag it does not know would stop it with exit 9), and set what they name", () => {
    const run = spawnSync(
      process.execPath,
      [...NODE_PROCESS_FLAGS, "-e", "process.stdout.write(JSON.stringify(process.execArgv))"],
      { encoding: "utf8" },
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect((JSON.parse(run.stdout) as string[]).slice(0, NODE_PROCESS_FLAGS.length)).toEqual(
      NODE_PROCESS_FLAGS,
    );
  });
});
