/** Tables for people (cli-table3), without colours: output is read in terminals and in logs alike. */
import Table from "cli-table3";

export type { Table };

export function createTable(
  head: string[],
  options: { colWidths?: number[]; wordWrap?: boolean } = {},
): Table.Table {
  return new Table({ head, style: { head: [], border: [] }, ...options });
}

/** A two-column title/value table: the end-of-run summaries. */
export function summaryTable(title: string, rows: ReadonlyArray<readonly [string, string]>): string {
  const table = createTable([title, ""]);
  for (const [key, value] of rows) table.push([key, { content: value, hAlign: "right" }]);
  return table.toString();
}

/** Code points, which is what a terminal shows of this output (box drawing, "…", Latin text). */
const displayWidth = (text: string): number => [...text].length;

export interface FittedTableOptions {
  /** The widest line allowed (e.g. a terminal's 100 columns). */
  maxWidth: number;
  /** Index of the column that gives way: it gets the width the others leave. */
  flex: number;
  /** What the flexible column does with longer text: wrap onto more lines at word boundaries, or clip ("…"). */
  overflow: "wrap" | "clip";
  /** The flexible column keeps at least this many characters, even if the table then stays wider. */
  minFlexWidth?: number;
}

/**
 * createTable's table of `head` and `rows`, no wider than `maxWidth`: every column but one is as
 * wide as its widest cell, and the `flex` column wraps or clips its text into what is left.
 */
export function fittedTable(
  head: string[],
  rows: ReadonlyArray<readonly string[]>,
  options: FittedTableOptions,
): string {
  const widthOf = (column: number) =>
    Math.max(displayWidth(head[column] ?? ""), ...rows.map((row) => displayWidth(row[column] ?? "")));
  const PADDING = 2;
  const colWidths = head.map((_, column) => widthOf(column) + PADDING);
  // A line is its columns plus one border before each and one at the end.
  const others = colWidths.reduce((sum, width, column) => (column === options.flex ? sum : sum + width), 0);
  const room = options.maxWidth - others - (head.length + 1);
  colWidths[options.flex] = Math.min(
    colWidths[options.flex]!,
    Math.max(room, (options.minFlexWidth ?? 10) + PADDING),
  );
  const table = createTable(head, { colWidths, wordWrap: options.overflow === "wrap" });
  for (const row of rows) table.push([...row]);
  return table.toString();
}
