/**
 * A worked example of a `format: module` endpoint (docs/adapters.md): the win board of an
 * imaginary tote that serves plain text, which no CSS selector or JSON path can read:
 *
 *   RACE 3  POOL 12,345
 *   1  5-2  2,000
 *   2  EVN  4,500
 *   3  SCR
 *   4  9-2  1,200
 *
 * (a header with the race and the win pool total, then one line per runner: program number,
 * odds as the board shows them, the runner's win pool money if any). Configured as
 *
 *   win: { url: "https://tote.example/{date}/{race}/board.txt", format: module,
 *          module: ./adapters/plain-text-board.ts }   # relative to the config file's folder
 *
 * The interface: the module exports one function (default export, or named `adapt`) taking the
 * response body and a context, and returning the feed messages (docs/feed.md) it made, alone or
 * with the fields it could not read; it may be async:
 *
 *   (body: string, ctx: { url, kind, track: { name, code?, oddsFormat, dividendUnit }, date,
 *                         race?, fetchedAt })
 *     => unknown[] | { messages: unknown[]; problems?: { field, text?, reason }[] }
 *
 * What it returns is checked by the feed's own validation like any feed message: a message the
 * feed refuses is counted invalid and stored not at all, so the module need not be perfect, only
 * honest. Odds may be left as the board writes them ("5-2", "EVN", "SCR"): the feed reads them.
 * A problem it returns is logged as an unreadable field (with the URL and the module's path) and
 * counted for `ingest poll --strict`; an error it throws is one such problem and no messages for
 * that fetch (the poller goes on, and the page is not re-fetched for it).
 *
 * It imports nothing, so it can be copied anywhere; the types below are the interface's shape
 * (apps/ingest/src/adapters/module-adapter.ts has the same, and a test checks they agree).
 */

export interface BoardContext {
  url: string;
  kind: "card" | "win" | "exacta";
  track: { name: string; code?: string; oddsFormat: "odds_to_one" | "decimal"; dividendUnit: number };
  date: string;
  race?: number;
  fetchedAt: number;
}

export interface BoardProblem {
  field: string;
  text?: string;
  reason: string;
}

/** Odds as a North American board writes them: 5-2, 5/2, 7, EVN / EVEN, SCR. */
const ODDS = /^(?:\d{1,3}(?:[-/]\d{1,2})?|EVN|EVEN|SCR)$/i;
/** A runner line: program (1, 1A), odds, and an optional pool amount with thousands commas. */
const RUNNER = /^(\d{1,3}[A-Z]?)\s+(\S+)(?:\s+([\d,]+))?$/i;
const HEADER = /^RACE\s+(\d{1,2})\s+POOL\s+([\d,]+)$/i;

const money = (text: string) => Number(text.replaceAll(",", ""));

export default function plainTextBoard(
  body: string,
  ctx: BoardContext,
): { messages: unknown[]; problems: BoardProblem[] } {
  const problems: BoardProblem[] = [];
  if (ctx.kind !== "win") {
    return {
      messages: [],
      problems: [{ field: "kind", text: ctx.kind, reason: "this module reads win boards only" }],
    };
  }
  const [first = "", ...lines] = body
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const header = HEADER.exec(first);
  if (header === null) {
    return {
      messages: [],
      problems: [{ field: "header", text: first, reason: 'expected "RACE <n>  POOL <amount>"' }],
    };
  }
  const race = Number(header[1]);
  // The {race} the URL was filled with wins; a board for another race is the wrong page.
  if (ctx.race !== undefined && ctx.race !== race) {
    const reason = `the board is for race ${race}, the URL for race ${ctx.race}`;
    return { messages: [], problems: [{ field: "header.race", text: first, reason }] };
  }
  const horses: Record<string, unknown>[] = [];
  lines.forEach((line, i) => {
    const runner = RUNNER.exec(line);
    if (runner === null) {
      problems.push({ field: `lines[${i}]`, text: line, reason: "not a runner line (program odds [pool])" });
      return;
    }
    const [, program, odds, pool] = runner;
    if (!ODDS.test(odds!)) {
      // Dropping the runner keeps the rest of the board: the feed would refuse the whole message.
      problems.push({ field: `lines[${i}].odds`, text: odds, reason: "not board odds (e.g. 5-2, EVN, SCR)" });
      return;
    }
    horses.push({
      program_number: program!.toUpperCase(),
      win_odds: odds!.toUpperCase(),
      ...(pool === undefined ? {} : { win_pool_amount: money(pool) }),
    });
  });
  if (horses.length === 0) return { messages: [], problems };
  const message = {
    kind: "win",
    track: ctx.track.name,
    date: ctx.date,
    race,
    fetched_at: new Date(ctx.fetchedAt).toISOString(),
    total_win_pool: money(header[2]!),
    horses,
  };
  return { messages: [message], problems };
}
