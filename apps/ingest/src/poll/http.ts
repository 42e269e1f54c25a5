/**
 * Fetching feed endpoints politely and persistently: a minimum gap between
 * requests to one host, a timeout per request, retries with exponential
 * backoff and jitter, and one warning when a source keeps failing (and one
 * info line when it recovers) instead of a line per failure. A client error
 * (4xx other than 408 and 429) is not retried: asking again gets the same
 * answer, and the backoff would hold up every other race of the track.
 *
 * A body is read up to http.maxBodyBytes and no further: a longer one (a
 * Content-Length over the limit, or a stream that keeps coming) is dropped
 * there and the connection closed, a failed fetch like any other (retried,
 * backed off), with one warning naming the URL and the limit. A failure's
 * body is never read at all. Memory per request stays within the limit.
 *
 * An endpoint URL may carry `user:password@` (a tote behind basic auth):
 * fetch refuses such a URL, so the credentials go in an Authorization header
 * and the URL is requested without them. The password is never in a log
 * line, a returned error or a record's source: each names the URL through
 * redactUrl (`user:***@`).
 *
 * Politeness beyond the gap (http.robots, robots.ts): before the first request to an origin,
 * and again after robots.ts's TTL, its robots.txt is read (through the same gap, timeout and
 * body limit); a URL it disallows for http.userAgent is never requested, and a Crawl-delay
 * longer than http.minHostDelayMs widens the gap for that host. allowedByRobots asks the same
 * question for another fetch path. Conditional requests (conditional.ts): a URL whose last
 * 200 decoded is asked for with If-None-Match / If-Modified-Since, and a 304 is a successful
 * fetch with no records (`notModified`); validators are kept per URL and reader (fetchFeed's
 * `reader`, e.g. `Test Downs:exacta`), so two endpoints reading one page each get its body.
 * Compressed bodies (request.ts) are accepted and decoded; the body limit counts decoded bytes.
 * Failure counting and its log lines: source-health.ts (also fed by rendered pages).
 */
import { backoffDelayMs, type Clock, type Logger, type Sleep } from "@totewatch/config";
import { parseFeedBody, type FeedRecord } from "@totewatch/feed";
import {
  describeBytes,
  endpointRequest,
  isRetryableStatus,
  readBodyWithin,
  requestError,
  requestInit,
  type EndpointRequest,
} from "./request.js";
import { ValidatorCache, validatorKey } from "./conditional.js";
import { SourceHealth } from "./source-health.js";
import { answerForStatus, RobotsRules, type RobotsAnswer, type RobotsVerdict } from "./robots.js";

export {
  describeBytes,
  endpointRequest,
  isRetryableStatus,
  readBodyWithin,
  type EndpointRequest,
} from "./request.js";

export interface HttpSettings {
  timeoutMs: number;
  minHostDelayMs: number;
  retries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  failureLogAfter: number;
  userAgent: string;
  /** The largest body read, in bytes; a longer one is a failed fetch. */
  maxBodyBytes: number;
  /** robots.txt: "obey" (when left out) or "ignore" (the site gave permission). */
  robots?: "obey" | "ignore";
}

export type FetchFeedResult =
  /** `notModified`: a 304 to a conditional request, so there are no records. */
  | { ok: true; records: FeedRecord[]; attempts: number; notModified?: true }
  | { ok: false; error: string; attempts: number; stopped: boolean };

/**
 * A body into feed records; `ok: false` is a failed fetch (retried). Default: the feed format
 * (parseFeedBody); an html or json endpoint passes its page adapter.
 */
export type BodyDecoder = (
  text: string,
  shown: string,
) => { ok: true; records: FeedRecord[] } | { ok: false; reason: string };

export interface FeedHttpClientOptions {
  http: HttpSettings;
  clock: Clock;
  sleep: Sleep;
  fetch?: typeof fetch;
  random?: () => number;
  logger?: Logger;
  /** Aborts waits and requests in flight (shutdown). */
  signal?: AbortSignal;
}

type AttemptResult =
  | { ok: true; records: FeedRecord[]; notModified: boolean }
  | { ok: false; error: string; retryable: boolean };

export class FeedHttpClient {
  /** host -> when the latest request to it started (or is reserved to start). */
  private readonly hostLastStart = new Map<string, number>();
  /** host -> the Crawl-delay (ms) last logged as widening its gap. */
  private readonly crawlDelayLogged = new Map<string, number>();
  private readonly fetchImpl: typeof fetch;
  private readonly random: () => number;
  private readonly robots: RobotsRules;
  private readonly validators = new ValidatorCache();
  private readonly health: SourceHealth;

  constructor(private readonly options: FeedHttpClientOptions) {
    this.fetchImpl = options.fetch ?? fetch;
    this.random = options.random ?? Math.random;
    this.health = new SourceHealth(options.http, options.logger);
    this.robots = new RobotsRules({
      userAgent: options.http.userAgent,
      clock: options.clock,
      logger: options.logger,
      fetchRobots: (robotsUrl, authorization) => this.fetchRobots(robotsUrl, authorization),
    });
  }

  /**
   * Whether the origin's robots.txt lets http.userAgent fetch `url` (always, with http.robots
   * "ignore"); reads robots.txt first when it is not known or is stale. A refusal's error names
   * the URL (redacted) and the rule and is not retryable; robots.txt that could not be read is
   * a retryable refusal.
   */
  async allowedByRobots(url: string): Promise<RobotsVerdict> {
    if (this.options.http.robots === "ignore") return { ok: true };
    const endpoint = endpointRequest(url);
    return this.robots.check(endpoint.url, endpoint.shown, endpoint.authorization);
  }

  /**
   * Drops the validators kept for `url` as read by `reader`, so its next request is unconditional:
   * for a caller whose decoder accepts the body but whose later reading of it failed (a 304 would
   * hide that page).
   */
  forgetValidators(url: string, reader?: string): void {
    this.validators.forget(validatorKey(url, reader));
  }

  /** Consecutive failed attempts of a source (0 once it answers again). */
  failureCount(url: string): number {
    return this.health.failureCount(url);
  }

  /**
   * Counts a failed fetch of `url` made outside fetchFeed (a page the browser rendered): the same
   * counter and the same "source keeps failing" warning as a fetched page's.
   */
  recordFetchFailure(url: string, error: string): void {
    this.health.failed(url, error);
  }

  /** Counts a successful fetch of `url` made outside fetchFeed ("source recovered" when it had failed). */
  recordFetchSuccess(url: string): void {
    this.health.recovered(url);
  }

  /**
   * GETs a feed endpoint and splits its body into records, retrying failures. `reader` names who
   * reads the body (e.g. `${track}:${kind}`): validators are kept per URL and reader, so endpoints
   * sharing a URL do not answer each other's conditional requests with a 304.
   */
  async fetchFeed(
    url: string,
    decode: BodyDecoder = parseFeedBody,
    reader?: string,
  ): Promise<FetchFeedResult> {
    const { http, sleep, signal } = this.options;
    let lastError = "";
    for (let attempt = 0; attempt <= http.retries; attempt++) {
      if (attempt > 0) await sleep(backoffDelayMs(attempt - 1, http, this.random), signal);
      if (signal?.aborted) return { ok: false, error: "stopped", attempts: attempt, stopped: true };
      const robots = await this.allowedByRobots(url);
      if (signal?.aborted) return { ok: false, error: "stopped", attempts: attempt, stopped: true };
      if (!robots.ok) {
        lastError = robots.error;
        // Disallowed: warned by robots.ts, once per URL; not a failing source.
        if (!robots.retryable) return { ok: false, error: lastError, attempts: attempt + 1, stopped: false };
        this.health.failed(url, lastError);
        continue;
      }
      await this.waitForHost(url);
      if (signal?.aborted) return { ok: false, error: "stopped", attempts: attempt, stopped: true };
      const result = await this.attempt(endpointRequest(url), validatorKey(url, reader), decode);
      if (result.ok) {
        this.health.recovered(url);
        const records = result.records;
        return result.notModified
          ? { ok: true, records, attempts: attempt + 1, notModified: true }
          : { ok: true, records, attempts: attempt + 1 };
      }
      if (signal?.aborted) return { ok: false, error: "stopped", attempts: attempt + 1, stopped: true };
      lastError = result.error;
      this.health.failed(url, lastError);
      if (!result.retryable) return { ok: false, error: lastError, attempts: attempt + 1, stopped: false };
    }
    return { ok: false, error: lastError, attempts: http.retries + 1, stopped: false };
  }

  /**
   * Waits for the host's gap (the larger of http.minHostDelayMs and its Crawl-delay) since its last
   * request; public for the pages a browser loads (page-fetch.ts), which keep the same spacing.
   */
  async waitForHost(url: string): Promise<void> {
    const host = new URL(url).host;
    const now = this.options.clock.now();
    const last = this.hostLastStart.get(host);
    const start = last === undefined ? now : Math.max(now, last + this.hostGapMs(url, host));
    // Reserve the slot before waiting, so concurrent callers queue up behind it.
    this.hostLastStart.set(host, start);
    if (start > now) await this.options.sleep(start - now, this.options.signal);
  }

  private hostGapMs(url: string, host: string): number {
    const { minHostDelayMs, robots } = this.options.http;
    const crawlDelay = robots === "ignore" ? 0 : this.robots.crawlDelayMs(url);
    if (crawlDelay <= minHostDelayMs) return minHostDelayMs;
    if (this.crawlDelayLogged.get(host) !== crawlDelay) {
      this.crawlDelayLogged.set(host, crawlDelay);
      this.options.logger?.info(
        { host, crawlDelayMs: crawlDelay, minHostDelayMs },
        `robots.txt of ${host} asks for a Crawl-delay of ${crawlDelay / 1000} s: ` +
          `requests to it are spaced that far apart (http.minHostDelayMs is ${minHostDelayMs})`,
      );
    }
    return crawlDelay;
  }

  /** GETs a robots.txt through the host gap, timeout and body limit (robots.ts decides what it means). */
  private async fetchRobots(robotsUrl: string, authorization: string | null): Promise<RobotsAnswer> {
    const { http } = this.options;
    await this.waitForHost(robotsUrl);
    const { init, timeout, tooLarge } = requestInit(http, this.options.signal, authorization, {
      accept: "text/plain",
    });
    try {
      const response = await this.fetchImpl(robotsUrl, init);
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        return answerForStatus(response.status, response.statusText);
      }
      const text = await readBodyWithin(response, http.maxBodyBytes);
      if (text !== null) return { kind: "file", text };
      tooLarge.abort();
      const limit = describeBytes(http.maxBodyBytes);
      return { kind: "unreadable", reason: `body over the http.maxBodyBytes limit of ${limit}` };
    } catch (error) {
      return { kind: "unreadable", reason: requestError(error, timeout, http.timeoutMs) };
    }
  }

  private async attempt(endpoint: EndpointRequest, key: string, decode: BodyDecoder): Promise<AttemptResult> {
    const { http } = this.options;
    const conditional = this.validators.headersFor(key);
    const { init, timeout, tooLarge } = requestInit(http, this.options.signal, endpoint.authorization, {
      accept: "application/json, application/x-ndjson, text/html;q=0.9",
      ...conditional,
    });
    try {
      const response = await this.fetchImpl(endpoint.url, init);
      if (response.status === 304 && Object.keys(conditional).length > 0) {
        await response.body?.cancel().catch(() => undefined);
        return { ok: true, records: [], notModified: true };
      }
      if (!response.ok) {
        // Nothing of a failure's body is used: not read, whatever its size.
        await response.body?.cancel().catch(() => undefined);
        return {
          ok: false,
          error: `HTTP ${response.status} ${response.statusText}`.trim(),
          retryable: isRetryableStatus(response.status),
        };
      }
      // The body is read under the same timeout: a slow body is a failure too.
      const text = await readBodyWithin(response, http.maxBodyBytes);
      if (text === null) {
        tooLarge.abort();
        return { ok: false, error: this.health.oversized(endpoint.shown), retryable: true };
      }
      // The records' source shows in the ingestor's warnings about refused messages.
      const body = decode(text, endpoint.shown);
      if (!body.ok) {
        // A 304 must never stand for a body that was refused.
        this.validators.forget(key);
        return { ok: false, error: body.reason, retryable: true };
      }
      if (response.status === 200) this.validators.remember(key, response.headers);
      return { ok: true, records: body.records, notModified: false };
    } catch (error) {
      return { ok: false, error: requestError(error, timeout, http.timeoutMs), retryable: true };
    }
  }
}
