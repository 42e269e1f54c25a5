/**
 * SIGINT/SIGTERM as an AbortSignal, the one way every command stops: the
 * first signal aborts (the command finishes the step in flight and exits
 * cleanly); another one more than a second later exits at once with 130.
 * (Ctrl-C reaches a process twice under tsx, from the terminal's process
 * group and relayed, so a repeat within a second is the same keypress.)
 */
import { EXIT } from "./exit-codes.js";

export interface StopSignal {
  signal: AbortSignal;
  /** Removes the handlers (a command that returns leaves nothing behind). */
  dispose(): void;
}

export interface StopOnSignalsOptions {
  /** Told about the first signal (e.g. "stopping after the write in flight"). */
  onFirst?: (signal: NodeJS.Signals) => void;
  /** How the second signal ends the process; default process.exit. */
  exit?: (code: number) => void;
}

const REPEAT_WINDOW_MS = 1000;

export function stopOnSignals(options: StopOnSignalsOptions = {}): StopSignal {
  const controller = new AbortController();
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let firstAt = 0;
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      if (Date.now() - firstAt > REPEAT_WINDOW_MS) exit(EXIT.interrupted);
      return;
    }
    firstAt = Date.now();
    options.onFirst?.(name);
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
