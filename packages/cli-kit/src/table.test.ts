import { describe, expect, it } from "vitest";
import { createTable, fittedTable, summaryTable } from "./table.js";

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

describe("fittedTable", () => {
  const head = ["time", "race", "message"];
  const long =
    "exacta 4-5 (#4 Maple Bandit over #5 Midnight Voyage) probable $301.80 vs fair $121.86 " +
    "from the win pool (+147.7%, overlay), 10 min to post";
  const rows = [
    ["16:20:00 EST", "Belmont Park R8", long],
    ["15:50:00 PST", "Santa Anita Park R7", "#3 Thunder Road: 5-1 -> 5-2"],
  ];
  const widths = (text: string) => text.split("\n").map((line) => [...line].length);

  it("is drawn as it is when it fits", () => {
    const natural = createTable(head);
    natural.push(...rows.map((row) => [...row]));
    expect(fittedTable(head, rows, { maxWidth: 200, flex: 2, overflow: "clip" })).toBe(natural.toString());
  });

  it("wraps the flexible column at word boundaries so every line fits, losing no word", () => {
    const text = fittedTable(head, rows, { maxWidth: 60, flex: 2, overflow: "wrap" });
    expect(Math.max(...widths(text))).toBeLessThanOrEqual(60);
    expect(Math.max(...widths(text))).toBeGreaterThan(55);
    const cells = text
      .split("\n")
      .filter((line) => line.startsWith("│"))
      .map((line) => line.split("│")[3]!.trim())
      .join(" ");
    for (const word of long.split(" ")) expect(cells).toContain(word);
    expect(text).toContain("│ 16:20:00 EST │ Belmont Park R8     │");
  });

  it("clips the flexible column with an ellipsis so every line fits", () => {
    const text = fittedTable(head, rows, { maxWidth: 60, flex: 2, overflow: "clip" });
    expect(widths(text).every((width) => width === 60)).toBe(true);
    expect(text).toContain("│ exacta 4-5 (#4 Map… │");
    expect(text.split("\n")).toHaveLength(7);
  });

  it("keeps the flexible column at its minimum width when the others leave too little", () => {
    const text = fittedTable(head, rows, { maxWidth: 20, flex: 2, overflow: "clip", minFlexWidth: 8 });
    expect(text).toContain("│ exacta … │");
    expect(text.split("\n")[0]).toHaveLength(49);
  });
});
