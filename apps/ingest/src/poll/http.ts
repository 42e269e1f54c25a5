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
  /** The largest body read, in bytes; a longer one is a failed fetch. */
  maxBodyBytes: number;
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
  /** Sources warned about an oversized body since they last answered. */
  private readonly oversizeWarned = new Set<string>();
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
    // Aborted to drop the connection of a body over the limit.
    const tooLarge = new AbortController();
    const combined = AbortSignal.any([...(signal ? [signal] : []), timeout, tooLarge.signal]);
    try {
      const response = await this.fetchImpl(url, {
        signal: combined,
        headers: { "user-agent": http.userAgent, accept: "application/json, application/x-ndjson" },
      });
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
        return { ok: false, error: this.oversized(url), retryable: true };
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

  /** The error of a body over the limit; warned once per source until it answers again. */
  private oversized(url: string): string {
    const limit = describeBytes(this.options.http.maxBodyBytes);
    const error = `response body over the http.maxBodyBytes limit of ${limit}; read stopped there`;
    if (!this.oversizeWarned.has(url)) {
      this.oversizeWarned.add(url);
      this.options.logger?.warn(
        { source: url, maxBodyBytes: this.options.http.maxBodyBytes },
        `response from ${url} is over the http.maxBodyBytes limit of ${limit}: read stopped, ` +
          `counted as a failed fetch`,
      );
    }
    return error;
  }

  private recovered(url: string): void {
    this.oversizeWarned.delete(url);
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

/**
 * A response body as text, read up to `limit` bytes; null when it is longer (a Content-Length
 * over the limit is not read at all). The reader is cancelled at the first byte over.
 */
export async function readBodyWithin(response: Response, limit: number): Promise<string | null> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    return null;
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    text += decoder.decode(value, { stream: true });
  }
}

/** Bytes for a person: "16 MiB (16777216 bytes)", "1000 bytes". */
export function describeBytes(bytes: number): string {
  const units = [
    [1024 * 1024, "MiB"],
    [1024, "KiB"],
  ] as const;
  for (const [size, unit] of units) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit} (${bytes} bytes)`;
  }
  return `${bytes} bytes`;
}

/** 5xx and the 4xx that mean "try again later" (408 Request Timeout, 429 Too Many Requests). */
export function isRetryableStatus(status: number): boolean {
  return status < 400 || status >= 500 || status === 408 || status === 429;
}
