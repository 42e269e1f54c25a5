/**
 * Cell text as tote boards write it, read into feed values (pure). Every reader returns
 * `{ ok: true, value }` or `{ ok: false, reason }`; the adapter reports a refusal with the URL,
 * the selector or path and the text seen, and goes on with the rest of the page.
 *
 * - Non-breaking and thin spaces are spaces; footnote marks (`*`, `†`, `‡`, `§`, superscript
 *   digits) are dropped; runs of white space become one space.
 * - Money: `$1,234`, `£`, `€`, `HK$`, `US$`; blank, `-` or `—` is no money (null).
 * - Odds-to-1: `5-2`, `5/2`, `5 - 2`, `EVN`/`EVEN`/`EVS`, `12`; decimal boards: `3.50`; both:
 *   `SCR`/`SCRATCHED`; blank or `-` is no odds now (null).
 */
import { parseOddsAs, type BoardOddsFormat } from "@totewatch/tote";

export type CellRead<T> = { ok: true; value: T } | { ok: false; reason: string };

const SPACES = /[\u00a0\u2007\u2009\u202f\s]+/g;
const FOOTNOTES = /[*†‡§¹²³⁰⁴⁵⁶⁷⁸⁹]/g;

/** Text with spaces and footnote marks normalised (see the module comment). */
export function cleanText(text: string): string {
  return text.replace(FOOTNOTES, "").replace(SPACES, " ").trim();
}

const NO_VALUE = new Set(["", "-", "—", "–", "--"]);

/**
 * A money amount: a number, or null for no money. Separators are read only where the form says
 * which is which, never guessed: `1,234` / `1,234.50` / `$1,234` (comma thousands, dot decimal);
 * `1.234,50`, `12,50` (a comma then 1-2 digits at the end: decimal comma, dots thousands);
 * `1.234.567` (two or more dot groups: dot thousands). `1.234` (one dot then exactly 3 digits:
 * 1234 in Europe, 1.234 in the US) and any other mix is refused, so it is reported, not misread.
 */
export function readMoney(text: string): CellRead<number | null> {
  const cleaned = cleanText(text);
  if (NO_VALUE.has(cleaned)) return { ok: true, value: null };
  const bare = cleaned.replace(/^(HK|US|A|NZ)?\s*[$£€¥]\s*/i, "").replace(/\s+/g, "");
  if (/^(\d+|\d{1,3}(,\d{3})+)(\.\d{1,2})?$/.test(bare))
    return { ok: true, value: Number(bare.replace(/,/g, "")) };
  if (/^(\d+|\d{1,3}(\.\d{3})+),\d{1,2}$/.test(bare))
    return { ok: true, value: Number(bare.replace(/\./g, "").replace(",", ".")) };
  if (/^\d{1,3}(\.\d{3}){2,}$/.test(bare)) return { ok: true, value: Number(bare.replace(/\./g, "")) };
  if (/^\d{1,3}\.\d{3}$/.test(bare))
    return { ok: false, reason: "ambiguous amount: dot thousands or dot decimal?" };
  return { ok: false, reason: "not an amount" };
}

/** A pool amount in whole currency units (cents dropped to the nearest unit). */
export function readPool(text: string): CellRead<number | null> {
  const money = readMoney(text);
  return money.ok && money.value !== null ? { ok: true, value: Math.round(money.value) } : money;
}

/**
 * Win odds as the feed takes them: text in the board's format ("5-2", "SCR", a decimal dividend
 * as a number) or null for no odds now; checked here so one bad cell drops one runner, not the board.
 */
export function readOdds(text: string, board: BoardOddsFormat): CellRead<string | number | null> {
  const cleaned = cleanText(text);
  if (NO_VALUE.has(cleaned)) return { ok: true, value: null };
  if (/^scr(atched)?$/i.test(cleaned)) return { ok: true, value: "SCR" };
  // A decimal board's dividend may be written with a decimal comma: "3,50" is 3.50.
  const decimal = board.oddsFormat === "decimal" ? cleaned.replace(/^(\d+),(\d{1,2})$/, "$1.$2") : cleaned;
  const value: string | number =
    board.oddsFormat === "decimal" && /^\d+(\.\d+)?$/.test(decimal)
      ? Number(decimal)
      : cleaned.replace(/\s*([-/])\s*/, "$1");
  const parsed = parseOddsAs(value, board);
  return parsed.ok ? { ok: true, value } : { ok: false, reason: parsed.error };
}

/** A morning line: always odds-to-1 (docs/feed.md); null when blank or "SCR" (the scratch is its own field). */
export function readMorningLine(text: string): CellRead<string | null> {
  const read = readOdds(text, { oddsFormat: "odds_to_one", dividendUnit: 1 });
  if (!read.ok) return read;
  return { ok: true, value: read.value === null || read.value === "SCR" ? null : String(read.value) };
}

/** A program number: "1", "1A", "12X" (footnote marks and spaces dropped). */
export function readProgram(text: string): CellRead<string> {
  const cleaned = cleanText(text).replace(/\s+/g, "").toUpperCase();
  return /^[0-9]{1,3}[A-Z]?$/.test(cleaned)
    ? { ok: true, value: cleaned }
    : { ok: false, reason: "not a program number" };
}

/**
 * A race number: the number after "Race" / "R" ("Race 5", "R5", "12/7 Race 5" is 5), else the
 * cell must be the number itself (1-99); anything else ("Sat 2025-09-12") is refused.
 */
export function readRaceNumber(text: string): CellRead<number> {
  const cleaned = cleanText(text);
  const match = /\b(?:race|r)\s*#?\s*(\d{1,2})\b/i.exec(cleaned) ?? /^#?(\d{1,2})$/.exec(cleaned);
  const value = match ? Number(match[1]) : 0;
  return value >= 1 && value <= 99 ? { ok: true, value } : { ok: false, reason: "no race number" };
}

/** A scratch marker's text: SCR / SCRATCHED / X / ✓ / Y / yes / true / 1 (blank is not a scratch). */
export function isScratchText(text: string): boolean {
  return /^(scr|scratched|x|✓|✔|y|yes|true|1)$/i.test(cleanText(text));
}

/**
 * A post time as the feed takes it: an instant with an offset passes through; a local time
 * `6:42 PM`, `18:42`, `6:42p` becomes `HH:MM`.
 */
export function readPostTime(text: string): CellRead<string> {
  const cleaned = cleanText(text);
  if (/^\d{4}-\d{2}-\d{2}T/.test(cleaned)) return { ok: true, value: cleaned };
  // AM/PM only as a whole token: "PT", "PDT", "AEST", "Post" after the time are not a half-day.
  const match = /(\d{1,2}):(\d{2})(?::\d{2})?(?:\s*(a\.m\.|p\.m\.|am|pm|a|p)(?![a-z]))?/i.exec(cleaned);
  if (!match) return { ok: false, reason: "not a post time" };
  let hour = Number(match[1]);
  const minute = Number(match[2]);
  const half = match[3]?.[0]?.toLowerCase();
  if (minute > 59) return { ok: false, reason: "not a post time: minutes past 59" };
  if (half !== undefined) {
    if (hour < 1 || hour > 12) return { ok: false, reason: "not a post time: hour not 1-12 with am/pm" };
    if (half === "p" && hour < 12) hour += 12;
    if (half === "a" && hour === 12) hour = 0;
  }
  if (hour > 23) return { ok: false, reason: "not a post time: hour past 23" };
  return { ok: true, value: `${String(hour).padStart(2, "0")}:${match[2]}` };
}
