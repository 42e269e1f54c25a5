/**
 * How a source (an endpoint URL) is doing, for the log: consecutive failed fetches, one warning
 * when they reach http.failureLogAfter ("source keeps failing") and one info line when it answers
 * again ("source recovered"), instead of a line per failure; and one warning per source for a body
 * over http.maxBodyBytes until it answers again. Fetched pages (http.ts) and pages a browser
 * renders (page-fetch.ts) report through the same counters. URLs are only ever logged redacted.
 */
import { redactUrl, type Logger } from "@totewatch/config";
import { describeBytes } from "./request.js";

export class SourceHealth {
  /** url -> consecutive failed attempts. */
  private readonly failures = new Map<string, number>();
  /** Sources (as shown) warned about an oversized body since they last answered. */
  private readonly oversizeWarned = new Set<string>();

  constructor(
    private readonly settings: { failureLogAfter: number; maxBodyBytes: number },
    private readonly logger?: Logger,
  ) {}

  /** Consecutive failed attempts of a source (0 once it answers again). */
  failureCount(url: string): number {
    return this.failures.get(url) ?? 0;
  }

  /** One failed attempt of `url`; the failureLogAfter-th in a row is warned about. */
  failed(url: string, error: string): void {
    const count = (this.failures.get(url) ?? 0) + 1;
    this.failures.set(url, count);
    const shown = redactUrl(url);
    const logAfter = this.settings.failureLogAfter;
    if (count === logAfter) {
      this.logger?.warn(
        { source: shown, failures: count, error },
        `source keeps failing: ${shown} (${count} failures in a row, last: ${error})`,
      );
    } else {
      this.logger?.debug({ source: shown, failures: count, error }, "request failed");
    }
  }

  /** `url` answered: its failures are forgotten (logged when they had been warned about). */
  recovered(url: string): void {
    const shown = redactUrl(url);
    this.oversizeWarned.delete(shown);
    const count = this.failures.get(url) ?? 0;
    if (count === 0) return;
    this.failures.delete(url);
    if (count >= this.settings.failureLogAfter) {
      this.logger?.info(
        { source: shown, failures: count },
        `source recovered: ${shown} after ${count} failures`,
      );
    }
  }

  /** The error of a body over the limit; warned once per source (`shown`) until it answers again. */
  oversized(shown: string): string {
    const limit = describeBytes(this.settings.maxBodyBytes);
    const error = `response body over the http.maxBodyBytes limit of ${limit}; read stopped there`;
    if (!this.oversizeWarned.has(shown)) {
      this.oversizeWarned.add(shown);
      this.logger?.warn(
        { source: shown, maxBodyBytes: this.settings.maxBodyBytes },
        `response from ${shown} is over the http.maxBodyBytes limit of ${limit}: read stopped, ` +
          `counted as a failed fetch`,
      );
    }
    return error;
  }
}
