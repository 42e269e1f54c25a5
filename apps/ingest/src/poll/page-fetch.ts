/**
 * The body of an html, json or module endpoint (a PageRead) into feed records, for the poller's
 * pollEndpoint (poller.ts), which commits them as it commits a feed endpoint's:
 * - html / json fetched (default): the adapter runs inside http.fetchFeed's decoder, so a body it
 *   cannot open at all (JSON that does not parse) is a failed fetch, retried;
 * - html with `render: browser`: the page is loaded in Chromium (browser-render.ts) and the page
 *   as built goes to the same html adapter; robots.txt is asked first (browserMayLoad), and the
 *   host's politeness gap is kept (http.waitForHost);
 * - module: the body is fetched as it is, then handed to the user's module (module-adapter.ts),
 *   which may be async, so it runs after the fetch rather than inside the decoder.
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
}

export class PageFetcher {
  /** Fields reported unreadable so far (every report, repeats included): the summary's `unreadable`. */
  unreadable = 0;
  private readonly warned = new Set<string>();

  constructor(private readonly options: PageFetcherOptions) {}

  async fetch(url: string, page: PageRead, fetchedAt: number): Promise<PageFetchResult> {
    const { http } = this.options;
    const context = (shown: string): AdapterContext => ({
      url: shown,
      track: page.track,
      date: page.date,
      ...(page.race === undefined ? {} : { race: page.race }),
      fetchedAt,
    });
    const { adapter } = page;
    if (adapter.format === "html" && adapter.render !== undefined) {
      const allowed = await this.browserMayLoad(url);
      if (!allowed.ok) return { ok: false, error: allowed.error, stopped: this.options.signal.aborted };
      // The same politeness gap (and Crawl-delay) as a fetched page of the host.
      await http.waitForHost(url);
      if (this.options.signal.aborted) return { ok: false, error: "stopped", stopped: true };
      const rendered = await this.options.renderer().render(url, adapter.render.waitFor);
      if (!rendered.ok) return { ok: false, error: rendered.error, stopped: this.options.signal.aborted };
      const adapted = adaptBody(adapter, rendered.html, context(rendered.shown));
      if (!adapted.ok) return { ok: false, error: adapted.reason, stopped: false };
      this.report(adapted.problems);
      return { ok: true, records: adapted.records };
    }
    if (adapter.format === "module") {
      let fetched: { text: string; shown: string } | undefined;
      const result = await http.fetchFeed(url, (text, shown) => {
        fetched = { text, shown };
        return { ok: true, records: [] };
      });
      if (!result.ok) return result;
      // A 304 to a conditional request: nothing new to read.
      if (fetched === undefined) return { ok: true, records: [] };
      const adapted = await readPage(adapter, this.options.modules(), fetched.text, context(fetched.shown));
      if (!adapted.ok) {
        // Not read: the next poll must fetch the body again, not be told it has not changed (304).
        http.forgetValidators(url);
        return { ok: false, error: adapted.reason, stopped: false };
      }
      this.report(adapted.problems);
      return { ok: true, records: adapted.records };
    }
    const result = await http.fetchFeed(url, (text, shown) => {
      const adapted = adaptBody(adapter, text, context(shown));
      if (!adapted.ok) return adapted;
      this.report(adapted.problems);
      return { ok: true, records: adapted.records };
    });
    return result.ok ? { ok: true, records: result.records } : result;
  }

  /**
   * THE robots.txt check of a page loaded by the browser (which does not go through
   * http.fetchFeed, where fetched pages are checked): http.ts's allowedByRobots, same rules, same
   * cache. Only the page's own URL is checked; the requests its scripts make are the site's.
   */
  private async browserMayLoad(url: string): Promise<{ ok: true } | { ok: false; error: string }> {
    const verdict = await this.options.http.allowedByRobots(url);
    return verdict.ok ? { ok: true } : { ok: false, error: verdict.error };
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
