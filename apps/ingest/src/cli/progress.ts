/**
 * How an ingest run shows itself, on cli-kit's displays: while it runs, the
 * messages seen, their rate, rows written and invalid ones (a status line on
 * a terminal, a progress log line otherwise); at the end, the summary's
 * counts, time and rate as a table on a terminal (the "finished" log line
 * carries the same figures everywhere).
 */
import { createProgressDisplay, printSummaryTable, type SummaryRow } from "@totewatch/cli-kit";
import type { Logger } from "@totewatch/config";
import { countMessages, type IngestStats, type IngestSummary, type ProgressSink } from "@totewatch/feed";

/** Progress of a run named `label` ("replay", "poll"). */
export function ingestProgress(label: string, logger: Logger): ProgressSink {
  return createProgressDisplay<IngestStats>({
    label,
    logger,
    describe(stats, elapsedMs) {
      const messages = countMessages(stats);
      const messagesPerSecond = Math.round((messages * 1000) / Math.max(elapsedMs, 1));
      return {
        text: `${messages} messages (${messagesPerSecond}/s), ${stats.rows} rows, ${stats.invalid} invalid`,
        fields: { messages, messagesPerSecond, rows: stats.rows, invalid: stats.invalid },
      };
    },
  });
}

/** The end-of-run table: applied / unchanged / invalid, rows, elapsed, messages/s; printed on a terminal only. */
export function printIngestSummary(
  title: string,
  summary: IngestSummary,
  out?: Parameters<typeof printSummaryTable>[2],
): void {
  const rows: SummaryRow[] = [
    ["applied", String(summary.applied)],
    ["unchanged", String(summary.unchanged)],
    ["invalid", String(summary.invalid)],
    ["rows written", String(summary.rows)],
    ["elapsed", `${(summary.elapsedMs / 1000).toFixed(2)} s`],
    ["messages/s", summary.messagesPerSecond.toFixed(0)],
  ];
  if (summary.recorded !== undefined) rows.push(["written to file", String(summary.recorded)]);
  if (summary.emptyFiles !== undefined) rows.push(["files without messages", String(summary.emptyFiles)]);
  if (summary.interrupted) rows.push(["stopped early", "yes"]);
  printSummaryTable(title, rows, out);
}
