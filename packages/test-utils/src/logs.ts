/** Real pino loggers whose JSON lines a test reads back, and captured streams. */
import { Writable } from "node:stream";
import { createLogger, type Logger } from "@totewatch/config";

export interface CapturedLogs {
  logger: Logger;
  records: Array<Record<string, unknown> & { level: number; msg: string }>;
}

/** A real pino logger (JSON lines) whose records are kept for assertions. */
export function captureLogs(level = "debug", name = "test"): CapturedLogs {
  const records: CapturedLogs["records"] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) records.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ name, level, stream }), records };
}

/** A logger that writes nowhere. */
export function quietLogger(): Logger {
  return createLogger({
    name: "test",
    level: "silent",
    stream: new Writable({ write: (_chunk, _encoding, done) => done() }),
  });
}

/** A writable that keeps what was written (console channel output). */
export function captureStream(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString("utf8"));
      done();
    },
  });
  return { stream, text: () => chunks.join("") };
}

export const PINO_LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;
