import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { NODE_PROCESS_FLAGS } from "@totewatch/cli-kit";
import { describe, expect, it } from "vitest";
import { main } from "./cli.js";
import { launchOf, REPO_ROOT, type Launch } from "./commands.js";
import { exitCodeOf } from "./launch.js";

/** Runs main with the child launches recorded instead of started; each "exits" with `code`. */
async function dispatch(args: string[], code = 0) {
  const launches: Launch[] = [];
  let stdout = "";
  let stderr = "";
  const exit = await main(args, {
    stdout: { write: (text: string) => ((stdout += text), true) },
    stderr: { write: (text: string) => ((stderr += text), true) },
    run: async (launch) => {
      launches.push(launch);
      return code;
    },
  });
  return { exit, launches, stdout, stderr };
}

/** The script and arguments a node launch runs (after the memory flags and `--import <tsx>`). */
const scriptArgs = (launch: Launch | undefined) => {
  expect(launch?.command).toBe(process.execPath);
  const flags = NODE_PROCESS_FLAGS.length;
  expect(launch?.args.slice(0, flags + 2)).toEqual([
    ...NODE_PROCESS_FLAGS,
    "--import",
    expect.stringMatching(/^file:.*tsx/),
  ]);
  return [path.relative(REPO_ROOT, launch!.args[flags + 2]!), ...launch!.args.slice(flags + 3)];
};

describe("totewatch", () => {
  it("--help lists the commands and the exit codes; no command is the help too", async () => {
    const help = await dispatch(["--help"]);
    expect(help.exit).toBe(0);
    for (const command of ["demo", "ingest", "alerts", "db", "help"])
      expect(help.stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    for (const code of ["0", "1", "2", "130"])
      expect(help.stdout).toMatch(new RegExp(`^  ${code} +\\S`, "m"));
    expect(Math.max(...help.stdout.split("\n").map((line) => line.length))).toBeLessThanOrEqual(100);
    expect((await dispatch([])).stdout).toBe(help.stdout);
    expect(help.launches).toEqual([]);
  });

  it("runs each app's own script with the rest of the arguments, and returns its exit code", async () => {
    const ingest = await dispatch(["ingest", "replay", "day.jsonl", "--strict"], 1);
    expect(ingest.exit).toBe(1);
    expect(scriptArgs(ingest.launches[0])).toEqual([
      path.join("apps", "ingest", "src", "cli.ts"),
      "replay",
      "day.jsonl",
      "--strict",
    ]);
    expect(scriptArgs((await dispatch(["alerts", "list"])).launches[0])).toEqual([
      path.join("apps", "alerts", "src", "cli.ts"),
      "list",
    ]);
    const demo = await dispatch(["demo", "--tracks", "1"], 130);
    expect(demo.exit).toBe(130);
    expect(scriptArgs(demo.launches[0])).toEqual([
      path.join("apps", "alerts", "src", "demo.ts"),
      "--tracks",
      "1",
    ]);
  });

  it("maps db commands to packages/db's scripts, with the script's own words first", async () => {
    const db = path.join("packages", "db", "scripts");
    expect(scriptArgs((await dispatch(["db", "migrate", "--db", "x.db"])).launches[0])).toEqual([
      path.join(db, "migrate.ts"),
      "--db",
      "x.db",
    ]);
    expect(scriptArgs((await dispatch(["db", "reset"])).launches[0])).toEqual([
      path.join(db, "migrate.ts"),
      "--reset",
    ]);
    expect(scriptArgs((await dispatch(["db", "seed"])).launches[0])).toEqual([path.join(db, "seed.ts")]);
    const help = await dispatch(["db"]);
    expect(help.exit).toBe(0);
    for (const command of ["migrate", "status", "reset", "prune", "vacuum", "seed"])
      expect(help.stdout).toMatch(new RegExp(`^  ${command} `, "m"));
  });

  it("`help <command>` is `<command> --help`", async () => {
    expect(scriptArgs((await dispatch(["help", "ingest"])).launches[0]).slice(1)).toEqual(["--help"]);
    expect(scriptArgs((await dispatch(["help", "db", "prune"])).launches[0]).slice(1)).toEqual(["--help"]);
  });

  it("refuses an unknown command or option in one line, exit 2, running nothing", async () => {
    for (const args of [["--bogus"], ["nope"], ["db", "nope"], ["help", "nope"]]) {
      const run = await dispatch(args);
      expect(run.exit).toBe(2);
      expect(run.stderr.split("\n")).toEqual([expect.stringMatching(/^totewatch( db)?: unknown /), ""]);
      expect(run.stdout).toBe("");
      expect(run.launches).toEqual([]);
    }
  });

  it("--version prints the version", async () => {
    const run = await dispatch(["--version"]);
    expect(run.exit).toBe(0);
    expect(run.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe("launchOf", () => {
  it("hands a script that is not `tsx <file>` to pnpm, in the package's folder", () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "totewatch-scripts-"));
    writeFileSync(
      path.join(root, "package.json"),
      JSON.stringify({ scripts: { status: "prisma migrate status", shell: "tsx a.ts && echo done" } }),
    );
    const ref = (script: string) => ({ packageDir: ".", script });
    expect(launchOf(ref("status"), ["--x"], root)).toEqual({
      command: "pnpm",
      args: ["--silent", "--dir", root, "run", "status", "--x"],
    });
    expect(launchOf(ref("shell"), [], root).command).toBe("pnpm");
    expect(() => launchOf(ref("missing"), [], root)).toThrow(/has no script "missing"/);
  });
});

describe("exitCodeOf", () => {
  it("passes a code through and reports a death by signal as a shell does", () => {
    expect(exitCodeOf(3, null)).toBe(3);
    expect(exitCodeOf(130, null)).toBe(130);
    expect(exitCodeOf(null, "SIGTERM")).toBe(143);
    expect(exitCodeOf(null, "SIGKILL")).toBe(137);
  });
});
