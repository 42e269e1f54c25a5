/** Plain-text layout for a person at a terminal. */

/**
 * One line of text as lines no wider than `width` (code points), broken at spaces; the lines after
 * the first start with `indent` so they read as one entry. A word longer than a line is cut.
 */
export function wrapLine(text: string, width: number, indent = "    "): string[] {
  const lines: string[] = [];
  let line = "";
  const room = () => width - [...(lines.length === 0 ? "" : indent)].length;
  for (const word of text.split(" ")) {
    const candidate = line === "" ? word : `${line} ${word}`;
    if ([...candidate].length <= room() || line === "") {
      line = candidate;
    } else {
      lines.push(line);
      line = word;
    }
    // A single word wider than the line: cut it where the line ends.
    while ([...line].length > room()) {
      const chars = [...line];
      lines.push(chars.slice(0, room()).join(""));
      line = chars.slice(room()).join("");
    }
  }
  if (line !== "" || lines.length === 0) lines.push(line);
  return lines.map((part, index) => (index === 0 ? part : `${indent}${part}`));
}
