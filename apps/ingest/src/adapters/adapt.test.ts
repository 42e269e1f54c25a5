/**
 * Page adapters on the fixture pages (test-fixtures/pages/), as strings: what each makes, that
 * the feed's own validation accepts every message, and every unreadable field reported with
 * the URL, the selector or path and the text seen while the rest of the page goes on.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseConfig, type EndpointAdapter } from "@totewatch/config";
import { parseFeedMessage, type FeedRecord } from "@totewatch/feed";
import { describe, expect, it } from "vitest";
import { adaptBody, describeProblem, type AdapterContext } from "./adapt.js";
import {
  cleanText,
  isScratchText,
  readMoney,
  readOdds,
  readPool,
  readPostTime,
  readProgram,
  readRaceNumber,
} from "./cells.js";
import { jsonPath } from "./documents.js";
import { checkSelectors, selectorProblems } from "./selectors.js";

const page = (name: string) =>
  readFileSync(path.join(import.meta.dirname, "../../test-fixtures/pages", name), "utf8");

/** The adapters of a config's only track, parsed as totewatch.yaml would be. */
function adaptersOf(endpoints: Record<string, unknown>, track: Record<string, unknown> = {}) {
  const config = parseConfig(
    JSON.stringify({
      tracks: [{ name: "Test Downs", code: "TST", pools: ["win", "exacta"], endpoints, ...track }],
    }),
  );
  return config.tracks[0]!.adapters!;
}

const US: AdapterContext["track"] = {
  name: "Test Downs",
  code: "TST",
  oddsFormat: "odds_to_one",
  dividendUnit: 1,
};
const HK: AdapterContext["track"] = { name: "Sha Tin", oddsFormat: "decimal", dividendUnit: 10 };
const FETCHED = Date.parse("2025-09-12T17:55:00Z");
const ctx = (over: Partial<AdapterContext> = {}): AdapterContext => ({
  url: "http://127.0.0.1/page",
  track: US,
  date: "2025-09-12",
  race: 1,
  fetchedAt: FETCHED,
  ...over,
});

/** The raw messages, each checked by the feed's own validation first. */
function messagesOf(records: FeedRecord[], board: AdapterContext["track"] = US): unknown[] {
  return records.map((record) => {
    if (!record.ok) throw new Error("unexpected record error");
    const parsed = parseFeedMessage(record.raw, record.position, { oddsFormatOf: () => board });
    if (!parsed.ok) throw new Error(parsed.error.reason);
    return record.raw;
  });
}

const usEndpoints = {
  card: {
    url: "http://127.0.0.1/card/{date}",
    format: "html",
    races: "section.race",
    number: ".race-no",
    postTime: ".post",
    entries: "table.entries tbody tr",
    program: ".pgm",
    horse: ".horse",
    morningLine: ".ml",
    jockey: ".jockey",
    trainer: ".trainer",
    scratched: ".scratched",
  },
  win: {
    url: "http://127.0.0.1/win/{date}/{race}",
    format: "html",
    rows: "#tote tbody tr",
    program: ".pgm",
    odds: ".odds",
    pool: ".pool",
    total: "#win-total",
  },
  exacta: {
    url: "http://127.0.0.1/exacta/{date}/{race}",
    format: "html",
    matrix: "table.probables",
    total: ".pool",
  },
};

describe("cell text as boards write it", () => {
  it("reads money, odds, program numbers and post times", () => {
    expect(cleanText("\u00a045.40*\u00a0†")).toBe("45.40");
    expect(readMoney("$1,234")).toEqual({ ok: true, value: 1234 });
    expect(readMoney("HK$ 1,234.5")).toEqual({ ok: true, value: 1234.5 });
    expect(readMoney("£12")).toEqual({ ok: true, value: 12 });
    expect(readMoney("€8.40¹")).toEqual({ ok: true, value: 8.4 });
    expect(readMoney(" - ")).toEqual({ ok: true, value: null });
    expect(readMoney("")).toEqual({ ok: true, value: null });
    expect(readMoney("n/a").ok).toBe(false);
    const us = { oddsFormat: "odds_to_one", dividendUnit: 1 } as const;
    expect(readOdds("5/2", us)).toEqual({ ok: true, value: "5/2" });
    expect(readOdds("5 - 2", us)).toEqual({ ok: true, value: "5-2" });
    expect(readOdds("EVN", us)).toEqual({ ok: true, value: "EVN" });
    expect(readOdds("scr", us)).toEqual({ ok: true, value: "SCR" });
    expect(readOdds("-", us)).toEqual({ ok: true, value: null });
    expect(readOdds("7x2", us).ok).toBe(false);
    const hk = { oddsFormat: "decimal", dividendUnit: 10 } as const;
    expect(readOdds("35", hk)).toEqual({ ok: true, value: 35 });
    // 9 per $10 pays back less than the stake: not a dividend.
    expect(readOdds("9", hk).ok).toBe(false);
    expect(readProgram(" 1a ")).toEqual({ ok: true, value: "1A" });
    expect(readPostTime("Post time: 1:00 PM CT")).toEqual({ ok: true, value: "13:00" });
    expect(readPostTime("12:05a")).toEqual({ ok: true, value: "00:05" });
    expect(jsonPath({ a: [{ b: 1 }, { b: 2 }, {}] }, "a.*.b")).toEqual([1, 2]);
  });
});

describe("html pages", () => {
  const adapters = adaptersOf(usEndpoints);

  it("reads a US entries page: coupled entry, scratch marker, morning lines as boards write them", () => {
    const result = adaptBody(adapters.card!, page("us-card.html"), ctx({ race: undefined }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.problems).toEqual([]);
    expect(messagesOf(result.records)).toEqual([
      {
        kind: "card",
        track: "Test Downs",
        track_code: "TST",
        date: "2025-09-12",
        race: 1,
        // "1:00 PM CT": the local time, read in the track's zone by the feed.
        post_time: "13:00",
        entries: [
          {
            program_number: "1",
            horse: "First Light",
            morning_line: "5-2",
            jockey: "J. Ortiz",
            trainer: "T. Pletcher",
          },
          // The footnote mark after the name is dropped.
          {
            program_number: "1A",
            horse: "Coupled Mate",
            morning_line: "5-2",
            jockey: "I. Ortiz Jr.",
            trainer: "T. Pletcher",
          },
          {
            program_number: "2",
            horse: "Second Wind",
            morning_line: "3/1",
            jockey: "F. Prat",
            trainer: "C. Brown",
          },
          // SCR as a morning line is no line; the row's class is the scratch marker; "-" is no jockey.
          { program_number: "3", horse: "Scratched Cat", trainer: "S. Asmussen", scratched: true },
          {
            program_number: "4",
            horse: "Evens Steven",
            morning_line: "EVN",
            jockey: "L. Saez",
            trainer: "B. Cox",
          },
        ],
      },
    ]);
  });

  it("reads a US win board and reports the one cell it cannot read, keeping the rest", () => {
    const result = adaptBody(adapters.win!, page("us-win.html"), ctx());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(messagesOf(result.records)).toEqual([
      {
        kind: "win",
        track: "Test Downs",
        date: "2025-09-12",
        race: 1,
        fetched_at: "2025-09-12T17:55:00.000Z",
        odds_format: "odds_to_one",
        total_win_pool: 40445,
        horses: [
          // The coupled entry as each member, at the entry's price and amount ($12,345 = 12345).
          { program_number: "1", win_odds: "5/2", win_pool_amount: 12345 },
          { program_number: "1A", win_odds: "5/2", win_pool_amount: 12345 },
          // "3-1*": the footnote dropped; "$&nbsp;8,000" = 8000.
          { program_number: "2", win_odds: "3-1", win_pool_amount: 8000 },
          // SCR scratches the runner; "-" is no money, so no amount.
          { program_number: "3", win_odds: "SCR" },
          { program_number: "4", win_odds: "EVN", win_pool_amount: 20000 },
        ],
      },
    ]);
    expect(result.problems).toEqual([
      {
        url: "http://127.0.0.1/page",
        field: "win rows[5].odds",
        query: ".odds",
        text: "7x2",
        reason: expect.any(String),
      },
    ]);
    expect(describeProblem(result.problems[0]!)).toMatch(
      /^win rows\[5\]\.odds \(\.odds\) at http:\/\/127\.0\.0\.1\/page: "7x2": /,
    );
  });

  it("reads a probables matrix with blanks, dashes, a scratched row and column, and footnotes", () => {
    const result = adaptBody(adapters.exacta!, page("probables-matrix.html"), ctx());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.problems).toEqual([]);
    expect(messagesOf(result.records)).toEqual([
      {
        kind: "exacta",
        track: "Test Downs",
        date: "2025-09-12",
        race: 1,
        fetched_at: "2025-09-12T17:55:00.000Z",
        total_exacta_pool: 30120,
        // Row = first horse, column = second: row 1 col 2 "$45.40*" is 1-2 45.40; row 2 col 4
        // "$9.80†" is 2-4 9.80; row 4 col 2 "$8.40¹" is 4-2 8.40. Blanks, "-" and row/column 3 give nothing.
        probables: { "1-2": 45.4, "1-4": 12.6, "2-1": 50, "2-4": 9.8, "4-1": 11.2, "4-2": 8.4 },
      },
    ]);
  });

  it('reads a list of probables ("1-2 $45.40") and reports a garbled line', () => {
    const [adapter] = [
      adaptersOf({
        ...usEndpoints,
        exacta: { url: "http://127.0.0.1/x/{race}", format: "html", rows: "li", combo: "." },
      }).exacta!,
    ];
    const body = "<ul><li>1-2 $45.40</li><li>2-1&nbsp;$50.00*</li><li>1-4 -</li><li>12 $9</li></ul>";
    const result = adaptBody(adapter, body, ctx());
    if (!result.ok) throw new Error(result.reason);
    expect((messagesOf(result.records)[0] as { probables: unknown }).probables).toEqual({
      "1-2": 45.4,
      "2-1": 50,
    });
    expect(result.problems.map((p) => [p.field, p.text])).toEqual([["exacta rows[3].combo", "12 $9"]]);
  });
});

describe("json pages", () => {
  const adapters = adaptersOf(
    {
      card: {
        url: "http://127.0.0.1/hk/card",
        format: "json",
        races: "meeting.races.*",
        number: "raceNo",
        postTime: "postTime",
        entries: "runners.*",
        program: "no",
        horse: "horse.name",
        jockey: "jockey.name",
        trainer: "trainer.name",
        scratched: "status",
      },
      win: {
        url: "http://127.0.0.1/hk/{race}/win",
        format: "json",
        rows: "runners.*",
        program: "no",
        odds: "odds.win",
        pool: "investment.win",
        total: "race.pools.win.total",
      },
      exacta: {
        url: "http://127.0.0.1/hk/{race}/exacta",
        format: "json",
        rows: "combinations.*",
        first: "first",
        second: "second",
        payout: "dividend",
        total: "pool.exacta.total",
        baseAmount: 10,
      },
    },
    { oddsFormat: "decimal", dividendUnit: 10 },
  );
  const hk = (over: Partial<AdapterContext> = {}) => ctx({ track: HK, date: "2025-09-14", ...over });

  it("reads nested runners of every race on a card", () => {
    const result = adaptBody(adapters.card!, page("hk-card.json"), hk({ race: undefined }));
    if (!result.ok) throw new Error(result.reason);
    expect(result.problems).toEqual([]);
    const cards = messagesOf(result.records, HK) as { race: number; post_time: string; entries: unknown[] }[];
    expect(cards.map((card) => [card.race, card.post_time, card.entries.length])).toEqual([
      [1, "2025-09-14T13:00:00+08:00", 3],
      [2, "2025-09-14T13:30:00+08:00", 1],
    ]);
    expect(cards[0]!.entries[2]).toEqual({
      program_number: "3",
      horse: "Beauty Eternal",
      jockey: "Z. Purton",
      trainer: "J. Size",
      // "status": "Scratched" is a scratch; "Declared" is not.
      scratched: true,
    });
  });

  it("reads decimal dividends per $10 as the track's board quotes them", () => {
    const result = adaptBody(adapters.win!, page("hk-win.json"), hk());
    if (!result.ok) throw new Error(result.reason);
    expect(result.problems).toEqual([]);
    const [win] = messagesOf(result.records, HK);
    // "35" per $10 is 3.5 per 1, 5-2; 18 per $10 is 1.8, 4-5: the feed stores odds-to-1 2.5 and 0.8.
    expect(win).toMatchObject({
      odds_format: "decimal",
      dividend_unit: 10,
      total_win_pool: 1234567,
      horses: [
        { program_number: "1", win_odds: 35, win_pool_amount: 352733 },
        { program_number: "2", win_odds: 18, win_pool_amount: 685870 },
        // null investment: no amount.
        { program_number: "3", win_odds: "SCR" },
      ],
    });
  });

  it("reads an exacta list at its own base; a dash is no money", () => {
    const result = adaptBody(adapters.exacta!, page("hk-exacta.json"), hk());
    if (!result.ok) throw new Error(result.reason);
    expect(result.problems).toEqual([]);
    // 45.5 and 61 at base 10 (above its minimum 10.50); the feed stores them per $2: 9.10 and 12.20.
    expect(messagesOf(result.records, HK)).toEqual([
      expect.objectContaining({
        base_amount: 10,
        total_exacta_pool: 2500000,
        probables: { "1-2": 45.5, "2-1": 61 },
      }),
    ]);
  });

  it("is a failed fetch when the body is not JSON at all", () => {
    expect(adaptBody(adapters.win!, "<html>503</html>", hk())).toMatchObject({ ok: false });
  });
});

describe("endpoint config", () => {
  it("names the path of a bad mapping", () => {
    expect(() =>
      adaptersOf({ ...usEndpoints, win: { url: "http://x/{race}", format: "html", rows: "tr" } }),
    ).toThrow(/tracks\[0\]\.endpoints\.win\.program: required for format: html/);
  });

  it("keeps a plain URL as the feed format (no adapter)", () => {
    const adapters: Partial<Record<string, EndpointAdapter>> = adaptersOf({
      ...usEndpoints,
      win: "http://127.0.0.1/win/{race}",
    });
    expect(adapters.win).toBeUndefined();
    expect(adapters.card?.format).toBe("html");
  });
});

describe("review fixes", () => {
  it("A1: reads a separator only where the form says which it is; refuses 1.234 rather than guess", () => {
    // Comma thousands, dot decimal, as before: 1,234 = 1234; 1,234.50 = 1234.5.
    expect(readMoney("1,234")).toEqual({ ok: true, value: 1234 });
    expect(readMoney("$1,234.50")).toEqual({ ok: true, value: 1234.5 });
    // Decimal comma: a comma then 1-2 digits at the end. 12,50 is 12.50 (was misread 1250);
    // €1.234,50 is 1234 + 0.50 = 1234.5 (was misread 1.2345).
    expect(readMoney("12,50")).toEqual({ ok: true, value: 12.5 });
    expect(readMoney("€1.234,50")).toEqual({ ok: true, value: 1234.5 });
    // Two dot groups cannot be a decimal: 1.234.567 = 1234567.
    expect(readMoney("1.234.567")).toEqual({ ok: true, value: 1234567 });
    // 1.234 is 1234 in Europe and 1.234 in the US: refused (reported), not guessed; as a pool it
    // was rounded to 1.
    expect(readMoney("1.234").ok).toBe(false);
    expect(readPool("1.234").ok).toBe(false);
    // A comma group that is not 3 digits, or a mix, is not an amount.
    expect(readMoney("1,23,4").ok).toBe(false);
    expect(readMoney("1.234,5678").ok).toBe(false);
    // A decimal board's dividend with a decimal comma: 35,50 per $10 is 35.5 (was refused).
    expect(readOdds("35,50", { oddsFormat: "decimal", dividendUnit: 10 })).toEqual({ ok: true, value: 35.5 });
  });

  it("A2: reads AM/PM only as a whole token and refuses minutes past 59", () => {
    // "PT" / "PDT" / "AEST" / "Post" are not PM or AM: 11:30 stays 11:30 (was 23:30) ...
    expect(readPostTime("11:30 PT")).toEqual({ ok: true, value: "11:30" });
    expect(readPostTime("11:05 PDT")).toEqual({ ok: true, value: "11:05" });
    expect(readPostTime("12:30 AEST")).toEqual({ ok: true, value: "12:30" });
    expect(readPostTime("6:42 Post")).toEqual({ ok: true, value: "06:42" });
    // ... while the whole tokens still are: 6:42 pm = 6 + 12 = 18:42; 12:05 a.m. = 00:05.
    expect(readPostTime("6:42 pm")).toEqual({ ok: true, value: "18:42" });
    expect(readPostTime("6:42 p.m.")).toEqual({ ok: true, value: "18:42" });
    expect(readPostTime("6:42p")).toEqual({ ok: true, value: "18:42" });
    expect(readPostTime("12:05 a.m.")).toEqual({ ok: true, value: "00:05" });
    expect(readPostTime("12:30 PM")).toEqual({ ok: true, value: "12:30" });
    // 75 minutes (was "18:75"), hour 24, and 13 PM are no time.
    expect(readPostTime("6:75 PM").ok).toBe(false);
    expect(readPostTime("24:00").ok).toBe(false);
    expect(readPostTime("13:00 PM").ok).toBe(false);
  });

  it("A3: takes the number after Race / R, else only a bare 1-99", () => {
    expect(readRaceNumber("12/7 Race 5")).toEqual({ ok: true, value: 5 }); // was 12
    expect(readRaceNumber("Sat 2025-09-12 Race 3")).toEqual({ ok: true, value: 3 }); // was 2025
    expect(readRaceNumber("R7")).toEqual({ ok: true, value: 7 });
    expect(readRaceNumber(" 9 ")).toEqual({ ok: true, value: 9 });
    expect(readRaceNumber("Sat 2025-09-12").ok).toBe(false); // was 2025
    expect(readRaceNumber("0").ok).toBe(false);
    expect(readRaceNumber("123").ok).toBe(false);
  });

  it("A4: reports a races / entries / rows / matrix selector that matches nothing; no empty exacta", () => {
    const adapters = adaptersOf(usEndpoints);
    const card = adaptBody(adapters.card!, "<html><body><div>new layout</div></body></html>", ctx());
    if (!card.ok) throw new Error(card.reason);
    expect(card.records).toEqual([]);
    expect(card.problems.map((p) => [p.field, p.query, p.url, p.reason])).toEqual([
      ["card races", "section.race", "http://127.0.0.1/page", "matched nothing: no card message"],
    ]);
    // The race is found, its entries table is gone.
    const entries = adaptBody(
      adapters.card!,
      '<section class="race"><span class="race-no">Race 1</span><div>no table</div></section>',
      ctx(),
    );
    if (!entries.ok) throw new Error(entries.reason);
    expect(entries.records).toEqual([]);
    expect(entries.problems.map((p) => [p.field, p.query])).toEqual([
      ["card races[0].entries", "table.entries tbody tr"],
    ]);
    // The matrix table is gone: no message with probables {} (was one, stored), and reported.
    const matrix = adaptBody(adapters.exacta!, "<div>moved</div>", ctx());
    if (!matrix.ok) throw new Error(matrix.reason);
    expect(matrix.records).toEqual([]);
    expect(matrix.problems.map((p) => [p.field, p.query])).toEqual([
      ["exacta matrix", "table.probables"],
      ["exacta probables", "table.probables"],
    ]);
    const list = adaptersOf({
      ...usEndpoints,
      exacta: { url: "http://127.0.0.1/x/{race}", format: "html", rows: "li", combo: "." },
    }).exacta!;
    const rows = adaptBody(list, "<ul></ul>", ctx());
    if (!rows.ok) throw new Error(rows.reason);
    expect(rows.records).toEqual([]);
    expect(rows.problems.map((p) => [p.field, p.query, p.reason])).toEqual([
      ["exacta rows", "li", "matched nothing"],
      ["exacta probables", "li", "no combination could be read: no exacta message"],
    ]);
  });

  it("A5: a scratch marker needs scratch text (html and json); a blank cell is no scratch", () => {
    expect(["SCR", "scratched", "X", "✓", "yes", "true", "1"].every(isScratchText)).toBe(true);
    expect(["", " ", "no", "0"].some(isScratchText)).toBe(false);
    const html = adaptersOf({
      ...usEndpoints,
      card: {
        url: "http://127.0.0.1/card/{date}",
        format: "html",
        entries: "tr",
        program: ".pgm",
        horse: ".horse",
        scratched: "td.scr",
      },
    }).card!;
    // Every row has a td.scr; only row 2's says X. Was: all three scratched.
    const body = `<table>
      <tr><td class="pgm">1</td><td class="horse">Alpha</td><td class="scr"></td></tr>
      <tr><td class="pgm">2</td><td class="horse">Bravo</td><td class="scr">X</td></tr>
      <tr><td class="pgm">3</td><td class="horse">Charlie</td><td class="scr">&nbsp;</td></tr>
    </table>`;
    const read = adaptBody(html, body, ctx());
    if (!read.ok) throw new Error(read.reason);
    const entries = (messagesOf(read.records)[0] as { entries: { scratched?: boolean }[] }).entries;
    expect(entries.map((e) => e.scratched === true)).toEqual([false, true, false]);

    const json = adaptersOf({
      ...usEndpoints,
      card: {
        url: "http://127.0.0.1/card/{date}",
        format: "json",
        entries: "runners.*",
        program: "pgm",
        horse: "name",
        scratched: "scr",
      },
    }).card!;
    const runners = [
      { pgm: "1", name: "Alpha", scr: 1 }, // was ignored
      { pgm: "2", name: "Bravo", scr: 0 },
      { pgm: "3", name: "Charlie", scr: "" },
      { pgm: "4", name: "Delta", scr: "SCR" },
    ];
    const jsonRead = adaptBody(json, JSON.stringify({ runners }), ctx());
    if (!jsonRead.ok) throw new Error(jsonRead.reason);
    const jsonEntries = (messagesOf(jsonRead.records)[0] as { entries: { scratched?: boolean }[] }).entries;
    expect(jsonEntries.map((e) => e.scratched === true)).toEqual([true, false, false, true]);
  });

  it("A6: a selector the page library cannot parse is a reported problem, not a failed fetch", () => {
    const adapter = adaptersOf({
      ...usEndpoints,
      win: {
        url: "http://127.0.0.1/win/{race}",
        format: "html",
        rows: "tr:nth-child(",
        program: ".pgm",
        odds: ".odds",
      },
    }).win!;
    const result = adaptBody(adapter, "<table><tr><td>1</td></tr></table>", ctx());
    // ok: true, so the poller does not re-fetch it as a failed fetch; probe exits 1 on the problem.
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.records).toEqual([]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ field: "win mapping", url: "http://127.0.0.1/page" });
    expect(result.problems[0]!.reason).toMatch(/^adapter error/);
  });

  it("A6: a bad html selector is a config error naming its path, found when the config is loaded", () => {
    const config = parseConfig(
      JSON.stringify({
        tracks: [
          {
            name: "Test Downs",
            pools: ["win", "exacta"],
            endpoints: {
              ...usEndpoints,
              win: { ...usEndpoints.win, rows: "tr:nth-child(" },
            },
          },
        ],
      }),
    );
    expect(selectorProblems(config).map((p) => p.path)).toEqual(["tracks[0].endpoints.win.rows"]);
    expect(() => checkSelectors({ ...config, source: "/x/totewatch.yaml" })).toThrow(
      /tracks\[0\]\.endpoints\.win\.rows: not a CSS selector/,
    );
    // The good config passes through unchanged.
    const good = parseConfig(
      JSON.stringify({ tracks: [{ name: "T", pools: ["win"], endpoints: usEndpoints }] }),
    );
    expect(checkSelectors(good)).toBe(good);
  });

  it("A6: a render: browser waitFor that is not a selector is a config error too (it would only time out)", () => {
    const config = parseConfig(
      JSON.stringify({
        tracks: [
          {
            name: "Test Downs",
            pools: ["win"],
            endpoints: {
              ...usEndpoints,
              win: { ...usEndpoints.win, render: "browser", waitFor: "table tr:nth-child(" },
            },
          },
        ],
      }),
    );
    expect(selectorProblems(config).map((p) => p.path)).toEqual(["tracks[0].endpoints.win.waitFor"]);
    expect(() => checkSelectors({ ...config, source: "/x/totewatch.yaml" })).toThrow(
      /tracks\[0\]\.endpoints\.win\.waitFor: not a CSS selector cheerio can use: "table tr:nth-child\("/,
    );
  });
});
