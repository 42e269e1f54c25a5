/**
 * SIGINT/SIGTERM as an AbortSignal, the one way every command stops: the
 * first signal aborts (the command finishes the step in flight and exits
 * cleanly); another one more than a second later exits at once with 130.
 * (Ctrl-C reaches a process twice under tsx, from the terminal's process
 * group and relayed, so a repeat within a second is the same keypress.)
 */
import { systemClock, type Clock } from "@totewatch/config";
import { EXIT } from "./exit-codes.js";

export interface StopSignal {
  signal: AbortSignal;
  /** Removes the handlers (a command that returns leaves nothing behind); safe to call twice. */
  dispose(): void;
}

export interface StopOnSignalsOptions {
  /** Told about the first signal (e.g. "stopping after the write in flight"). */
  onFirst?: (signal: NodeJS.Signals) => void;
  /** How the second signal ends the process; default process.exit. */
  exit?: (code: number) => void;
  /** When each signal arrived, for the one-second repeat window; default the system clock. */
  clock?: Clock;
}

/** A repeat of the first signal within this long is the same keypress, not a second request. */
export const SIGNAL_REPEAT_WINDOW_MS = 1000;

const SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"];

export function stopOnSignals(options: StopOnSignalsOptions = {}): StopSignal {
  const controller = new AbortController();
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const clock = options.clock ?? systemClock;
  let firstAt = 0;
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      if (clock.now() - firstAt > SIGNAL_REPEAT_WINDOW_MS) exit(EXIT.interrupted);
      return;
    }
    firstAt = clock.now();
    options.onFirst?.(name);
    controller.abort();
  };
  for (const name of SIGNALS) process.on(name, onSignal);
  return {
    signal: controller.signal,
    dispose() {
      for (const name of SIGNALS) process.off(name, onSignal);
    },
  };
}
