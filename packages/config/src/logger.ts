/**
 * The one logger factory: pino JSON lines for machines, one readable line
 * per record for a person at a terminal.
 */
import { pino } from "pino";
import { colorsForbidden } from "./environment.js";

export type Logger = pino.Logger;

export interface CreateLoggerOptions {
  /** Component name, shown on every line (e.g. "ingest", "alerts"). */
  name: string;
  /** trace | debug | info | warn | error (| fatal | silent); default info. */
  level?: string;
  /** Where JSON lines go; when given, output is always JSON. */
  stream?: NodeJS.WritableStream;
  /** Force (true) or forbid (false) the one-line human format; default: stdout is a TTY and no stream is given. */
  pretty?: boolean;
}

/**
 * A pino logger. Machines (pipes, files, log collectors) get pino's JSON
 * lines; a person at a terminal gets `time level name msg key=value` lines.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const level = options.level ?? "info";
  const pretty = options.pretty ?? (options.stream === undefined && process.stdout.isTTY === true);
  if (!pretty) {
    return options.stream
      ? pino({ name: options.name, level }, options.stream)
      : pino({ name: options.name, level });
  }
  const out = options.stream ?? process.stdout;
  const color = out === process.stdout && process.stdout.isTTY === true && !colorsForbidden();
  return pino({ name: options.name, level, base: undefined }, prettyDestination(out, { color }));
}

/** A pino destination that rewrites each JSON line as one human-readable line. */
export function prettyDestination(
  out: NodeJS.WritableStream,
  options: { color?: boolean } = {},
): { write(line: string): void } {
  return {
    write(line: string) {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      out.write(`${formatLogRecord(record, options)}\n`);
    },
  };
}

const LEVEL_COLORS: Record<string, string> = {
  trace: "\x1b[90m",
  debug: "\x1b[36m",
  info: "\x1b[32m",
  warn: "\x1b[33m",
  error: "\x1b[31m",
  fatal: "\x1b[35m",
};
const RESET = "\x1b[0m";
/** Fields shown in fixed places (or not at all) rather than as key=value. */
const FIXED_FIELDS = new Set(["time", "level", "name", "msg", "pid", "hostname", "v"]);

/**
 * `12:04:05.120 INFO  ingest polled race track="Belmont Park" race=3`, plus an error's stack below.
 * A text field the message already says (a path, a reason) is not repeated after it: JSON lines keep
 * every field, the person reads each thing once.
 */
export function formatLogRecord(record: Record<string, unknown>, options: { color?: boolean } = {}): string {
  const time = typeof record.time === "number" ? formatTime(new Date(record.time)) : "";
  const label =
    typeof record.level === "number" ? (pino.levels.labels[record.level] ?? String(record.level)) : "";
  const paddedLabel = label.toUpperCase().padEnd(5);
  const levelText = options.color ? `${LEVEL_COLORS[label] ?? ""}${paddedLabel}${RESET}` : paddedLabel;
  const parts = [time, levelText];
  if (typeof record.name === "string") parts.push(record.name);
  const msg = record.msg === undefined ? "" : String(record.msg);
  if (msg !== "") parts.push(msg);

  let stack = "";
  for (const [key, value] of Object.entries(record)) {
    if (FIXED_FIELDS.has(key) || value === undefined) continue;
    if (typeof value === "string" && saysText(msg, value)) continue;
    if (isSerializedError(value)) {
      if (!saysText(msg, value.message)) parts.push(`${key}=${formatValue(value.message)}`);
      if (value.stack) stack += `\n    ${value.stack.split("\n").join("\n    ")}`;
    } else {
      parts.push(`${key}=${formatValue(value)}`);
    }
  }
  return parts.filter((part) => part !== "").join(" ") + stack;
}

/** Whether `text` appears in `message` as a whole: not inside a longer word ("win" is not in "window"). */
function saysText(message: string, text: string): boolean {
  if (text === "") return false;
  const wordChar = /[\p{L}\p{N}_]/u;
  for (let at = message.indexOf(text); at !== -1; at = message.indexOf(text, at + 1)) {
    const before = message[at - 1];
    const after = message[at + text.length];
    const boundedBefore = before === undefined || !wordChar.test(before) || !wordChar.test(text[0]!);
    const boundedAfter = after === undefined || !wordChar.test(after) || !wordChar.test(text.at(-1)!);
    if (boundedBefore && boundedAfter) return true;
  }
  return false;
}

function formatTime(date: Date): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** Bare when unambiguous (`race=3`, `pool=win`), JSON-quoted otherwise. */
function formatValue(value: unknown): string {
  if (typeof value === "string") return /^[\w.:/@+-]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

function isSerializedError(value: unknown): value is { message: string; stack?: string } {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { message?: unknown }).message === "string" &&
    typeof (value as { stack?: unknown }).stack === "string"
  );
}
