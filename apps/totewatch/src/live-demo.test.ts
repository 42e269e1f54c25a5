import path from "node:path";
import { NODE_PROCESS_FLAGS } from "@totewatch/cli-kit";
import { describe, expect, it } from "vitest";
import { main } from "./cli.js";
import { REPO_ROOT, type Launch } from "./commands.js";
import {
  LIVE_CONFIG_HEADER,
  LIVE_DEMO_DEFAULTS,
  liveConfigYaml,
  liveDemoIntro,
  liveDemoPlan,
  LiveDemoUsageError,
  parseLiveDemoArgs,
} from "./live-demo.js";

const CWD = "/home/user/somewhere";
const parse = (...args: string[]) => parseLiveDemoArgs(["--live", ...args], CWD);

/** The script, relative to the repository, and the arguments a node launch runs. */
const scriptArgs = (launch: Launch) => {
  expect(launch.command).toBe(process.execPath);
  const flags = NODE_PROCESS_FLAGS.length;
  expect(launch.args.slice(0, flags + 2)).toEqual([
    ...NODE_PROCESS_FLAGS,
    "--import",
    expect.stringMatching(/^file:.*tsx/),
  ]);
  expect(launch.cwd).toBeUndefined();
  return [path.relative(REPO_ROOT, launch.args[flags + 2]!), ...launch.args.slice(flags + 3)];
};

async function dispatch(args: string[]) {
  let stdout = "";
  let stderr = "";
  const launches: Launch[] = [];
  const exit = await main(args, {
    stdout: { write: (text: string) => ((stdout += text), true) },
    stderr: { write: (text: string) => ((stderr += text), true) },
    run: async (launch) => (launches.push(launch), 0),
    cwd: CWD,
  });
  return { exit, stdout, stderr, launches };
}

describe("parseLiveDemoArgs", () => {
  it("has the documented defaults, its files in the repository's data/", () => {
    expect(parse()).toEqual({ help: false, ...LIVE_DEMO_DEFAULTS, dataDir: path.join(REPO_ROOT, "data") });
    expect(LIVE_DEMO_DEFAULTS).toEqual({ speed: 30, tracks: 2, races: 6, firstPost: 2, port: 8080 });
  });

  it("takes every option as `--name value` or `--name=value`, --live anywhere", () => {
    expect(
      parseLiveDemoArgs(
        ["--speed", "60", "--tracks=1", "--live", "--races", "3", "--first-post=0.5", "--port", "0"],
        CWD,
      ),
    ).toMatchObject({ speed: 60, tracks: 1, races: 3, firstPost: 0.5, port: 0 });
    expect(parse("--data-dir", "tmp/x").dataDir).toBe(path.join(CWD, "tmp/x"));
    expect(parse("--data-dir=/abs").dataDir).toBe("/abs");
    expect(parse("-h").help).toBe(true);
    expect(parse("--help", "--port", "1").help).toBe(true);
  });

  it("refuses what it cannot use, naming the option and the value", () => {
    const refusal = (...args: string[]) => {
      try {
        parse(...args);
      } catch (error) {
        expect(error).toBeInstanceOf(LiveDemoUsageError);
        return (error as Error).message;
      }
      throw new Error(`accepted ${args.join(" ")}`);
    };
    expect(refusal("--speed", "0")).toBe("--speed must be a positive number, got '0'");
    expect(refusal("--speed", "fast")).toBe("--speed must be a positive number, got 'fast'");
    expect(refusal("--tracks", "17")).toBe("--tracks must be a whole number from 1 to 16, got '17'");
    expect(refusal("--tracks", "1.5")).toMatch(/^--tracks must be a whole number/);
    expect(refusal("--races", "0")).toBe("--races must be a whole number from 1 to 30, got '0'");
    expect(refusal("--races", "31")).toMatch(/^--races must be/);
    expect(refusal("--port", "65536")).toBe("--port must be a whole number from 0 to 65535, got '65536'");
    expect(refusal("--port", "-1")).toMatch(/^--port must be/);
    expect(refusal("--first-post", "-2")).toMatch(/^--first-post must be a positive number of minutes/);
    expect(refusal("--port")).toBe("option '--port' needs a value");
    expect(refusal("--data-dir", "")).toBe("--data-dir must name a folder");
    expect(refusal("--bogus")).toBe("unknown option '--bogus'");
    expect(refusal("--db", "x.db")).toBe("unknown option '--db'");
    expect(refusal("extra")).toBe("unexpected argument 'extra'");
  });
});

describe("totewatch demo --live, dispatched", () => {
  it("--help is its own, and starts nothing; `help demo --live` is the same", async () => {
    const help = await dispatch(["demo", "--live", "--help"]);
    expect(help.exit).toBe(0);
    expect(help.stdout).toMatch(/^Usage: totewatch demo --live \[options\]\n/);
    for (const option of ["--speed", "--tracks", "--races", "--first-post", "--port", "--data-dir"])
      expect(help.stdout).toMatch(new RegExp(`^ {2}${option} `, "m"));
    expect(Math.max(...help.stdout.split("\n").map((line) => line.length))).toBeLessThanOrEqual(100);
    expect(help.launches).toEqual([]);
    expect((await dispatch(["help", "demo", "--live"])).stdout).toBe(help.stdout);
  });

  it("a bad option is one line and exit 2, with nothing started", async () => {
    const bad = await dispatch(["demo", "--live", "--speed", "0"]);
    expect(bad.exit).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toBe(
      "totewatch demo --live: --speed must be a positive number, got '0' " +
        "(totewatch demo --live --help lists the options)\n",
    );
    expect(bad.launches).toEqual([]);
  });

  it("without --live, demo is still the alerts app's demo", async () => {
    const demo = await dispatch(["demo", "--tracks", "1"]);
    expect(scriptArgs(demo.launches[0]!)).toEqual([
      path.join("apps", "alerts", "src", "demo.ts"),
      "--tracks",
      "1",
    ]);
  });
});

describe("liveDemoPlan", () => {
  it("runs each part's own command line, on absolute paths to the demo's files", () => {
    const dir = "/tmp/live";
    const plan = liveDemoPlan({ ...parse("--speed", "60", "--tracks", "1", "--races", "3"), dataDir: dir });
    const [config, db] = [path.join(dir, "live-demo.yaml"), path.join(dir, "live-demo.db")];
    expect(scriptArgs(plan.reset)).toEqual([
      path.join("packages", "db", "scripts", "migrate.ts"),
      "--reset",
      "--db",
      db,
    ]);
    expect(plan.tote).toMatchObject({
      name: "the sample tote",
      command: "ingest serve-sample",
      hideStdout: true,
    });
    expect(scriptArgs(plan.tote.launch)).toEqual([
      path.join("apps", "ingest", "src", "cli.ts"),
      "serve-sample",
      ...["--port", "0", "--speed", "60", "--tracks", "1", "--races", "3", "--first-post", "2", "--quiet"],
      ...["--write-config", path.join(dir, "live-demo-tote.yaml")],
    ]);
    expect(plan.watchers.map((p) => [p.name, p.hideStdout, ...scriptArgs(p.launch)])).toEqual([
      [
        "the poller",
        undefined,
        path.join("apps", "ingest", "src", "cli.ts"),
        "poll",
        "--config",
        config,
        "--db",
        db,
      ],
      [
        "the alerts daemon",
        undefined,
        path.join("apps", "alerts", "src", "cli.ts"),
        "run",
        "--config",
        config,
        "--db",
        db,
      ],
      [
        "the dashboard",
        undefined,
        path.join("apps", "dashboard", "src", "cli.ts"),
        ...["--config", config, "--db", db, "--port", "8080"],
      ],
    ]);
  });
});

describe("liveConfigYaml", () => {
  const tote = [
    "# Written by `totewatch ingest serve-sample` for its sample tote on http://127.0.0.1:4000",
    "database:",
    "  url: file:./sample.db # beside this file",
    "tracks:",
    "  - name: x",
    "",
  ].join("\n");

  it("is the sample's config with its own header, the demo's database and warn-level logs", () => {
    const yaml = liveConfigYaml(tote);
    expect(yaml.startsWith(`${LIVE_CONFIG_HEADER}:`)).toBe(true);
    const body = tote.replace("file:./sample.db", "file:./live-demo.db").split("\n").slice(1).join("\n");
    expect(yaml).toContain(`).\n${body}`);
    // The sample's own header is about its file, not this one.
    expect(yaml).not.toContain("serve-sample");
    expect(yaml).toMatch(/\nlog:\n {2}level: warn\b.*\n$/);
  });

  it("refuses a config that already has a log section (YAML would hold two)", () => {
    expect(() => liveConfigYaml(`${tote}log:\n  level: info\n`)).toThrow(/already has a log: section/);
  });
});

describe("liveDemoIntro", () => {
  it("says what runs, where to look and how to stop, within 100 columns", () => {
    for (const port of [8080, 0]) {
      const intro = liveDemoIntro({ ...parse("--port", String(port)), dataDir: path.join(CWD, "data") }, CWD);
      for (const part of ["sample tote", "poller", "alerts daemon", "dashboard"])
        expect(intro).toMatch(new RegExp(`^ {2}${part} `, "m"));
      expect(intro).toContain(
        port === 0 ? "the address the dashboard prints below" : "http://127.0.0.1:8080/",
      );
      expect(intro).toContain("data/live-demo.db");
      expect(intro).toMatch(/^Ctrl-C stops everything\.$/m);
      expect(Math.max(...intro.split("\n").map((line) => line.length))).toBeLessThanOrEqual(100);
    }
  });
});
