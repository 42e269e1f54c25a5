import type { ChildProcess, SpawnOptions } from "node:child_process";
import { EventEmitter } from "node:events";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it, vi } from "vitest";
import type { LiveDemoPlan, LiveDemoOptions } from "./live-demo.js";
import { LIVE_DEMO_DEFAULTS, TOTE_CONFIG_HEADER } from "./live-demo.js";
import { runLiveDemo } from "./live-run.js";

/**
 * A stand-in child: records the signals it gets and does as `onSignal` says: exit with a code,
 * die by a signal, or (null) carry on.
 */
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
    private readonly onSignal: (signal: NodeJS.Signals) => number | NodeJS.Signals | null = () => 0,
  ) {
    super();
    const piped = Array.isArray(options.stdio) && options.stdio[1] === "pipe";
    this.stdout = piped ? new PassThrough() : null;
    this.stderr = piped ? new PassThrough() : null;
  }
  kill(signal: NodeJS.Signals) {
    this.signals.push(signal);
    const outcome = this.onSignal(signal);
    if (typeof outcome === "number") setImmediate(() => this.end(outcome));
    else if (outcome !== null) setImmediate(() => this.end(null, outcome));
    return true;
  }
  end(code: number | null, signal: NodeJS.Signals | null = null) {
    if (this.exitCode !== null || this.signalCode !== null) return;
    this.exitCode = code;
    this.signalCode = signal;
    this.stdout?.end();
    this.stderr?.end();
    this.emit("exit", code, signal);
    setImmediate(() => this.emit("close", code, signal));
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
  signal?: Partial<Record<string, (signal: NodeJS.Signals) => number | NodeJS.Signals | null>>;
  before?: (dataDir: string) => void;
  graceMs?: number;
  /** Runs beside it once every part has started. */
  during?: (children: FakeChild[]) => Promise<void>;
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
  const exits: number[] = [];
  const running = runLiveDemo(options, {
    stdout: { write: (text: string) => ((stdout += text), true) },
    stderr: { write: (text: string) => ((stderr += text), true) },
    cwd: dataDir,
    plan: fakePlan(),
    configTimeoutMs: 500,
    graceMs: scenario.graceMs ?? 300,
    exit: (code) => exits.push(code),
    spawn: (command: string, _args: readonly string[], spawnOptions: SpawnOptions) => {
      const child = new FakeChild(command, spawnOptions, scenario.signal?.[command]);
      children.push(child);
      (scenario.behave?.[command] ?? defaults[command])?.(child, dataDir);
      return child as unknown as ChildProcess;
    },
  });
  if (scenario.during) {
    await vi.waitFor(() => expect(children).toHaveLength(5));
    await scenario.during(children);
  }
  const exit = await running;
  return { exit, exits, stdout, stderr, children, dataDir, names: children.map((c) => c.name) };
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

  it("a stop signal reaches every part once; all down, exit 0 (a part killed by it counts as stopped)", async () => {
    const result = await run({
      signal: { poll: (signal) => signal },
      during: async () => {
        process.emit("SIGTERM");
      },
    });
    expect(result.exit).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/\nEverything stopped\. The day stays in live-demo\.db: /);
    for (const child of result.children.slice(1)) expect(child.signals).toEqual(["SIGTERM"]);
    expect(result.children.find((c) => c.name === "poll")!.signalCode).toBe("SIGTERM");
    expect(process.listenerCount("SIGTERM")).toBe(0);
    expect(process.listenerCount("SIGINT")).toBe(0);
  });

  it("a part failing to stop after a signal is named, and its code is the exit code", async () => {
    const result = await run({
      signal: { alerts: () => 3 },
      during: async () => {
        process.emit("SIGINT");
      },
    });
    expect(result.exit).toBe(3);
    expect(result.stderr).toBe(
      "totewatch demo --live: the alerts daemon exited with code 3 while stopping\n",
    );
  });

  it("another signal more than a second after the first is passed on, then exits 130", async () => {
    const result = await run({
      signal: Object.fromEntries(["tote", "poll", "alerts", "dashboard"].map((n) => [n, () => null])),
      graceMs: 10_000,
      during: async (children) => {
        process.emit("SIGINT");
        process.emit("SIGINT"); // the same keypress, relayed: no exit
        await sleep(1100);
        process.emit("SIGINT");
        expect(children[2]!.signals).toEqual(["SIGINT", "SIGINT", "SIGINT"]);
        for (const child of children) child.end(130);
      },
    });
    expect(result.exits).toEqual([130]);
  });
});
