/**
 * How a long run shows itself: a status line redrawn in place on a terminal
 * (~4 times a second), periodic JSON log lines otherwise, and at the end a
 * summary table on a terminal (the "finished" log line otherwise).
 */
import type { Logger } from "@totewatch/config";
import type { IngestStats, IngestSummary, ProgressSink } from "@totewatch/feed";

const TTY_REDRAW_MS = 250;
const LOG_EVERY_MS = 10_000;

/**
 * A TTY gets a redrawn line on `stream` (stderr); anything else gets a
 * progress log line every 10 s. `label` names the run ("replay", "poll").
 */
export function createProgress(options: {
  label: string;
  logger: Logger;
  stream?: NodeJS.WriteStream;
  now?: () => number;
}): ProgressSink {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const tty = stream.isTTY === true;
  const started = now();
  let last = started;
  let shown = false;
  const rate = (stats: IngestStats, t: number) =>
    ((stats.applied + stats.unchanged + stats.invalid) * 1000) / Math.max(t - started, 1);
  return {
    update(stats) {
      const t = now();
      if (t - last < (tty ? TTY_REDRAW_MS : LOG_EVERY_MS)) return;
      last = t;
      const messages = stats.applied + stats.unchanged + stats.invalid;
      if (tty) {
        stream.write(
          `\r\x1b[K${options.label}: ${messages} messages (${Math.round(rate(stats, t))}/s), ` +
            `${stats.rows} rows, ${stats.invalid} invalid`,
        );
        shown = true;
      } else {
        options.logger.info(
          {
            messages,
            messagesPerSecond: Math.round(rate(stats, t)),
            rows: stats.rows,
            invalid: stats.invalid,
          },
          `${options.label} progress`,
        );
      }
    },
    finish() {
      if (shown) stream.write("\r\x1b[K");
      shown = false;
    },
  };
}

/**
 * Prints the summary table for a person at a terminal. A piped or redirected
 * stdout carries JSON log lines only (so `| jq` works); there the "finished"
 * log line carries the same counts.
 */
export function printSummaryTable(
  title: string,
  summary: IngestSummary,
  out: Pick<NodeJS.WritableStream, "write"> & { isTTY?: boolean } = process.stdout,
): void {
  if (out.isTTY === true) out.write(`${formatSummaryTable(title, summary)}\n`);
}

/** The end-of-run table: applied / unchanged / invalid, rows, elapsed, messages/s. */
export function formatSummaryTable(title: string, summary: IngestSummary): string {
  const rows: Array<[string, string]> = [
    ["applied", String(summary.applied)],
    ["unchanged", String(summary.unchanged)],
    ["invalid", String(summary.invalid)],
    ["rows written", String(summary.rows)],
    ["elapsed", `${(summary.elapsedMs / 1000).toFixed(2)} s`],
    ["messages/s", summary.messagesPerSecond.toFixed(0)],
  ];
  if (summary.recorded !== undefined) rows.push(["written to file", String(summary.recorded)]);
  if (summary.interrupted) rows.push(["stopped early", "yes"]);
  const left = Math.max(title.length, ...rows.map(([k]) => k.length));
  const right = Math.max(...rows.map(([, v]) => v.length));
  const line = (l: string, m: string, r: string) =>
    `${l}${"─".repeat(left + 2)}${m}${"─".repeat(right + 2)}${r}`;
  return [
    line("┌", "─", "┐"),
    `│ ${title.padEnd(left + right + 3)} │`,
    line("├", "┬", "┤"),
    ...rows.map(([k, v]) => `│ ${k.padEnd(left)} │ ${v.padStart(right)} │`),
    line("└", "┴", "┘"),
  ].join("\n");
}
