import { describe, expect, it } from "vitest";
import { createTable, summaryTable } from "./table.js";

const ANSI_ESCAPE = "\x1b[";

describe("createTable", () => {
  it("draws a plain table, without ANSI colours", () => {
    const table = createTable(["race", "alerts"]);
    table.push(["1", "3"], ["10", "0"]);
    expect(table.toString()).toBe(
      [
        "┌──────┬────────┐",
        "│ race │ alerts │",
        "├──────┼────────┤",
        "│ 1    │ 3      │",
        "├──────┼────────┤",
        "│ 10   │ 0      │",
        "└──────┴────────┘",
      ].join("\n"),
    );
  });

  it("takes column widths", () => {
    const table = createTable(["track"], { colWidths: [10] });
    table.push(["Saratoga"]);
    expect(table.toString().split("\n")[1]).toBe("│ track    │");
    expect(table.toString()).not.toContain(ANSI_ESCAPE);
  });
});

describe("summaryTable", () => {
  it("lists title/value rows with the values right-aligned, in plain text", () => {
    const text = summaryTable("replay", [
      ["messages", "1,204"],
      ["elapsed", "1.50 s"],
    ]);
    expect(text).toBe(
      [
        "┌──────────┬────────┐",
        "│ replay   │        │",
        "├──────────┼────────┤",
        "│ messages │  1,204 │",
        "├──────────┼────────┤",
        "│ elapsed  │ 1.50 s │",
        "└──────────┴────────┘",
      ].join("\n"),
    );
    expect(text).not.toContain(ANSI_ESCAPE);
  });
});
