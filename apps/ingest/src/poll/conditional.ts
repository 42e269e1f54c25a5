/**
 * Conditional requests: per URL, the ETag and Last-Modified of the last 200 whose body was
 * decoded, sent back as If-None-Match / If-Modified-Since, so an unchanged feed answers 304
 * with no body. Only a body that decoded gives validators (a 304 must never stand for a body
 * that was refused), and at most VALIDATOR_LIMIT URLs are remembered, the least recently
 * fetched dropped first.
 */

/** URLs whose validators are kept: a day's endpoints of many tracks fit many times over. */
export const VALIDATOR_LIMIT = 4096;

interface Validators {
  etag: string | null;
  lastModified: string | null;
}

export class ValidatorCache {
  private readonly byUrl = new Map<string, Validators>();

  constructor(private readonly limit = VALIDATOR_LIMIT) {}

  /** The conditional headers for a request of `url`: empty when nothing is known of it. */
  headersFor(url: string): Record<string, string> {
    const known = this.byUrl.get(url);
    if (!known) return {};
    return {
      ...(known.etag === null ? {} : { "if-none-match": known.etag }),
      ...(known.lastModified === null ? {} : { "if-modified-since": known.lastModified }),
    };
  }

  /** After a 200 that decoded: keeps its validators (or forgets the URL's when it sent none). */
  remember(url: string, headers: Headers): void {
    const etag = headers.get("etag");
    const lastModified = headers.get("last-modified");
    this.byUrl.delete(url);
    if (etag === null && lastModified === null) return;
    this.byUrl.set(url, { etag, lastModified });
    if (this.byUrl.size > this.limit) this.byUrl.delete(this.byUrl.keys().next().value!);
  }

  /** After a body that did not decode: the next request is unconditional. */
  forget(url: string): void {
    this.byUrl.delete(url);
  }

  /** The number of URLs remembered. */
  get size(): number {
    return this.byUrl.size;
  }
}
