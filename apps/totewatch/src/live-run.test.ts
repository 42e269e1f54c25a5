import type { ChildProcess, SpawnOptions } from "node:child_process";
import { EventEmitter } from "node:events";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { LiveDemoPlan, LiveDemoOptions } from "./live-demo.js";
import { LIVE_DEMO_DEFAULTS, TOTE_CONFIG_HEADER } from "./live-demo.js";
import { runLiveDemo } from "./live-run.js";

/** A stand-in child: records the signals it gets and exits as `onSignal` says. */
class FakeChild extends EventEmitter {
  static nextPid = 1000;
  pid = FakeChild.nextPid++;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  signals: NodeJS.Signals[] = [];
  stdout: PassThrough | null;
  stderr: PassThrough | null;
  constructor(
    readonly name: string,
    readonly options: SpawnOptions,
    private readonly onSignal: (signal: NodeJS.Signals) => number | null = () => 0,
  ) {
    super();
    const piped = Array.isArray(options.stdio) && options.stdio[1] === "pipe";
    this.stdout = piped ? new PassThrough() : null;
    this.stderr = piped ? new PassThrough() : null;
  }
  kill(signal: NodeJS.Signals) {
    this.signals.push(signal);
    const code = this.onSignal(signal);
    if (code !== null) setImmediate(() => this.end(code));
    return true;
  }
  end(code: number) {
    if (this.exitCode !== null) return;
    this.exitCode = code;
    this.stdout?.end();
    this.stderr?.end();
    this.emit("exit", code, null);
    setImmediate(() => this.emit("close", code, null));
  }
}

/** The plan with fake commands: each launch's command is the part's short name. */
const fakePlan = (): LiveDemoPlan => {
  const part = (name: string, command: string) => ({ name, command, launch: { command, args: [] } });
  return {
    reset: { command: "reset", args: [] },
    tote: { ...part("the sample tote", "tote"), hideStdout: true },
    watchers: [
      part("the poller", "poll"),
      part("the alerts daemon", "alerts"),
      part("the dashboard", "dashboard"),
    ],
  };
};

interface Scenario {
  /** What each fake does once started (e.g. write the config, or exit). */
  behave?: Partial<Record<string, (child: FakeChild, dataDir: string) => void>>;
  signal?: Partial<Record<string, (signal: NodeJS.Signals) => number | null>>;
  before?: (dataDir: string) => void;
}

async function run(scenario: Scenario = {}) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "totewatch-live-"));
  scenario.before?.(dataDir);
  const children: FakeChild[] = [];
  let stdout = "";
  let stderr = "";
  const options: LiveDemoOptions = { help: false, ...LIVE_DEMO_DEFAULTS, dataDir };
  const defaults: Record<string, (child: FakeChild, dir: string) => void> = {
    reset: (child) => setImmediate(() => child.end(0)),
    tote: (_child, dir) =>
      setTimeout(() => writeFileSync(path.join(dir, "live-demo-tote.yaml"), `${TOTE_CONFIG_HEADER}\n`), 20),
  };
  const exit = await runLiveDemo(options, {
    stdout: { write: (text: string) => ((stdout += text), true) },
    stderr: { write: (text: string) => ((stderr += text), true) },
    cwd: dataDir,
    plan: fakePlan(),
    configTimeoutMs: 500,
    graceMs: 300,
    spawn: (command: string, _args: readonly string[], spawnOptions: SpawnOptions) => {
      const child = new FakeChild(command, spawnOptions, scenario.signal?.[command]);
      children.push(child);
      (scenario.behave?.[command] ?? defaults[command])?.(child, dataDir);
      return child as unknown as ChildProcess;
    },
  });
  return { exit, stdout, stderr, children, dataDir, names: children.map((c) => c.name) };
}

describe("runLiveDemo (fake children)", () => {
  it("a part failing on its own stops the rest and exits with its code, naming it", async () => {
    const result = await run({ behave: { dashboard: (child) => setTimeout(() => child.end(2), 20) } });
    expect(result.names).toEqual(["reset", "tote", "poll", "alerts", "dashboard"]);
    expect(result.exit).toBe(2);
    expect(result.stderr).toBe("totewatch demo --live: the dashboard failed (exit 2); stopping the rest\n");
    for (const child of result.children.filter((c) => c.name !== "dashboard" && c.name !== "reset")) {
      expect(child.signals).toEqual(["SIGTERM"]);
      expect(child.exitCode).toBe(0);
    }
    // The parts read the sample's config plus quiet logs, written once the sample wrote its own.
    const config = readFileSync(path.join(result.dataDir, "live-demo.yaml"), "utf8");
    expect(config).toMatch(/level: warn/);
    expect(result.stdout).toMatch(/^Totewatch live demo: /);
    // The sample's stdout is dropped; the reset's output is captured; the rest share the terminal.
    expect(result.children.map((c) => c.options.stdio)).toEqual([
      ["ignore", "pipe", "pipe"],
      ["inherit", "ignore", "inherit"],
      ...Array(3).fill(["inherit", "inherit", "inherit"]),
    ]);
  });

  it("a part stopping on its own with 0 still fails the demo (exit 1)", async () => {
    const result = await run({ behave: { poll: (child) => setTimeout(() => child.end(0), 20) } });
    expect(result.exit).toBe(1);
    expect(result.stderr).toMatch(/the poller stopped on its own; stopping the rest/);
  });

  it("a failed reset shows its output and starts nothing else", async () => {
    const result = await run({
      behave: {
        reset: (child) =>
          setImmediate(() => {
            child.stderr!.write("db: the file is locked\n");
            child.end(1);
          }),
      },
    });
    expect(result.exit).toBe(1);
    expect(result.names).toEqual(["reset"]);
    expect(result.stderr).toMatch(
      /^db: the file is locked\ntotewatch demo --live: resetting live-demo\.db failed \(exit 1\); stopping\n$/,
    );
  });

  it("the sample not writing its config in time stops it, exit 1", async () => {
    const result = await run({ behave: { tote: () => {} } });
    expect(result.exit).toBe(1);
    expect(result.names).toEqual(["reset", "tote"]);
    expect(result.stderr).toMatch(
      /the sample tote did not write live-demo-tote\.yaml within 0\.5 s; stopping/,
    );
    expect(result.children[1]!.signals).toEqual(["SIGTERM"]);
  });

  it("kills a part that does not stop within the grace period", async () => {
    const result = await run({
      behave: { dashboard: (child) => setTimeout(() => child.end(1), 20) },
      signal: { alerts: (signal) => (signal === "SIGKILL" ? 137 : null) },
    });
    expect(result.exit).toBe(1);
    expect(result.stderr).toMatch(/the alerts daemon did not stop within 0.3 s: killing/);
    expect(result.children.find((c) => c.name === "alerts")!.signals).toEqual(["SIGTERM", "SIGKILL"]);
  });

  it("never overwrites a config file it did not write: exit 2, nothing started", async () => {
    const result = await run({
      before: (dir) => writeFileSync(path.join(dir, "live-demo.yaml"), "database:\n  url: file:mine.db\n"),
    });
    expect(result.exit).toBe(2);
    expect(result.names).toEqual([]);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "totewatch demo --live: live-demo.yaml exists and was not written by it: " +
        "move it, or choose another --data-dir\n",
    );
    expect(existsSync(path.join(result.dataDir, "live-demo-tote.yaml"))).toBe(false);
  });
});
