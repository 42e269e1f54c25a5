/**
 * The nationwide day's child processes, watched through /proc every 200 ms: peak RSS (VmHWM) and
 * CPU time (utime + stime), each the last value read before the process exits. CPU time says how
 * much work each part did, which wall time alone hides on a shared machine (the same replay's CPU
 * moved by a third between runs here). Linux only: elsewhere the figures read NaN.
 *
 * Invariants: every child started is killed by killChildren (the bench's error and Ctrl-C paths);
 * its stderr reaches ours line by line, marked with its label.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { NODE_PROCESS_FLAGS, nodeProcessEnv } from "@totewatch/cli-kit";

export interface Watched {
  child: ChildProcess;
  /** Resolves with the exit code (a signal counts as null). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last VmHWM read, in kB (NaN when none could be read). */
  peakKb(): number;
  /** The last CPU time read, in seconds (NaN when none could be read). */
  cpuS(): number;
}

const children = new Set<ChildProcess>();
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm")).href;

/** Clock ticks a second, the unit of /proc/<pid>/stat's times. */
const ticksPerSecond = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function readHwmKb(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined; // gone (or no /proc)
  }
}

/**
 * CPU seconds `pid` has used (user and system), with `ended` its children that ended and were
 * waited for (a postmaster's backends and workers); undefined when it is gone (or no /proc).
 */
export function cpuSeconds(pid: number, options: { ended?: boolean } = {}): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // After the command's ")" (it may hold spaces): field 3 (state) onward; utime is field 14.
    const fields = stat
      .slice(stat.lastIndexOf(")") + 2)
      .split(" ")
      .map(Number);
    const [utime, stime, cutime, cstime] = fields.slice(11, 15) as [number, number, number, number];
    return (utime + stime + (options.ended ? cutime + cstime : 0)) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

/** `node <script> args` (with tsx) as the `totewatch` command runs it (NODE_PROCESS_FLAGS, nodeProcessEnv), watched. */
export function startCli(label: string, script: string, args: readonly string[]): Watched {
  const child = spawn(process.execPath, [...NODE_PROCESS_FLAGS, "--import", tsxLoader, script, ...args], {
    cwd: path.dirname(path.dirname(script)),
    // The environment as it is (--db and --config win over DATABASE_URL and TOTEWATCH_CONFIG).
    env: nodeProcessEnv(),
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.add(child);
  let peak = Number.NaN;
  let cpu = Number.NaN;
  const sample = () => {
    if (child.pid === undefined) return;
    peak = readHwmKb(child.pid) ?? peak;
    cpu = cpuSeconds(child.pid) ?? cpu;
  };
  const timer = setInterval(sample, 200);
  sample();
  // Its warnings and errors, each line marked with whose they are.
  let pending = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop()!;
    for (const line of lines) process.stderr.write(`[${label}] ${line}\n`);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearInterval(timer);
      children.delete(child);
      if (pending !== "") process.stderr.write(`[${label}] ${pending}\n`);
      resolve({ code, signal });
    });
  });
  return { child, exited, peakKb: () => peak, cpuS: () => cpu };
}

export function killChildren(): void {
  for (const child of children) child.kill("SIGKILL");
}
