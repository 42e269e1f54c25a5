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
 */
import {
  backoffDelayMs,
  credentialsAsBasicAuth,
  redactUrl,
  type Clock,
  type Logger,
  type Sleep,
} from "@totewatch/config";
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
  async fetchFeed(url: string, decode: BodyDecoder = parseFeedBody): Promise<FetchFeedResult> {
    const { http, sleep, signal } = this.options;
    let lastError = "";
    for (let attempt = 0; attempt <= http.retries; attempt++) {
      if (attempt > 0) await sleep(backoffDelayMs(attempt - 1, http, this.random), signal);
      if (signal?.aborted) return { ok: false, error: "stopped", attempts: attempt, stopped: true };
      await this.waitForHost(url);
      if (signal?.aborted) return { ok: false, error: "stopped", attempts: attempt, stopped: true };
      const result = await this.attempt(endpointRequest(url), decode);
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
    endpoint: EndpointRequest,
    decode: BodyDecoder,
  ): Promise<{ ok: true; records: FeedRecord[] } | { ok: false; error: string; retryable: boolean }> {
    const { http, signal } = this.options;
    const timeout = AbortSignal.timeout(http.timeoutMs);
    // Aborted to drop the connection of a body over the limit.
    const tooLarge = new AbortController();
    const combined = AbortSignal.any([...(signal ? [signal] : []), timeout, tooLarge.signal]);
    try {
      const response = await this.fetchImpl(endpoint.url, {
        signal: combined,
        headers: {
          ...(endpoint.authorization === null ? {} : { authorization: endpoint.authorization }),
          "user-agent": http.userAgent,
          accept: "application/json, application/x-ndjson, text/html;q=0.9",
        },
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
        return { ok: false, error: this.oversized(endpoint.shown), retryable: true };
      }
      // The records' source shows in the ingestor's warnings about refused messages.
      const body = decode(text, endpoint.shown);
      return body.ok
        ? { ok: true, records: body.records }
        : { ok: false, error: body.reason, retryable: true };
    } catch (error) {
      if (timeout.aborted)
        return { ok: false, error: `timed out after ${http.timeoutMs} ms`, retryable: true };
      const cause = (error as { cause?: { message?: string } }).cause?.message;
      return {
        ok: false,
        // fetch's own messages may quote the URL.
        error: redactUrl(`${(error as Error).message}${cause ? ` (${cause})` : ""}`),
        retryable: true,
      };
    }
  }

  private failed(url: string, error: string): void {
    const count = (this.failures.get(url) ?? 0) + 1;
    this.failures.set(url, count);
    const shown = redactUrl(url);
    const logAfter = this.options.http.failureLogAfter;
    if (count === logAfter) {
      this.options.logger?.warn(
        { source: shown, failures: count, error },
        `source keeps failing: ${shown} (${count} failures in a row, last: ${error})`,
      );
    } else {
      this.options.logger?.debug({ source: shown, failures: count, error }, "request failed");
    }
  }

  /** The error of a body over the limit; warned once per source (`url` as shown) until it answers again. */
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
    const shown = redactUrl(url);
    this.oversizeWarned.delete(shown);
    const count = this.failures.get(url) ?? 0;
    if (count === 0) return;
    this.failures.delete(url);
    if (count >= this.options.http.failureLogAfter) {
      this.options.logger?.info(
        { source: shown, failures: count },
        `source recovered: ${shown} after ${count} failures`,
      );
    }
  }
}

/** An endpoint as requested: the URL without credentials, their header, and the URL as logged. */
export interface EndpointRequest {
  url: string;
  /** `Basic <base64 user:password>` when the URL carried credentials. */
  authorization: string | null;
  /** The URL with its password masked (redactUrl): the only form that is ever shown. */
  shown: string;
}

/**
 * fetch refuses a URL carrying `user:password@`; they become a basic auth header instead, so such
 * an endpoint works as it reads (as the alerts webhook channel does with its URL).
 */
export function endpointRequest(text: string): EndpointRequest {
  return { ...credentialsAsBasicAuth(text), shown: redactUrl(text) };
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
