/**
 * What a feed request is: its URL without credentials and their basic auth header (endpointRequest),
 * and whether a failed status is worth asking again (isRetryableStatus).
 *
 * Reading a response body within http.maxBodyBytes. The limit is on the bytes as decoded:
 * fetch undoes a gzip, deflate or br Content-Encoding while the body streams, and the bytes
 * counted are the ones it hands over, so a small compressed body that inflates past the limit
 * (a "zip bomb") is cut at the limit like any other. A declared Content-Length over the limit
 * refuses the body unread only when it is not compressed (then it is the size of the
 * compressed bytes, not of the body).
 */
import { credentialsAsBasicAuth, redactUrl } from "@totewatch/config";

/** What the client says it accepts: fetch decodes all three. */
export const ACCEPT_ENCODING = "gzip, deflate, br";

/**
 * The options every request of the client shares: its timeout, the shutdown signal, a signal to
 * drop the connection of a body over the limit (`tooLarge`), and the headers.
 */
export function requestInit(
  http: { timeoutMs: number; userAgent: string },
  signal: AbortSignal | undefined,
  authorization: string | null,
  headers: Record<string, string>,
): { init: RequestInit; timeout: AbortSignal; tooLarge: AbortController } {
  const timeout = AbortSignal.timeout(http.timeoutMs);
  const tooLarge = new AbortController();
  const init: RequestInit = {
    signal: AbortSignal.any([...(signal ? [signal] : []), timeout, tooLarge.signal]),
    headers: {
      ...(authorization === null ? {} : { authorization }),
      "user-agent": http.userAgent,
      "accept-encoding": ACCEPT_ENCODING,
      ...headers,
    },
  };
  return { init, timeout, tooLarge };
}

/** A failed request's error: the timeout, or fetch's message and cause (which may quote the URL: redacted). */
export function requestError(error: unknown, timeout: AbortSignal, timeoutMs: number): string {
  if (timeout.aborted) return `timed out after ${timeoutMs} ms`;
  const cause = (error as { cause?: { message?: string } }).cause?.message;
  return redactUrl(`${(error as Error).message}${cause ? ` (${cause})` : ""}`);
}

/**
 * A response body as text, read up to `limit` bytes; null when it is longer (a Content-Length
 * over the limit is not read at all). The reader is cancelled at the first byte over.
 */
export async function readBodyWithin(response: Response, limit: number): Promise<string | null> {
  const encoding = response.headers.get("content-encoding");
  const identity = encoding === null || encoding.trim().toLowerCase() === "identity";
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (identity && Number.isFinite(declared) && declared > limit) {
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

/** 5xx and the 4xx that mean "try again later" (408 Request Timeout, 429 Too Many Requests). */
export function isRetryableStatus(status: number): boolean {
  return status < 400 || status >= 500 || status === 408 || status === 429;
}
