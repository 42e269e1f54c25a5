import { describe, expect, it } from "vitest";
import { printSummaryTable } from "./summary.js";

function capture(isTTY: boolean): string {
  let written = "";
  printSummaryTable(
    "replay",
    [
      ["applied", "2"],
      ["elapsed", "1.50 s"],
    ],
    {
      isTTY,
      write: (text: string) => {
        written += text;
        return true;
      },
    },
  );
  return written;
}

describe("printSummaryTable", () => {
  it("prints a title/value table with values right-aligned on a terminal", () => {
    const table = capture(true);
    expect(table).toMatch(/│ replay\s+│/);
    expect(table).toMatch(/│ applied\s+│\s+2 │/);
    expect(table).toMatch(/│ elapsed\s+│ 1\.50 s │/);
    expect(table.endsWith("\n")).toBe(true);
  });

  it("prints nothing when stdout is a pipe or a file", () => {
    expect(capture(false)).toBe("");
  });
});
