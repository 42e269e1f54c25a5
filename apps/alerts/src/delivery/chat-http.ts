/**
 * The HTTP side the chat channels (telegram, discord, slack, ntfy) share: one
 * POST with a timeout, errors that never show a secret (a bot token in the
 * path, a webhook URL's path, a topic name), and the wait a rate-limited
 * answer asks for (ChannelSendError.retryAfterMs).
 */
import { ChannelSendError } from "./types.js";

/** How much of a failing answer's body goes into the error. */
const ERROR_BODY_CHARS = 200;

export interface ChatPost {
  /** What errors call the receiver: "telegram", "discord webhook". */
  label: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Texts that must never appear in an error (tokens); the URL's path is always hidden. */
  secrets?: readonly string[];
}

export interface ChatAnswer {
  status: number;
  text: string;
}

/** `host/…`: all an error shows of a URL whose path (or query) carries a secret. */
export function shownHost(url: string): string {
  try {
    return `${new URL(url).host}/…`;
  } catch {
    return "(invalid url)";
  }
}

/** `text` with every secret (and the URL's path, when it is more than "/") replaced by "…". */
export function scrub(text: string, url: string, secrets: readonly string[] = []): string {
  const hidden = [...secrets];
  try {
    const { pathname, search } = new URL(url);
    if (pathname.length > 1) hidden.push(pathname);
    if (search.length > 1) hidden.push(search);
  } catch {
    hidden.push(url);
  }
  let result = text;
  for (const secret of hidden.filter((each) => each.length >= 4).sort((a, b) => b.length - a.length)) {
    result = result.split(secret).join("…");
  }
  return result;
}

/**
 * The wait an answer asks for, in ms: the Retry-After header (seconds, or an
 * HTTP date) or a JSON body's `retry_after` (Discord: seconds, fractional) or
 * `parameters.retry_after` (Telegram: seconds), the longest when several are
 * given. Undefined when it names none.
 */
export function retryAfterMs(headers: Headers, text: string, now = Date.now()): number | undefined {
  const waits: number[] = [];
  const header = headers.get("retry-after")?.trim();
  if (header) {
    if (/^\d+(\.\d+)?$/.test(header)) waits.push(Number(header) * 1000);
    else {
      const at = Date.parse(header);
      if (Number.isFinite(at)) waits.push(Math.max(0, at - now));
    }
  }
  try {
    const body = JSON.parse(text) as { retry_after?: unknown; parameters?: { retry_after?: unknown } };
    for (const value of [body?.retry_after, body?.parameters?.retry_after]) {
      if (typeof value === "number" && Number.isFinite(value) && value >= 0) waits.push(value * 1000);
    }
  } catch {
    // not JSON: the header is all there is
  }
  return waits.length === 0 ? undefined : Math.ceil(Math.max(...waits));
}

/**
 * POSTs once. Resolves with a 2xx answer; rejects with a ChannelSendError
 * otherwise: a timeout, a refused connection, or an answer's status with the
 * start of its body, and (429 or 503) the wait it asked for.
 */
export async function postChat(post: ChatPost): Promise<ChatAnswer> {
  const shown = `${post.label} ${shownHost(post.url)}`;
  const clean = (text: string) => scrub(text, post.url, post.secrets);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), post.timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await fetch(post.url, {
      method: "POST",
      headers: { "User-Agent": "totewatch-alerts", ...post.headers },
      body: post.body,
      signal: controller.signal,
      // A redirected POST would be re-sent as a GET: a redirect is a failure.
      redirect: "manual",
    });
    text = await response.text();
  } catch (error) {
    if (controller.signal.aborted) {
      throw new ChannelSendError(`${shown} did not answer within ${post.timeoutMs} ms`);
    }
    throw new ChannelSendError(`${shown} failed: ${clean(describeFetchError(error))}`);
  } finally {
    clearTimeout(timer);
  }
  if (response.status >= 200 && response.status < 300) return { status: response.status, text };
  const wait =
    response.status === 429 || response.status === 503 ? retryAfterMs(response.headers, text) : undefined;
  const snippet = clean(text.trim().slice(0, ERROR_BODY_CHARS));
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  const retry = wait === undefined ? "" : ` (retry after ${wait / 1000} s)`;
  throw new ChannelSendError(`${shown} answered ${status}${snippet ? `: ${snippet}` : ""}${retry}`, wait);
}

/** fetch says "fetch failed" and hides the reason (ECONNREFUSED, ...) in `cause`. */
function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}
