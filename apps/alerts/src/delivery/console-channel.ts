import { consoleLine } from "./format.js";
import type { Channel } from "./types.js";

/** One readable line per alert on `out` (default stdout). */
export function createConsoleChannel(out: NodeJS.WritableStream = process.stdout): Channel {
  return {
    name: "console",
    send: (alert) =>
      new Promise<void>((resolve, reject) => {
        out.write(`${consoleLine(alert)}\n`, (error) => (error ? reject(error) : resolve()));
      }),
  };
}
