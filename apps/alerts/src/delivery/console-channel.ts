import { consoleAlertLine } from "./console-format.js";
import { consoleDigest } from "./digest-format.js";
import type { Channel } from "./types.js";

/** A line to a local stream: its write completes at once unless the reader stalls. */
const CONSOLE_SEND_TIMEOUT_MS = 1000;

/**
 * Where the console's lines go. Given the process's stdout while stdout is not a terminal (a pipe,
 * a file), they go to stderr instead: stdout then carries the JSON log lines, one per line, and
 * stays parseable (`alerts run | jq`). Any other stream is used as given.
 */
export function consoleStream(
  out: NodeJS.WritableStream,
  processStreams: { stdout: NodeJS.WritableStream & { isTTY?: boolean }; stderr: NodeJS.WritableStream } = {
    stdout: process.stdout,
    stderr: process.stderr,
  },
): NodeJS.WritableStream {
  return out === processStreams.stdout && processStreams.stdout.isTTY !== true ? processStreams.stderr : out;
}

/** One readable line per alert on `out` (default stdout; stderr when stdout is not a terminal). */
export function createConsoleChannel(out: NodeJS.WritableStream = process.stdout): Channel {
  const target = consoleStream(out);
  const write = (text: string) =>
    new Promise<void>((resolve, reject) => {
      target.write(`${text}\n`, (error) => (error ? reject(error) : resolve()));
    });
  return {
    name: "console",
    sendTimeoutMs: CONSOLE_SEND_TIMEOUT_MS,
    send: (alert) => write(consoleAlertLine(alert)),
    // A digest: one block (a header line, then the alerts' lines), written at once.
    sendDigest: (alerts) => write(consoleDigest(alerts)),
  };
}
