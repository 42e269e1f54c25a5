// A command as a user runs it, for the apps' CLI tests: a real child process, by default in a
// scratch folder, with no config or database setting of the developer's shell around.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export interface ProcessRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ProcessRunOptions {
  /** Default: a new scratch folder, so no ./totewatch.yaml is found. */
  cwd?: string;
  /** Added to this process's environment, whose TOTEWATCH_CONFIG, DATABASE_URL and INIT_CWD are cleared. */
  env?: NodeJS.ProcessEnv;
  /** Sees stdout as it grows. */
  onStdout?: (text: string, child: ChildProcess) => void;
}

/** Runs `command args` to its end: its exit code or signal, and all it wrote. */
export function runProcess(
  command: string,
  args: string[],
  opts: ProcessRunOptions = {},
): Promise<ProcessRun> {
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
