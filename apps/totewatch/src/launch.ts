/**
 * Running a command as a child process the way a shell would: stdio shared
 * (a terminal stays a terminal), SIGINT/SIGTERM/SIGHUP passed on, and its exit
 * code returned unchanged (a death by signal as 128 + the signal's number, as
 * a shell reports it).
 *
 * Signals: the child is in the same process group, so a Ctrl-C at a terminal
 * reaches it directly as well as through here (and twice more under pnpm,
 * which relays it too). Each command's cli-kit stop handling counts repeats
 * within a second as one keypress, so passing every signal on is safe, and a
 * signal sent to this process alone (`kill <pid>`) still reaches the command.
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";
import type { Launch } from "./commands.js";

const FORWARDED: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** The exit code a shell shows for a child that ended with `code` or was killed by `signal`. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signal === null ? undefined : constants.signals[signal];
  return number === undefined ? 1 : 128 + number;
}

/** Starts `launch`, passes signals on until it ends, and resolves with its exit code. */
export function runChild(launch: Launch): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(launch.command, launch.args, {
      stdio: "inherit",
      cwd: launch.cwd,
      env: launch.env,
    });
    const forward = (signal: NodeJS.Signals) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    for (const signal of FORWARDED) process.on(signal, forward);
    const done = () => {
      for (const signal of FORWARDED) process.off(signal, forward);
    };
    child.once("error", (error) => {
      done();
      reject(error);
    });
    child.once("exit", (code, signal) => {
      done();
      resolve(exitCodeOf(code, signal));
    });
  });
}
