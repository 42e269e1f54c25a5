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

/** Runs `main` when `moduleUrl` (the caller's `import.meta.url`) is the script node was started with. */
export function runIfEntryPoint(moduleUrl: string, name: string, main: CliMain): void {
  if (!isEntryPoint(moduleUrl)) return;
  const stop = stopOnSignals({
    onFirst: (signal) => process.stderr.write(`${name}: ${signal} received, finishing the current step\n`),
  });
  main(userArguments(process.argv.slice(2)), stop.signal).then(
    (code) => {
      process.exitCode = code;
      stop.dispose();
    },
    (error: unknown) => {
      process.stderr.write(
        `${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = EXIT.failed;
      stop.dispose();
    },
  );
}
