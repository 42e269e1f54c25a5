/**
 * Feed text into raw messages with their positions: the text of a feed file
 * (JSON Lines or one JSON array), as it arrives in chunks, and HTTP response
 * bodies. Pure: the caller reads the bytes (files.ts streams a file in);
 * validation is parseFeedMessage's job.
 */
import { feedError, type FeedError, type FeedPosition } from "./position.js";

/** One raw message with where it came from, or a position whose text is not JSON. */
export type FeedRecord =
  | { ok: true; position: FeedPosition; raw: unknown }
  | { ok: false; position: FeedPosition; error: FeedError };

const BYTE_ORDER_MARK = "\uFEFF";

/**
 * The messages of a feed file's text, in order, from its chunks. A feed file
 * may be JSON Lines or one JSON array under any name (docs/feed.md), so the
 * content decides: text whose first non-blank character is `[` is one array
 * (positions `source#index`); anything else is JSON Lines, read as it comes
 * (positions are 1-based lines; blank lines are skipped; a line that is not
 * JSON is an invalid record at that line). A leading UTF-8 byte order mark is
 * skipped.
 */
export async function* readFeedChunks(
  chunks: AsyncIterable<string>,
  source: string,
): AsyncGenerator<FeedRecord> {
  let format: "lines" | "array" | undefined;
  const arrayParts: string[] = [];
  let line = 0;
  let rest = "";
  let first = true;
  for await (const chunk of chunks) {
    const text = rest + (first && chunk.startsWith(BYTE_ORDER_MARK) ? chunk.slice(1) : chunk);
    first = false;
    if (format === undefined) {
      const start = text.search(/\S/);
      // Only blanks so far: keep them (they count as lines) until a character decides.
      if (start === -1) {
        rest = text;
        continue;
      }
      format = text[start] === "[" ? "array" : "lines";
    }
    if (format === "array") {
      arrayParts.push(text);
      rest = "";
      continue;
    }
    let start = 0;
    for (let end = text.indexOf("\n", start); end !== -1; end = text.indexOf("\n", start)) {
      line++;
      const record = lineRecord(text.slice(start, end), { source, line });
      if (record) yield record;
      start = end + 1;
    }
    rest = text.slice(start);
  }
  if (format === "array") {
    yield* jsonArrayRecords(arrayParts.join(""), source);
    return;
  }
  if (rest !== "") {
    const record = lineRecord(rest, { source, line: line + 1 });
    if (record) yield record;
  }
}

function lineRecord(text: string, position: FeedPosition): FeedRecord | null {
  // Tolerate CRLF files and indentation; blank lines are not messages.
  if (text.trim() === "") return null;
  try {
    return { ok: true, position, raw: JSON.parse(text) };
  } catch (error) {
    return { ok: false, position, error: feedError(position, `not JSON: ${shortJsonError(error)}`) };
  }
}

function* jsonArrayRecords(text: string, source: string): Generator<FeedRecord> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const position = { source };
    yield { ok: false, position, error: feedError(position, `not JSON: ${shortJsonError(error)}`) };
    return;
  }
  const items = Array.isArray(value) ? value : [value];
  for (let index = 0; index < items.length; index++)
    yield { ok: true, position: { source, index }, raw: items[index] };
}

function shortJsonError(error: unknown): string {
  return (error as Error).message.split("\n")[0] ?? "syntax error";
}

/**
 * A response body as feed records: one message, a JSON array of them, or
 * JSON Lines (positions `source#index`). `ok: false` when the body is not
 * JSON at all (an HTML error page, a truncated body): a source failure to
 * retry, not a set of invalid messages.
 */
export function parseFeedBody(
  text: string,
  source: string,
): { ok: true; records: FeedRecord[] } | { ok: false; reason: string } {
  // trim() also drops a leading UTF-8 byte order mark (U+FEFF is JavaScript whitespace).
  const trimmed = text.trim();
  if (trimmed === "") return { ok: false, reason: "empty body" };
  try {
    const value: unknown = JSON.parse(trimmed);
    const items = Array.isArray(value) ? value : [value];
    return { ok: true, records: items.map((raw, index) => ({ ok: true, position: { source, index }, raw })) };
  } catch (error) {
    const lines = trimmed.split("\n").filter((l) => l.trim() !== "");
    if (lines.length < 2) return { ok: false, reason: `body is not JSON: ${shortJsonError(error)}` };
    const records: FeedRecord[] = [];
    for (const [index, lineText] of lines.entries()) {
      try {
        records.push({ ok: true, position: { source, index }, raw: JSON.parse(lineText) });
      } catch (lineError) {
        return {
          ok: false,
          reason: `body is not JSON Lines (line ${index + 1}: ${shortJsonError(lineError)})`,
        };
      }
    }
    return { ok: true, records };
  }
}
