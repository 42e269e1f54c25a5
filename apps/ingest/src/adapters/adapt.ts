/**
 * Page adapters: one response body of an `html` or `json` endpoint (a card, a win board, exacta
 * probables) into the feed messages the feed format would carry (docs/feed.md), as raw feed
 * records, so the feed's own validation (parseFeedMessage, in the ingestor or `ingest probe`)
 * holds every rule about a valid message. Pure: no I/O, testable on strings.
 *
 * Invariants:
 * - A field that cannot be read is one AdapterProblem (the URL, the kind and field, the selector
 *   or path, the text seen, why) and the rest of the page goes on: an unreadable odds cell drops
 *   that runner from the board, an unreadable payout that combination, an unreadable program
 *   number its row; an optional field (jockey, pool) is left out.
 * - A body an adapter cannot open at all (JSON that does not parse) is `ok: false`: a failed
 *   fetch, retried, as a feed body that is not JSON is.
 * - A selector or path that matches nothing where rows must be (card `races`/`entries`, win
 *   `rows`, exacta `rows`/`matrix`) is a problem ("matched nothing"); no exacta message is made
 *   without a single probable.
 * - An adapter that throws (a selector cheerio cannot parse, which selectors.ts should have
 *   refused at config load) is one problem and no records, `ok: true`: not a failed fetch, so
 *   the page is not re-fetched for it.
 * - Win odds are read in the track's oddsFormat and the message says so (`odds_format`,
 *   `dividend_unit`); morning lines are odds-to-1 (docs/feed.md).
 */
import type { CardMapping, EndpointAdapter, ExactaMapping, WinMapping } from "@totewatch/config";
import type { FeedRecord } from "@totewatch/feed";
import type { BoardOddsFormat } from "@totewatch/tote";
import {
  cleanText,
  readMoney,
  readMorningLine,
  readOdds,
  readPool,
  readPostTime,
  readProgram,
  readRaceNumber,
  type CellRead,
} from "./cells.js";
import { htmlDocument, jsonDocument, type PageDocument } from "./documents.js";

/** What the adapter knows besides the body: where it came from and which race it is for. */
export interface AdapterContext {
  /** The URL as shown (password masked): positions and problems name it. */
  url: string;
  track: { name: string; code?: string; oddsFormat: BoardOddsFormat["oddsFormat"]; dividendUnit: number };
  date: string;
  /** The race the URL was filled with ({race}); a card page may name its races itself. */
  race?: number;
  /** When the body was fetched (epoch ms): the boards' `fetched_at`. */
  fetchedAt: number;
}

/** A field an adapter could not read. */
export interface AdapterProblem {
  url: string;
  /** e.g. `win rows[2].odds` */
  field: string;
  /** The selector (html) or path (json) it was read with; `module <path>` for a module endpoint. */
  query: string;
  /** The text seen; undefined when the selector matched nothing. */
  text: string | undefined;
  reason: string;
}

/**
 * `fault`: the adapter itself failed on this body (a module that threw, rejected, returned
 * nothing usable or took too long): reported as a problem, and the page's validators are
 * forgotten so the next poll reads the body again.
 */
export type AdaptResult =
  | { ok: true; records: FeedRecord[]; problems: AdapterProblem[]; fault?: true }
  | { ok: false; reason: string };

/**
 * One line for a log or a table: `win rows[2].odds (td.odds) at URL: "7x2": not a board odds form`;
 * a module's problem names the module (`(module ./board.ts)`) and, with no text, says no text.
 */
export function describeProblem(problem: AdapterProblem): string {
  const fromModule = problem.query.startsWith("module ");
  const seen =
    problem.text !== undefined ? `${JSON.stringify(problem.text)}: ` : fromModule ? "" : "nothing matched: ";
  return `${problem.field} (${problem.query}) at ${problem.url}: ${seen}${problem.reason}`;
}

export function adaptBody(adapter: EndpointAdapter, body: string, ctx: AdapterContext): AdaptResult {
  // A module endpoint has no mapping: read-page.ts hands its body to the module instead.
  if (adapter.format === "module")
    return { ok: false, reason: `a module endpoint is read by its module (${adapter.module})` };
  let doc: PageDocument<unknown>;
  try {
    doc = (adapter.format === "html" ? htmlDocument(body) : jsonDocument(body)) as PageDocument<unknown>;
  } catch (error) {
    return { ok: false, reason: `body is not JSON: ${(error as Error).message.split("\n")[0]}` };
  }
  const reader = new PageReader(doc, ctx);
  let messages: unknown[];
  try {
    messages =
      adapter.kind === "card"
        ? reader.cards(adapter.mapping)
        : adapter.kind === "win"
          ? reader.win(adapter.mapping)
          : reader.exacta(adapter.mapping, adapter.format);
  } catch (error) {
    // A selector the page library cannot use (`tr:nth-child(`) fails on every page alike:
    // reported as a problem of the mapping, not a failed fetch to re-fetch every poll.
    const reason = `adapter error (a bad selector or path in the mapping?): ${String((error as Error).message ?? error).split("\n")[0]}`;
    return {
      ok: true,
      records: [],
      problems: [
        { url: ctx.url, field: `${adapter.kind} mapping`, query: "(mapping)", text: undefined, reason },
      ],
    };
  }
  const records: FeedRecord[] = messages.map((raw, index) => ({
    ok: true,
    position: { source: ctx.url, index },
    raw,
  }));
  return { ok: true, records, problems: reader.problems };
}

class PageReader<Node> {
  readonly problems: AdapterProblem[] = [];

  constructor(
    private readonly doc: PageDocument<Node>,
    private readonly ctx: AdapterContext,
  ) {}

  private problem(field: string, query: string, text: string | undefined, reason: string): void {
    this.problems.push({
      url: this.ctx.url,
      field,
      query,
      text: text === undefined ? undefined : cleanText(text),
      reason,
    });
  }

  /** Reads `query` in `scope` with `read`; a problem (and undefined) when it matches nothing or is unreadable. */
  private read<T>(
    scope: Node,
    field: string,
    query: string,
    read: (text: string) => CellRead<T>,
    required = true,
  ): T | undefined {
    const text = this.doc.text(scope, query);
    if (text === undefined) {
      if (required) this.problem(field, query, undefined, "not found");
      return undefined;
    }
    const result = read(text);
    if (!result.ok) {
      this.problem(field, query, text, result.reason);
      return undefined;
    }
    return result.value;
  }

  private raceKey(race: number) {
    return { track: this.ctx.track.name, date: this.ctx.date, race };
  }

  private fetchedAt(): string {
    return new Date(this.ctx.fetchedAt).toISOString();
  }

  cards(m: CardMapping): unknown[] {
    const races = m.races === undefined ? [this.doc.root] : this.doc.all(this.doc.root, m.races);
    const messages: unknown[] = [];
    if (races.length === 0) {
      this.problem("card races", m.races!, undefined, "matched nothing: no card message");
      return messages;
    }
    races.forEach((raceNode, raceIndex) => {
      const at = m.races === undefined ? "card" : `card races[${raceIndex}]`;
      const race =
        m.number === undefined
          ? this.ctx.race
          : this.read(raceNode, `${at}.number`, m.number, readRaceNumber);
      if (race === undefined) {
        if (m.number === undefined)
          this.problem(`${at}.number`, "(none)", undefined, "no number selector and no {race} in the URL");
        return;
      }
      const postTime =
        m.postTime === undefined
          ? undefined
          : this.read(raceNode, `${at}.postTime`, m.postTime, readPostTime, false);
      const entries: Record<string, unknown>[] = [];
      const rows = this.doc.all(raceNode, m.entries!);
      if (rows.length === 0) {
        this.problem(`${at}.entries`, m.entries!, undefined, "matched nothing: no card message");
        return;
      }
      rows.forEach((row, i) => {
        const field = (name: string) => `${at} entries[${i}].${name}`;
        const program = this.read(row, field("program"), m.program!, readProgram);
        const horse = this.read(row, field("horse"), m.horse!, (text) => {
          const name = cleanText(text);
          return name === "" ? { ok: false, reason: "empty" } : { ok: true, value: name };
        });
        if (program === undefined || horse === undefined) return;
        const entry: Record<string, unknown> = { program_number: program, horse };
        if (m.morningLine !== undefined) {
          const line = this.read(row, field("morningLine"), m.morningLine, readMorningLine, false);
          if (line) entry.morning_line = line;
        }
        for (const [key, query] of [
          ["jockey", m.jockey],
          ["trainer", m.trainer],
        ] as const) {
          if (query === undefined) continue;
          const text = cleanText(this.doc.text(row, query) ?? "");
          if (text !== "" && text !== "-") entry[key] = text;
        }
        if (m.scratched !== undefined && this.doc.has(row, m.scratched)) entry.scratched = true;
        entries.push(entry);
      });
      if (entries.length === 0) {
        this.problem(`${at}.entries`, m.entries!, undefined, "no runner could be read: no card message");
        return;
      }
      messages.push({
        kind: "card",
        ...this.raceKey(race),
        ...(this.ctx.track.code === undefined ? {} : { track_code: this.ctx.track.code }),
        ...(postTime === undefined ? {} : { post_time: postTime }),
        entries,
      });
    });
    return messages;
  }

  win(m: WinMapping): unknown[] {
    const race = this.requireRace("win");
    if (race === undefined) return [];
    const board = { oddsFormat: this.ctx.track.oddsFormat, dividendUnit: this.ctx.track.dividendUnit };
    const horses: Record<string, unknown>[] = [];
    const rows = this.doc.all(this.doc.root, m.rows!);
    if (rows.length === 0) {
      this.problem("win rows", m.rows!, undefined, "matched nothing: no win message");
      return [];
    }
    rows.forEach((row, i) => {
      const field = (name: string) => `win rows[${i}].${name}`;
      const program = this.read(row, field("program"), m.program!, readProgram);
      if (program === undefined) return;
      const odds = this.read(row, field("odds"), m.odds!, (text) => readOdds(text, board));
      if (odds === undefined) return;
      const horse: Record<string, unknown> = { program_number: program, win_odds: odds };
      if (m.pool !== undefined) {
        const pool = this.read(row, field("pool"), m.pool, readPool, false);
        if (pool !== undefined && pool !== null) horse.win_pool_amount = pool;
      }
      horses.push(horse);
    });
    if (horses.length === 0) {
      this.problem("win rows", m.rows!, undefined, "no runner could be read: no win message");
      return [];
    }
    const total =
      m.total === undefined ? undefined : this.read(this.doc.root, "win total", m.total, readPool);
    return [
      {
        kind: "win",
        ...this.raceKey(race),
        fetched_at: this.fetchedAt(),
        odds_format: board.oddsFormat,
        ...(board.oddsFormat === "decimal" ? { dividend_unit: board.dividendUnit } : {}),
        ...(total === undefined || total === null ? {} : { total_win_pool: total }),
        horses,
      },
    ];
  }

  exacta(m: ExactaMapping, format: "html" | "json"): unknown[] {
    const race = this.requireRace("exacta");
    if (race === undefined) return [];
    const probables: Record<string, number | null> = {};
    if (m.matrix !== undefined && format === "html") this.matrix(m.matrix, probables);
    else if (m.rows !== undefined) this.list(m, probables);
    // Never a message with no probables: the layout changed (reported where it matched nothing)
    // or no combination could be read.
    if (Object.keys(probables).length === 0) {
      const query = m.matrix !== undefined && format === "html" ? m.matrix : (m.rows ?? "(none)");
      this.problem("exacta probables", query, undefined, "no combination could be read: no exacta message");
      return [];
    }
    const total =
      m.total === undefined ? undefined : this.read(this.doc.root, "exacta total", m.total, readPool);
    return [
      {
        kind: "exacta",
        ...this.raceKey(race),
        fetched_at: this.fetchedAt(),
        ...(m.baseAmount === undefined ? {} : { base_amount: m.baseAmount }),
        ...(total === undefined || total === null ? {} : { total_exacta_pool: total }),
        probables,
      },
    ];
  }

  /** A probables table: the first row names the second horse of each column, each row's first cell its first horse. */
  private matrix(query: string, probables: Record<string, number | null>): void {
    const [table] = this.doc.all(this.doc.root, query);
    if (table === undefined) {
      this.problem("exacta matrix", query, undefined, "not found");
      return;
    }
    const [header, ...rows] = this.doc.all(table, "tr");
    if (header === undefined) {
      this.problem("exacta matrix rows", `${query} tr`, undefined, "matched nothing");
      return;
    }
    const seconds = this.doc.all(header, "th, td").map((cell, column) => {
      if (column === 0) return undefined;
      return this.read(cell, `exacta matrix header[${column}]`, ".", readProgram);
    });
    rows.forEach((row, r) => {
      const [firstCell, ...cells] = this.doc.all(row, "th, td");
      if (firstCell === undefined) return;
      const first = this.read(firstCell, `exacta matrix rows[${r}].first`, ".", readProgram);
      if (first === undefined) return;
      cells.forEach((cell, c) => {
        const second = seconds[c + 1];
        if (second === undefined || second === first) return;
        const payout = this.read(cell, `exacta matrix rows[${r}][${second}]`, ".", readMoney);
        if (payout !== undefined && payout !== null) probables[`${first}-${second}`] = payout;
      });
    });
  }

  /** A list of combinations: `combo` ("1-2", or "1-2 $45.40" with the payout in it) or `first` and `second`, and `payout`. */
  private list(m: ExactaMapping, probables: Record<string, number | null>): void {
    const rows = this.doc.all(this.doc.root, m.rows!);
    if (rows.length === 0) this.problem("exacta rows", m.rows!, undefined, "matched nothing");
    rows.forEach((row, i) => {
      const field = (name: string) => `exacta rows[${i}].${name}`;
      let first: string | undefined;
      let second: string | undefined;
      let payoutText: string | undefined;
      if (m.combo !== undefined) {
        const pair = this.read(row, field("combo"), m.combo, (text) => {
          const match = /^([0-9]{1,3}[A-Z]?)\s*[-/x]\s*([0-9]{1,3}[A-Z]?)(?:\s+(.*))?$/i.exec(
            cleanText(text),
          );
          return match
            ? { ok: true, value: [match[1]!.toUpperCase(), match[2]!.toUpperCase(), match[3]] as const }
            : { ok: false, reason: 'not a combination (e.g. "1-2")' };
        });
        if (pair === undefined) return;
        [first, second, payoutText] = pair;
      } else {
        first = this.read(row, field("first"), m.first!, readProgram);
        second = this.read(row, field("second"), m.second!, readProgram);
        if (first === undefined || second === undefined) return;
      }
      const payout =
        m.payout !== undefined
          ? this.read(row, field("payout"), m.payout, readMoney)
          : payoutText !== undefined
            ? this.readText(field("combo"), m.combo!, payoutText, readMoney)
            : undefined;
      if (payout === undefined) {
        if (m.payout === undefined && payoutText === undefined)
          this.problem(
            field("payout"),
            m.combo!,
            undefined,
            "no payout selector and none after the combination",
          );
        return;
      }
      if (payout !== null) probables[`${first}-${second}`] = payout;
    });
  }

  private readText<T>(
    field: string,
    query: string,
    text: string,
    read: (text: string) => CellRead<T>,
  ): T | undefined {
    const result = read(text);
    if (result.ok) return result.value;
    this.problem(field, query, text, result.reason);
    return undefined;
  }

  private requireRace(kind: string): number | undefined {
    if (this.ctx.race !== undefined) return this.ctx.race;
    this.problem(`${kind} race`, "(none)", undefined, "a board page needs {race} in its URL");
    return undefined;
  }
}
