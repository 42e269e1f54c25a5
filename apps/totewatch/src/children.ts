/**
 * Several child processes at once, for `demo --live`: each started as runChild
 * (launch.ts) starts one, stdio shared with this process unless its output is
 * captured, and each one's end reported as a shell would report it.
 *
 * Invariants:
 * - A child is "live" from its spawn until its 'exit' (or a failed start), and
 *   signal() reaches exactly the live ones: never a process that has ended.
 * - `exited` always resolves, never rejects: with the exit code (128 + n for a
 *   death by signal n, exitCodeOf), or EXIT.failed with the error when the
 *   child could not be started at all.
 */
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { EXIT } from "@totewatch/cli-kit";
import type { Launch } from "./commands.js";
import { exitCodeOf } from "./launch.js";

/** node's spawn, or a test's stand-in. */
export type SpawnFn = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

export interface ChildEnd {
  code: number;
  /** The signal that killed it, if one did (`code` is then 128 + its number). */
  signal: NodeJS.Signals | null;
  /** Set when the child could not be started (e.g. ENOENT). */
  error?: Error;
}

export interface Started {
  name: string;
  pid: number | undefined;
  exited: Promise<ChildEnd>;
  /** What it wrote to stdout and stderr, when started with `capture`; else "". */
  output(): string;
}

export class Children {
  private readonly live = new Map<ChildProcess, string>();

  constructor(private readonly spawn: SpawnFn = nodeSpawn) {}

  /**
   * Starts `launch` as `name`. `capture` keeps its output to show only if it fails (a step the
   * user need not watch); otherwise it writes straight to this process's terminal, its stdout
   * dropped with `hideStdout`.
   */
  start(name: string, launch: Launch, options: { capture?: boolean; hideStdout?: boolean } = {}): Started {
    let output = "";
    const child = this.spawn(launch.command, launch.args, {
      cwd: launch.cwd,
      env: launch.env,
      stdio: options.capture
        ? ["ignore", "pipe", "pipe"]
        : ["inherit", options.hideStdout ? "ignore" : "inherit", "inherit"],
    });
    this.live.set(child, name);
    const keep = (chunk: Buffer | string) => (output += String(chunk));
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    const exited = new Promise<ChildEnd>((resolve) => {
      // 'error' can follow a started child too (a failed kill); only a failed start ends it.
      child.once("error", (error) => {
        if (child.pid !== undefined) return;
        this.live.delete(child);
        resolve({ code: EXIT.failed, signal: null, error });
      });
      // 'close', not 'exit', when output is captured: all of it has been read by then.
      child.once(options.capture ? "close" : "exit", (code: number | null, signal: NodeJS.Signals | null) => {
        this.live.delete(child);
        resolve({ code: exitCodeOf(code, signal), signal });
      });
    });
    return { name, pid: child.pid, exited, output: () => output };
  }

  /** Sends `signal` to every live child. */
  signal(signal: NodeJS.Signals): void {
    for (const child of this.live.keys()) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    }
  }

  /** The names of the children still running, in start order. */
  names(): string[] {
    return [...this.live.values()];
  }
}
