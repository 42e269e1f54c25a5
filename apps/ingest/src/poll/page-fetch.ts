/**
 * The body of an html, json or module endpoint (a PageRead) into feed records, for the poller's
 * pollEndpoint (poller.ts), which commits them as it commits a feed endpoint's:
 * - html / json fetched (default): the adapter runs inside http.fetchFeed's decoder, so a body it
 *   cannot open at all (JSON that does not parse) is a failed fetch, retried;
 * - html with `render: browser`: the page is loaded in Chromium (browser-render.ts) and the page
 *   as built goes to the same html adapter; robots.txt is asked first (browserMayLoad), and the
 *   host's politeness gap is kept (http.waitForHost);
 * - module: the body is fetched as it is, then handed to the user's module (module-adapter.ts),
 *   which may be async, so it runs after the fetch rather than inside the decoder; it is given
 *   http.timeoutMs and ends with stop(), and a module that throws, rejects or times out leaves no
 *   validators behind (the next poll fetches the body again rather than getting a 304).
 *
 * A rendered page's failures and recoveries are counted with fetched pages' (http.ts's
 * recordFetchFailure / recordFetchSuccess): one "source keeps failing" warning either way.
 *
 * Every field an adapter could not read (or a module reported, or a module that threw) is
 * warned about once (URL, field, selector / path / module, the text seen); the same problem on
 * the next poll of the page is logged at debug. Each is counted (`unreadable`) for the summary.
 */
import type { Logger } from "@totewatch/config";
import type { FeedRecord } from "@totewatch/feed";
import { adaptBody, describeProblem, type AdapterContext, type AdapterProblem } from "../adapters/adapt.js";
import type { ModuleRegistry } from "../adapters/module-adapter.js";
import { readPage } from "../adapters/read-page.js";
import type { BrowserRenderer } from "./browser-render.js";
import type { PageRead } from "./context.js";
import type { FeedHttpClient } from "./http.js";
import type { RobotsVerdict } from "./robots.js";

/** Unreadable-field lines remembered as warned (then forgotten, so a daemon's memory stays flat). */
const MAX_WARNED_PROBLEMS = 10_000;

export type PageFetchResult =
  { ok: true; records: FeedRecord[] } | { ok: false; error: string; stopped: boolean };

export interface PageFetcherOptions {
  http: FeedHttpClient;
  /** Created on the first render: browser and page share the poller's life. */
  renderer: () => BrowserRenderer;
  /** The imported module endpoints (loadAdapterModules, at the poller's start). */
  modules: () => ModuleRegistry;
  logger?: Logger;
  signal: AbortSignal;
  /** How long a module may take over one body (http.timeoutMs): longer is one module problem. */
  timeoutMs: number;
}

export class PageFetcher {
  /** Fields reported unreadable so far (every report, repeats included): the summary's `unreadable`. */
  unreadable = 0;
  private readonly warned = new Set<string>();

  constructor(private readonly options: PageFetcherOptions) {}

  /** Fetches (or renders) `url` and reads it with `page`'s adapter; `reader` keys its validators (http.ts). */
  async fetch(url: string, page: PageRead, fetchedAt: number, reader?: string): Promise<PageFetchResult> {
    const { http, signal } = this.options;
    const context = (shown: string): AdapterContext => ({
      url: shown,
      track: page.track,
      date: page.date,
      ...(page.race === undefined ? {} : { race: page.race }),
      fetchedAt,
    });
    const { adapter } = page;
    if (adapter.format === "html" && adapter.render !== undefined) {
      const rendered = await this.render(url, adapter.render.waitFor);
      if (!rendered.ok) return rendered;
      const adapted = adaptBody(adapter, rendered.html, context(rendered.shown));
      if (!adapted.ok) return { ok: false, error: adapted.reason, stopped: false };
      this.report(adapted.problems);
      return { ok: true, records: adapted.records };
    }
    if (adapter.format === "module") {
      let fetched: { text: string; shown: string } | undefined;
      const result = await http.fetchFeed(
        url,
        (text, shown) => {
          fetched = { text, shown };
          return { ok: true, records: [] };
        },
        reader,
      );
      if (!result.ok) return result;
      // A 304 to a conditional request: nothing new to read.
      if (fetched === undefined) return { ok: true, records: [] };
      const limits = { timeoutMs: this.options.timeoutMs, signal };
      const adapted = await readPage(
        adapter,
        this.options.modules(),
        fetched.text,
        context(fetched.shown),
        limits,
      );
      if (signal.aborted) return { ok: false, error: "stopped", stopped: true };
      // Not read (or the module threw, rejected, timed out): the next poll must fetch the body
      // again, not be told it has not changed (304), so a passing fault does not stick.
      if (!adapted.ok || adapted.fault === true) http.forgetValidators(url, reader);
      if (!adapted.ok) return { ok: false, error: adapted.reason, stopped: false };
      this.report(adapted.problems);
      return { ok: true, records: adapted.records };
    }
    const result = await http.fetchFeed(
      url,
      (text, shown) => {
        const adapted = adaptBody(adapter, text, context(shown));
        if (!adapted.ok) return adapted;
        this.report(adapted.problems);
        return { ok: true, records: adapted.records };
      },
      reader,
    );
    return result.ok ? { ok: true, records: result.records } : result;
  }

  /**
   * A `render: browser` page: robots.txt asked first (browserMayLoad), the host's politeness gap
   * kept (http.waitForHost), and the outcome counted with fetched pages' (a page failing every
   * poll is warned about once, its recovery logged).
   */
  private async render(
    url: string,
    waitFor: string | undefined,
  ): Promise<{ ok: true; html: string; shown: string } | { ok: false; error: string; stopped: boolean }> {
    const { http, signal } = this.options;
    const allowed = await this.browserMayLoad(url);
    if (signal.aborted) return { ok: false, error: "stopped", stopped: true };
    if (!allowed.ok) {
      // A disallowed page is warned about by robots.ts; an unreadable robots.txt is a failure.
      if (allowed.retryable) http.recordFetchFailure(url, allowed.error);
      return { ok: false, error: allowed.error, stopped: false };
    }
    // The same politeness gap (and Crawl-delay) as a fetched page of the host.
    await http.waitForHost(url);
    if (signal.aborted) return { ok: false, error: "stopped", stopped: true };
    const rendered = await this.options.renderer().render(url, waitFor);
    if (signal.aborted) return { ok: false, error: "stopped", stopped: true };
    if (!rendered.ok) {
      http.recordFetchFailure(url, rendered.error);
      return { ok: false, error: rendered.error, stopped: false };
    }
    http.recordFetchSuccess(url);
    return rendered;
  }

  /**
   * THE robots.txt check of a page loaded by the browser (which does not go through
   * http.fetchFeed, where fetched pages are checked): http.ts's allowedByRobots, same rules, same
   * cache. Only the page's own URL is checked; the requests its scripts make are the site's.
   */
  private async browserMayLoad(url: string): Promise<RobotsVerdict> {
    return this.options.http.allowedByRobots(url);
  }

  private report(problems: readonly AdapterProblem[]): void {
    const { logger } = this.options;
    this.unreadable += problems.length;
    for (const problem of problems) {
      const line = `unreadable field: ${describeProblem(problem)}`;
      // Warned once; the same field of the same page unreadable again (every poll) only at debug.
      if (this.warned.has(line)) {
        logger?.debug({ ...problem }, line);
        continue;
      }
      if (this.warned.size >= MAX_WARNED_PROBLEMS) this.warned.clear();
      this.warned.add(line);
      logger?.warn({ ...problem }, line);
    }
  }
}
