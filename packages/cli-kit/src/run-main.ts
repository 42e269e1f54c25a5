/**
 * How a CLI module runs when node starts it: `main` gets the user's
 * arguments and a stop signal wired to SIGINT/SIGTERM and resolves with an
 * exit code; the module stays importable by tests (nothing runs then).
 */
import { userArguments } from "./arguments.js";
import { isEntryPoint } from "./entry-point.js";
import { EXIT } from "./exit-codes.js";
import { stopOnSignals } from "./signals.js";

export type CliMain = (args: string[], signal: AbortSignal) => Promise<number>;

/**
 * Runs `main` when `moduleUrl` (the caller's `import.meta.url`) is the script node was started with.
 * The exit code `main` resolves with becomes process.exitCode (the process ends when its work is
 * done, never cut short); a throw or rejection is printed with its stack and exits 1.
 * Returns when that is settled (null when the module was only imported), for tests.
 */
export interface RunIfEntryPointOptions {
  /**
   * Announce the first signal on stderr (default). A command that announces the stop itself
   * (a log line, so a piped stderr stays empty) passes false and listens on the signal.
   */
  announceStop?: boolean;
}

export function runIfEntryPoint(
  moduleUrl: string,
  name: string,
  main: CliMain,
  options: RunIfEntryPointOptions = {},
): Promise<void> | null {
  if (!isEntryPoint(moduleUrl)) return null;
  const stop = stopOnSignals({
    onFirst:
      options.announceStop === false
        ? undefined
        : (signal) => process.stderr.write(`${name}: ${signal} received, finishing the current step\n`),
  });
  // Through a promise, so a `main` that throws before its first await is reported the same way.
  return new Promise<number>((resolve) => resolve(main(userArguments(process.argv.slice(2)), stop.signal)))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (error: unknown) => {
        process.stderr.write(
          `${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
        );
        process.exitCode = EXIT.failed;
      },
    )
    .finally(() => stop.dispose());
}
