import { consoleLine } from "./format.js";
import type { Channel } from "./types.js";

/** A line to a local stream: its write completes at once unless the reader stalls. */
const CONSOLE_SEND_TIMEOUT_MS = 1000;

/** One readable line per alert on `out` (default stdout). */
export function createConsoleChannel(out: NodeJS.WritableStream = process.stdout): Channel {
  return {
    name: "console",
    sendTimeoutMs: CONSOLE_SEND_TIMEOUT_MS,
    send: (alert) =>
      new Promise<void>((resolve, reject) => {
        out.write(`${consoleLine(alert)}\n`, (error) => (error ? reject(error) : resolve()));
      }),
  };
}
