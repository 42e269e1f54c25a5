/**
 * Sane bounds (bounds.ts, docs/feed.md "Bad input"): values no real tote
 * shows are refused with the position and the field's path, instead of being
 * stored (odds of 1e308 made alerts read "+Infinity%").
 */
import { describe, expect, it } from "vitest";
import { formatFeedError, parseFeedMessage } from "../index.js";
import {
  MAX_MONEY,
  MAX_NAME_LENGTH,
  MAX_ODDS,
  MAX_POST_TIME_LENGTH,
  MAX_TIME_ZONE_LENGTH,
  MIN_ODDS,
} from "./bounds.js";

const at = { source: "day.jsonl", line: 3 };
const race = { track: "Belmont Park", date: "2025-09-12", race: 5 };
const win = (horse: object, extra: object = {}) => ({
  kind: "win",
  ...race,
  fetched_at: "2025-09-12T22:30:00Z",
  horses: [{ program_number: "1", win_odds: "5-2", ...horse }],
  ...extra,
});
const exacta = (probables: object, extra: object = {}) => ({
  kind: "exacta",
  ...race,
  fetched_at: "2025-09-12T22:30:00Z",
  probables,
  ...extra,
});
const card = (entry: object = {}, extra: object = {}) => ({
  kind: "card",
  ...race,
  entries: [{ program_number: "1", horse: "Speedy Sam", ...entry }],
  ...extra,
});

/** The one line an invalid message is logged as: `day.jsonl:3: path: reason`. */
function refusal(raw: unknown): string {
  const result = parseFeedMessage(raw, at);
  if (result.ok) throw new Error("expected an invalid message");
  return formatFeedError(result.error);
}

function accepted(raw: unknown): void {
  const result = parseFeedMessage(raw, at);
  if (!result.ok) throw new Error(formatFeedError(result.error));
}

const long = (n: number) => "x".repeat(n);

describe("feed bounds", () => {
  it("refuses odds longer than 9999-1 or shorter than 1-9999, as numbers, text and decimal dividends", () => {
    expect(MAX_ODDS).toBe(9999);
    expect(MIN_ODDS).toBeCloseTo(0.00010001, 8); // 1 / 9999
    expect(refusal(win({ win_odds: 1e308 }))).toBe(
      "day.jsonl:3: horses[0].win_odds: odds 1e+308 are longer than the maximum of 9999-1",
    );
    expect(refusal(win({ win_odds: "10000-1" }))).toMatch(
      /^day\.jsonl:3: horses\[0\]\.win_odds: odds "10000-1"/,
    );
    expect(refusal(win({ win_odds: "1-10000" }))).toMatch(/shorter than the minimum of 1-9999$/);
    // Decimal 10001 per 1 staked is 10000-1 (dividend - 1).
    expect(refusal(win({ win_odds: 10_001 }, { odds_format: "decimal" }))).toBe(
      "day.jsonl:3: horses[0].win_odds: odds 10001 (a decimal dividend: 10000-1) are longer than the maximum of 9999-1",
    );
    expect(refusal(card({ morning_line: "20000-1" }))).toMatch(
      /^day\.jsonl:3: entries\[0\]\.morning_line: odds/,
    );
    accepted(win({ win_odds: "9999-1" }));
    accepted(win({ win_odds: "1-9999" }));
    accepted(win({ win_odds: 10_000 }, { odds_format: "decimal" })); // 9999-1
  });

  it("refuses a fraction part that is not a safe integer (past 2^53 - 1 = 9007199254740991)", () => {
    expect(refusal(win({ win_odds: "99999999999999999999999-1" }))).toBe(
      'day.jsonl:3: horses[0].win_odds: "99999999999999999999999-1": fraction part 99999999999999999999999 ' +
        "is too large (not a safe integer, at most 9007199254740991)",
    );
    // Read as 1e-20 if the digits were trusted; they are not (the part is named, not the minimum).
    expect(refusal(win({ win_odds: "1/99999999999999999999" }))).toMatch(/fraction part 9{20} is too large/);
    expect(refusal(card({ morning_line: "1-99999999999999999999" }))).toMatch(
      /^day\.jsonl:3: entries\[0\]\.morning_line: .*not a safe integer/,
    );
    // 9007199254740991 is safe, then too long (9.0e15-1): refused by the maximum instead.
    expect(refusal(win({ win_odds: "9007199254740991-1" }))).toMatch(/longer than the maximum/);
  });

  it("refuses odds text over 32 characters without quoting all of it", () => {
    const reason = refusal(win({ win_odds: `${"1".repeat(5_000_000)}-1` }));
    expect(reason).toMatch(/^day\.jsonl:3: horses\[0\]\.win_odds: odds text is longer than 32 characters/);
    expect(reason.length).toBeLessThan(200);
  });

  it("refuses instants and dates outside the years 2000..2100", () => {
    expect(refusal(win({}, { fetched_at: "9999-12-31T00:00:00Z" }))).toBe(
      'day.jsonl:3: fetched_at: is outside the years 2000..2100 (got "9999-12-31T00:00:00Z")',
    );
    expect(refusal(win({}, { fetched_at: "1999-12-31T23:59:59Z" }))).toMatch(
      /^day\.jsonl:3: fetched_at: is outside/,
    );
    expect(refusal(exacta({ "1-2": 30 }, { fetched_at: "2101-01-01T00:00:00Z" }))).toMatch(
      /fetched_at: is outside/,
    );
    expect(refusal({ kind: "status", ...race, status: "off", at: "9999-12-31T00:00:00Z" })).toMatch(
      /^day\.jsonl:3: at: is outside the years/,
    );
    expect(refusal(win({}, { date: "9999-12-31" }))).toMatch(/^day\.jsonl:3: date: is outside the years/);
    expect(refusal(card({}, { post_time: "9999-12-31T18:00:00Z" }))).toBe(
      'day.jsonl:3: post_time: "9999-12-31T18:00:00Z" is outside the years 2000..2100',
    );
    // Still the calendar's own refusal first.
    expect(refusal(win({}, { date: "2025-02-30" }))).toMatch(/date: not a real calendar date/);
    expect(refusal(win({}, { fetched_at: "soon" }))).toMatch(/fetched_at: not an ISO-8601 instant/);
    accepted(win({}, { date: "2000-01-01", fetched_at: "2000-01-01T00:00:00Z" }));
    accepted(win({}, { date: "2100-12-31", fetched_at: "2100-12-31T23:59:59Z" }));
  });

  it("refuses track, horse, jockey and trainer names over 100 characters", () => {
    expect(MAX_NAME_LENGTH).toBe(100);
    const fiveMegabytes = long(5 * 1024 * 1024);
    const reason = refusal(card({ horse: fiveMegabytes }));
    expect(reason).toMatch(/^day\.jsonl:3: entries\[0\]\.horse: horse name is longer than 100 characters/);
    // The value is quoted cut at 60 characters: the log line stays short.
    expect(reason.length).toBeLessThan(200);
    expect(refusal(card({ jockey: long(101) }))).toMatch(
      /^day\.jsonl:3: entries\[0\]\.jockey: jockey is longer/,
    );
    expect(refusal(card({ trainer: long(101) }))).toMatch(/entries\[0\]\.trainer: trainer is longer/);
    expect(refusal(win({}, { track: long(101) }))).toMatch(/^day\.jsonl:3: track: track is longer/);
    expect(refusal(win({}, { track_code: long(101) }))).toMatch(
      /^day\.jsonl:3: track_code: track_code is longer/,
    );
    // Trimmed first: 100 characters with spaces around are fine.
    accepted(card({ horse: ` ${long(100)} `, jockey: long(100), trainer: long(100) }, { track: long(100) }));
  });

  it("refuses a card's timezone or post_time over 64 characters with its position, quoted cut", () => {
    expect([MAX_TIME_ZONE_LENGTH, MAX_POST_TIME_LENGTH]).toEqual([64, 64]);
    const twoMegabytes = long(2 * 1024 * 1024);
    const zone = refusal(card({}, { timezone: twoMegabytes }));
    expect(zone).toBe(`day.jsonl:3: timezone: timezone is longer than 64 characters (got "${long(60)}…")`);
    const post = refusal(card({}, { post_time: twoMegabytes }));
    expect(post).toBe(`day.jsonl:3: post_time: post_time is longer than 64 characters (got "${long(60)}…")`);
    accepted(card({}, { post_time: "2025-09-12T18:42:00.123456789-04:00".padEnd(64, " ") }));
  });

  it("quotes a refused timezone or post_time cut at 60 characters", () => {
    const zone = `Mars/${long(59)}`;
    expect(refusal(card({}, { timezone: zone }))).toBe(
      `day.jsonl:3: timezone: "${zone.slice(0, 60)}…" is not an IANA time zone (e.g. America/New_York)`,
    );
    const post = `2025-09-12T18:42:00${long(45)}`;
    expect(refusal(card({}, { post_time: post }))).toBe(
      `day.jsonl:3: post_time: post time "${post.slice(0, 60)}…" is neither an ISO-8601 instant ` +
        'with an offset nor a local "HH:MM"',
    );
  });

  it("refuses pools, amounts, payouts and stakes above 1e10", () => {
    expect(MAX_MONEY).toBe(10_000_000_000);
    expect(refusal(win({ win_pool_amount: 1e10 + 1 }))).toMatch(
      /^day\.jsonl:3: horses\[0\]\.win_pool_amount: must not exceed 10000000000 \(10 billion\)/,
    );
    expect(refusal(win({}, { total_win_pool: 2e10 }))).toMatch(
      /^day\.jsonl:3: total_win_pool: must not exceed/,
    );
    // Past 2^53 a number is not a whole number of units to zod either: refused all the same.
    expect(refusal(win({}, { total_win_pool: 1e300 }))).toMatch(
      /^day\.jsonl:3: total_win_pool: must be a whole/,
    );
    expect(refusal(exacta({ "1-2": 30 }, { total_exacta_pool: 1e11 }))).toMatch(
      /total_exacta_pool: must not exceed/,
    );
    expect(refusal(exacta({ "1-2": 1e308 }))).toMatch(
      /^day\.jsonl:3: probables\["1-2"\]: payout must not exceed/,
    );
    expect(refusal(exacta({ "1-2": 30 }, { base_amount: 1e308 }))).toMatch(
      /base_amount: base_amount must not exceed/,
    );
    expect(refusal(win({}, { odds_format: "decimal", dividend_unit: 1e308 }))).toMatch(
      /dividend_unit: dividend_unit must not exceed/,
    );
    accepted(win({ win_pool_amount: 1e10 }, { total_win_pool: 1e10 }));
    accepted(exacta({ "1-2": 1e10 }, { total_exacta_pool: 1e10 }));
  });

  it("refuses an exacta key over 17 characters, shown cut in the path", () => {
    const key = `${long(3_000_000)}-1`;
    const reason = refusal(exacta({ [key]: 30 }));
    expect(reason).toMatch(/^day\.jsonl:3: probables\["x{60}…"\]: key is longer than 17 characters/);
    expect(reason.length).toBeLessThan(200);
  });
});
