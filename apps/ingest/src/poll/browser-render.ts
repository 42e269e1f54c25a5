/**
 * `render: browser` on an html endpoint: the page is loaded in Debian's Chromium through
 * playwright-core (no browser download; ../shared/BROWSER.md), its scripts run, and the page as
 * built (page.content()) goes to the same html adapter a fetched page goes to.
 *
 * Invariants:
 * - One Chromium per poller (or probe), launched on the first render and closed by close()
 *   (the poller's stop path); a new browser context per render, so no cookie or storage carries
 *   from one fetch to the next.
 * - Every render is bounded by http.timeoutMs, sent with http.userAgent, and its HTML is held to
 *   http.maxBodyBytes like a fetched body; a URL's `user:password@` goes as HTTP credentials for
 *   that URL's origin only (never to another origin that challenges) and is never shown (redactUrl).
 * - Signals are the CLI's: playwright's own SIGINT/SIGTERM/SIGHUP handlers (which close Chromium
 *   and exit the process at once) are turned off, so Ctrl-C runs the poller's clean stop.
 * - A Chromium that dies (a crash, the OOM killer) is dropped: that render is a failed fetch, and
 *   the next one launches a new browser.
 * - With `waitFor`, the page is read once that selector is in it (not there within the timeout:
 *   a failed fetch); without, after `load` and then network idle (or the timeout, whichever first).
 * - A Chromium that cannot be launched is a BrowserUnavailableError naming TOTEWATCH_CHROMIUM and
 *   `apt-get install chromium`: a fault of the machine, not of one fetch, so the poller stops
 *   with it (every later render would fail alike) rather than retrying forever.
 */
import { existsSync } from "node:fs";
import { CHROMIUM_FLAGS, chromiumPath, redactUrl, type Logger } from "@totewatch/config";
import { chromium, type Browser, type BrowserContext, type LaunchOptions } from "playwright-core";
import type { HttpSettings } from "./http.js";

/** The Chromium used when none is given: TOTEWATCH_CHROMIUM, else Debian's (@totewatch/config). */
export const DEFAULT_CHROMIUM = chromiumPath();

const FLAGS = [...CHROMIUM_FLAGS];

/**
 * How Chromium is launched: headless, quiet (FLAGS), and with playwright's signal handlers off:
 * left on, the first Ctrl-C would close Chromium and exit the process with 130 before the
 * poller's stop finished its write, closed the database and printed its summary.
 */
export function launchOptions(executablePath: string): LaunchOptions {
  return {
    executablePath,
    headless: true,
    args: FLAGS,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  };
}

export class BrowserUnavailableError extends Error {
  override readonly name = "BrowserUnavailableError";
}

export type RenderResult = { ok: true; html: string; shown: string } | { ok: false; error: string };

export interface BrowserRendererOptions {
  http: Pick<HttpSettings, "timeoutMs" | "userAgent" | "maxBodyBytes">;
  /** Default DEFAULT_CHROMIUM. */
  executablePath?: string;
  logger?: Logger;
  /** Aborts a render in flight (shutdown). */
  signal?: AbortSignal;
}

export class BrowserRenderer {
  private browser: Promise<Browser> | undefined;
  private closed = false;

  constructor(private readonly options: BrowserRendererOptions) {}

  /** Loads `url` in Chromium and returns the page's HTML as built; throws BrowserUnavailableError only. */
  async render(url: string, waitFor?: string): Promise<RenderResult> {
    const { http, signal } = this.options;
    const shown = redactUrl(url);
    const browser = await this.launch();
    const target = new URL(url);
    const origin = target.origin;
    const credentials =
      target.username === ""
        ? undefined
        : {
            username: decodeURIComponent(target.username),
            password: decodeURIComponent(target.password),
            // Only the endpoint's own origin gets them: a third-party frame or script that
            // answers 401 must not be sent the tote's password.
            origin,
          };
    target.username = "";
    target.password = "";
    let context: BrowserContext | undefined;
    const stop = () => void context?.close().catch(() => undefined);
    signal?.addEventListener("abort", stop, { once: true });
    const deadline = Date.now() + http.timeoutMs;
    const left = () => Math.max(1, deadline - Date.now());
    try {
      context = await browser.newContext({
        userAgent: http.userAgent,
        ...(credentials ? { httpCredentials: credentials } : {}),
      });
      if (signal?.aborted) return { ok: false, error: "stopped" };
      const page = await context.newPage();
      const response = await page.goto(target.href, { waitUntil: "load", timeout: http.timeoutMs });
      if (response !== null && !response.ok())
        return { ok: false, error: `HTTP ${response.status()} ${response.statusText()}`.trim() };
      if (waitFor !== undefined) {
        try {
          await page.waitForSelector(waitFor, { state: "attached", timeout: left() });
        } catch {
          if (signal?.aborted) return { ok: false, error: "stopped" };
          return {
            ok: false,
            error: `waitFor ${JSON.stringify(waitFor)} did not appear within ${http.timeoutMs} ms`,
          };
        }
      } else {
        // Scripts that fetch the board after load: read once the network is quiet, or at the deadline.
        await page.waitForLoadState("networkidle", { timeout: left() }).catch(() => undefined);
      }
      const html = await page.content();
      if (Buffer.byteLength(html) > http.maxBodyBytes)
        return {
          ok: false,
          error: `rendered page over the http.maxBodyBytes limit of ${http.maxBodyBytes} bytes`,
        };
      return { ok: true, html, shown };
    } catch (error) {
      if (signal?.aborted) return { ok: false, error: "stopped" };
      // Chromium gone (crashed, killed): forget it, so the next render launches a new one.
      if (!browser.isConnected()) this.forget(browser);
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, error: redactUrl(`browser: ${message.split("\n")[0] ?? message}`) };
    } finally {
      signal?.removeEventListener("abort", stop);
      await context?.close().catch(() => undefined);
    }
  }

  /** Closes Chromium if it was launched; later renders fail. */
  async close(): Promise<void> {
    this.closed = true;
    const browser = this.browser;
    this.browser = undefined;
    if (browser) await browser.then((b) => b.close()).catch(() => undefined);
  }

  /** Drops `browser` if it is still the one kept (a later launch is not undone). */
  private forget(browser: Browser): void {
    const kept = this.browser;
    if (kept === undefined) return;
    void kept.then(
      (current) => {
        if (current === browser && this.browser === kept) this.browser = undefined;
      },
      () => undefined,
    );
    void browser.close().catch(() => undefined);
  }

  private launch(): Promise<Browser> {
    if (this.closed) return Promise.reject(new BrowserUnavailableError("the browser was closed (stopping)"));
    this.browser ??= this.start();
    return this.browser;
  }

  private async start(): Promise<Browser> {
    const executablePath = this.options.executablePath ?? DEFAULT_CHROMIUM;
    const hint =
      "render: browser needs Chromium: install it with `apt-get install chromium` " +
      "(npm run setup does as root) or set TOTEWATCH_CHROMIUM to a Chromium binary";
    if (!existsSync(executablePath)) {
      throw new BrowserUnavailableError(`Chromium not found at ${executablePath}: ${hint}`);
    }
    try {
      const browser = await chromium.launch(launchOptions(executablePath));
      browser.on("disconnected", () => {
        if (this.closed) return;
        this.options.logger?.warn({ executablePath }, "Chromium went away: relaunched at the next render");
        this.forget(browser);
      });
      this.options.logger?.info({ executablePath }, "Chromium launched for render: browser endpoints");
      return browser;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new BrowserUnavailableError(
        `Chromium at ${executablePath} could not be launched (${message.split("\n")[0]}): ${hint}`,
      );
    }
  }
}
