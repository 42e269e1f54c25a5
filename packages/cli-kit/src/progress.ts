/**
 * How a long run shows that it is moving, whatever it counts: on a terminal
 * a status line redrawn in place on stderr (at most every 250 ms, so a fast
 * run does not spend its time drawing); anywhere else a JSON progress log
 * line every 10 s (a log file gets a heartbeat, not a flood). `update` only
 * reads the clock unless a line is due, so callers may call it per item.
 */
const TTY_REDRAW_MS = 250;
const LOG_EVERY_MS = 10_000;

/** What one progress report says: `text` for the status line, `fields` for the log line. */
export interface ProgressView {
  text: string;
  fields: Record<string, unknown>;
}

export interface ProgressDisplay<T> {
  update(value: T): void;
  /** Clears the status line, so what is printed next starts on a clean line. */
  finish(): void;
}

export interface ProgressDisplayOptions<T> {
  /** Names the run in both forms: `replay: ...`, `replay progress`. */
  label: string;
  /** Takes the log lines (a pino logger does). */
  logger: { info(fields: Record<string, unknown>, msg: string): void };
  /** The report for `value`, `elapsedMs` after the display was created. */
  describe: (value: T, elapsedMs: number) => ProgressView;
  /** Where the status line goes; default stderr. Not a TTY: log lines instead. */
  stream?: Pick<NodeJS.WriteStream, "write"> & { isTTY?: boolean };
  now?: () => number;
}

export function createProgressDisplay<T>(options: ProgressDisplayOptions<T>): ProgressDisplay<T> {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const tty = stream.isTTY === true;
  const every = tty ? TTY_REDRAW_MS : LOG_EVERY_MS;
  const started = now();
  let last = started;
  let shown = false;
  return {
    update(value) {
      const t = now();
      if (t - last < every) return;
      last = t;
      const view = options.describe(value, t - started);
      if (tty) {
        stream.write(`\r\x1b[K${options.label}: ${view.text}`);
        shown = true;
      } else {
        options.logger.info(view.fields, `${options.label} progress`);
      }
    },
    finish() {
      if (shown) stream.write("\r\x1b[K");
      shown = false;
    },
  };
}
