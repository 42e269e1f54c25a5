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
import type { EndpointAdapter } from "@totewatch/config";
import type { FeedRecord } from "@totewatch/feed";
import type { BoardOddsFormat } from "@totewatch/tote";
import { htmlDocument, jsonDocument, type PageDocument } from "./documents.js";
import { PageReader } from "./page-reader.js";

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
