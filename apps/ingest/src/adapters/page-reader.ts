/**
 * Reading one page's fields into raw feed messages (adapt.ts's PageReader): a card's races and
 * entries, a win board's rows, exacta probables as a matrix or a list. Every field that cannot be
 * read becomes one AdapterProblem and the rest of the page goes on (adapt.ts states the rules).
 */
import type { CardMapping, ExactaMapping, WinMapping } from "@totewatch/config";
import type { AdapterContext, AdapterProblem } from "./adapt.js";
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
import type { PageDocument } from "./documents.js";

export class PageReader<Node> {
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
