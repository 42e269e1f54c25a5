/**
 * Conditional requests: per URL and reader (validatorKey), the ETag and Last-Modified of the last
 * 200 whose body was decoded, sent back as If-None-Match / If-Modified-Since, so an unchanged feed
 * answers 304 with no body. Keyed by reader too: two endpoints reading one page (win and exacta
 * from one board, or two tracks on one URL) each keep their own, so the second is never told
 * "not modified" about a body it has not read. Only a body that decoded gives validators (a 304
 * must never stand for a body that was refused), and at most VALIDATOR_LIMIT keys are kept; when
 * the limit is passed, the one whose validators were stored longest ago is dropped first.
 */

/** Keys whose validators are kept: a day's endpoints of many tracks fit many times over. */
export const VALIDATOR_LIMIT = 4096;

/** The key validators are kept under: the URL alone, or the reader and the URL. */
export function validatorKey(url: string, reader?: string): string {
  return reader === undefined ? url : `${reader}\u0000${url}`;
}

interface Validators {
  etag: string | null;
  lastModified: string | null;
}

export class ValidatorCache {
  private readonly byUrl = new Map<string, Validators>();

  constructor(private readonly limit = VALIDATOR_LIMIT) {}

  /** The conditional headers for a request under `url` (a validatorKey): empty when nothing is known of it. */
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

  /** The number of keys remembered. */
  get size(): number {
    return this.byUrl.size;
  }
}
