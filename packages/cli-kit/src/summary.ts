/**
 * End-of-run summaries for a person at a terminal. A piped or redirected
 * stdout carries JSON log lines only (so `| jq` works); there the command's
 * "finished" log line carries the same figures, and no table is printed.
 */
import { summaryTable } from "./table.js";

/** A label and its value, already formatted ("elapsed", "1.50 s"). */
export type SummaryRow = readonly [label: string, value: string];

export function printSummaryTable(
  title: string,
  rows: readonly SummaryRow[],
  out: Pick<NodeJS.WritableStream, "write"> & { isTTY?: boolean } = process.stdout,
): void {
  if (out.isTTY === true) out.write(`${summaryTable(title, rows)}\n`);
}
