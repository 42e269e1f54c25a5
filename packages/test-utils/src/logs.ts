/**
 * Real pino loggers (config's createLogger) whose JSON lines a test reads
 * back, a logger that writes nowhere, and a stream that keeps what was
 * written (console channel output, progress lines).
 */
import { Writable } from "node:stream";
import { createLogger, type Logger } from "@totewatch/config";

export interface CapturedLogs {
  logger: Logger;
  records: Array<Record<string, unknown> & { level: number; msg: string }>;
}

/** pino's numbers for the levels tests look for (`{ level: PINO_LEVELS.warn }`). */
export const PINO_LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/** A writable that hands each chunk, as text, to `onText` (default: drops it). */
function textSink(onText: (text: string) => void = () => undefined): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      onText(chunk.toString());
      done();
    },
  });
}

/** A real pino logger (JSON lines) whose records are kept for assertions. */
export function captureLogs(level = "debug", name = "test"): CapturedLogs {
  const records: CapturedLogs["records"] = [];
  const stream = textSink((text) => {
    for (const line of text.split("\n")) if (line.trim()) records.push(JSON.parse(line));
  });
  return { logger: createLogger({ name, level, stream }), records };
}

/** A logger that writes nowhere. */
export function quietLogger(): Logger {
  return createLogger({ name: "test", level: "silent", stream: textSink() });
}

/**
 * A writable that keeps what was written. `isTTY: true` makes it pass for a terminal, for
 * output that is only drawn for a person (progress lines, summary tables).
 */
export function captureStream(options: { isTTY?: boolean } = {}): {
  stream: Writable & { isTTY?: boolean };
  text: () => string;
} {
  const chunks: string[] = [];
  const stream = Object.assign(
    textSink((text) => chunks.push(text)),
    { isTTY: options.isTTY },
  );
  return { stream, text: () => chunks.join("") };
}
