/** Tables for people (cli-table3), without colours: output is read in terminals and in logs alike. */
import Table from "cli-table3";

export type { Table };

export function createTable(head: string[], options: { colWidths?: number[] } = {}): Table.Table {
  return new Table({ head, style: { head: [], border: [] }, ...options });
}

/** A two-column title/value table: the end-of-run summaries. */
export function summaryTable(title: string, rows: ReadonlyArray<readonly [string, string]>): string {
  const table = createTable([title, ""]);
  for (const [key, value] of rows) table.push([key, { content: value, hAlign: "right" }]);
  return table.toString();
}
