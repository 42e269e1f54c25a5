import { describe, expect, it } from "vitest";
import { wrapLine } from "./text.js";

describe("wrapLine", () => {
  it("leaves a line that fits as it is", () => {
    expect(wrapLine("13:42:05 EDT Saratoga R5 [steam]", 40)).toEqual(["13:42:05 EDT Saratoga R5 [steam]"]);
    expect(wrapLine("", 40)).toEqual([""]);
  });

  it("breaks at spaces, continuation lines indented, none wider than the width", () => {
    const text =
      "12:50:00 EST Belmont Park R1 exacta 1-7 [exacta_overlay] (#1 Storm Gambler over #7 Rebel Mirage) " +
      "probable $189.80 vs fair $79.68 from the win pool (+138.2%, overlay), 10 min to post";
    const lines = wrapLine(text, 100);
    expect(lines).toEqual([
      "12:50:00 EST Belmont Park R1 exacta 1-7 [exacta_overlay] (#1 Storm Gambler over #7 Rebel Mirage)",
      "    probable $189.80 vs fair $79.68 from the win pool (+138.2%, overlay), 10 min to post",
    ]);
    for (const line of wrapLine(`${text} ${text} ${text}`, 50)) expect(line.length).toBeLessThanOrEqual(50);
    expect(
      wrapLine(text, 30)
        .map((line) => line.trim())
        .join(" "),
    ).toBe(text);
  });

  it("cuts a word longer than a line", () => {
    expect(wrapLine("see /a/very/long/path/to/a/feed/file.jsonl now", 16, "  ")).toEqual([
      "see",
      "  /a/very/long/p",
      "  ath/to/a/feed/",
      "  file.jsonl now",
    ]);
  });
});
