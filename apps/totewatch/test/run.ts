// The `totewatch` command as a user runs it, for the app's tests: real child processes in a
// scratch folder, with no config or database setting of the developer's shell around.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository's root folder. */
export const ROOT = path.resolve(here, "../../..");
const bin = path.resolve(here, "../bin/totewatch.js");

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  /** Added to this process's environment, whose TOTEWATCH_CONFIG, DATABASE_URL and INIT_CWD are cleared. */
  env?: NodeJS.ProcessEnv;
  /** Sees stdout as it grows. */
  onStdout?: (text: string, child: ChildProcess) => void;
}

/** Runs `command args` in a scratch folder with no config around. */
export function run(command: string, args: string[], opts: RunOptions = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd ?? mkdtempSync(path.join(os.tmpdir(), "totewatch-cli-")),
      env: { ...process.env, TOTEWATCH_CONFIG: "", DATABASE_URL: "", INIT_CWD: "", ...opts.env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += String(chunk);
      opts.onStdout?.(stdout, child);
    });
    child.stderr.on("data", (chunk) => (stderr += String(chunk)));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** `totewatch args` (bin/totewatch.js on this node). */
export const totewatch = (args: string[], opts?: RunOptions) => run(process.execPath, [bin, ...args], opts);
