/**
 * Fetching feed endpoints politely and persistently: a minimum gap between
 * requests to one host, a timeout per request, retries with exponential
 * backoff and jitter, and one warning when a source keeps failing (and one
 * info line when it recovers) instead of a line per failure. A client error
 * (4xx other than 408 and 429) is not retried: asking again gets the same
 * answer, and the backoff would hold up every other race of the track.
 */
import { backoffDelayMs, type Clock, type Logger, type Sleep } from "@totewatch/config";
import { parseFeedBody, type FeedRecord } from "@totewatch/feed";

export interface HttpSettings {
  timeoutMs: number;
  minHostDelayMs: number;
  retries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  failureLogAfter: number;
  userAgent: string;
}

export type FetchFeedResult =
  | { ok: true; records: FeedRecord[]; attempts: number }
  | { ok: false; error: string; attempts: number; stopped: boolean };

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

export class FeedHttpClient {
  /** host -> earliest instant the next request may start. */
  private readonly hostNextAt = new Map<string, number>();
  /** url -> consecutive failed attempts. */
  private readonly failures = new Map<string, number>();
  private readonly fetchImpl: typeof fetch;
  private readonly random: () => number;

  constructor(private readonly options: FeedHttpClientOptions) {
    this.fetchImpl = options.fetch ?? fetch;
    this.random = options.random ?? Math.random;
  }

  /** Consecutive failed attempts of a source (0 once it answers again). */
  failureCount(url: string): number {
    return this.failures.get(url) ?? 0;
  }

  /** GETs a feed endpoint and splits its body into records, retrying failures. */
  async fetchFeed(url: string): Promise<FetchFeedResult> {
    const { http, sleep, signal } = this.options;
    let lastError = "";
    for (let attempt = 0; attempt <= http.retries; attempt++) {
      if (attempt > 0) await sleep(backoffDelayMs(attempt - 1, http, this.random), signal);
      if (signal?.aborted) return { ok: false, error: "stopped", attempts: attempt, stopped: true };
      await this.waitForHost(url);
      if (signal?.aborted) return { ok: false, error: "stopped", attempts: attempt, stopped: true };
      const result = await this.attempt(url);
      if (result.ok) {
        this.recovered(url);
        return { ok: true, records: result.records, attempts: attempt + 1 };
      }
      if (signal?.aborted) return { ok: false, error: "stopped", attempts: attempt + 1, stopped: true };
      lastError = result.error;
      this.failed(url, lastError);
      if (!result.retryable) return { ok: false, error: lastError, attempts: attempt + 1, stopped: false };
    }
    return { ok: false, error: lastError, attempts: http.retries + 1, stopped: false };
  }

  private async waitForHost(url: string): Promise<void> {
    const host = new URL(url).host;
    const now = this.options.clock.now();
    const start = Math.max(now, this.hostNextAt.get(host) ?? now);
    // Reserve the slot before waiting, so concurrent callers queue up behind it.
    this.hostNextAt.set(host, start + this.options.http.minHostDelayMs);
    if (start > now) await this.options.sleep(start - now, this.options.signal);
  }

  private async attempt(
    url: string,
  ): Promise<{ ok: true; records: FeedRecord[] } | { ok: false; error: string; retryable: boolean }> {
    const { http, signal } = this.options;
    const timeout = AbortSignal.timeout(http.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const response = await this.fetchImpl(url, {
        signal: combined,
        headers: { "user-agent": http.userAgent, accept: "application/json, application/x-ndjson" },
      });
      // The body is read under the same timeout: a slow body is a failure too.
      const text = await response.text();
      if (!response.ok) {
        return {
          ok: false,
          error: `HTTP ${response.status} ${response.statusText}`.trim(),
          retryable: isRetryableStatus(response.status),
        };
      }
      const body = parseFeedBody(text, url);
      return body.ok
        ? { ok: true, records: body.records }
        : { ok: false, error: body.reason, retryable: true };
    } catch (error) {
      if (timeout.aborted)
        return { ok: false, error: `timed out after ${http.timeoutMs} ms`, retryable: true };
      const cause = (error as { cause?: { message?: string } }).cause?.message;
      return {
        ok: false,
        error: `${(error as Error).message}${cause ? ` (${cause})` : ""}`,
        retryable: true,
      };
    }
  }

  private failed(url: string, error: string): void {
    const count = (this.failures.get(url) ?? 0) + 1;
    this.failures.set(url, count);
    const logAfter = this.options.http.failureLogAfter;
    if (count === logAfter) {
      this.options.logger?.warn(
        { source: url, failures: count, error },
        `source keeps failing: ${url} (${count} failures in a row, last: ${error})`,
      );
    } else {
      this.options.logger?.debug({ source: url, failures: count, error }, "request failed");
    }
  }

  private recovered(url: string): void {
    const count = this.failures.get(url) ?? 0;
    if (count === 0) return;
    this.failures.delete(url);
    if (count >= this.options.http.failureLogAfter) {
      this.options.logger?.info(
        { source: url, failures: count },
        `source recovered: ${url} after ${count} failures`,
      );
    }
  }
}

/** 5xx and the 4xx that mean "try again later" (408 Request Timeout, 429 Too Many Requests). */
export function isRetryableStatus(status: number): boolean {
  return status < 400 || status >= 500 || status === 408 || status === 429;
}
