/**
 * The HTTP side the chat channels (telegram, discord, slack, ntfy) and the webhook share: one
 * POST with a timeout, errors that never show a secret (a bot token in the
 * path, a webhook URL's path, a topic name), and the wait a rate-limited
 * answer asks for (ChannelSendError.retryAfterMs).
 */
import { credentialsAsBasicAuth, redactUrl } from "@totewatch/config";
import { ChannelSendError } from "./types.js";

/** How much of a failing answer's body goes into the error. */
const ERROR_BODY_CHARS = 200;

/**
 * The longest wait a 429/503 answer can ask for here (a day), when the caller names no cap: a
 * larger (or absurd, `retry_after: 1e13`) wait is taken as this. The deliverer clamps it again to
 * its backoffMaxMs.
 */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

export interface ChatPost {
  /** What errors call the receiver: "telegram", "discord webhook". */
  label: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Texts that must never appear in an error (tokens); the URL's path is hidden unless `shown` is given. */
  secrets?: readonly string[];
  /**
   * The URL as errors name it, for a receiver whose URL path is no secret (the webhook: its
   * password is already masked here, redactUrl); default `host/…`, the path hidden everywhere.
   */
  shown?: string;
  /** A Retry-After longer than this is taken as this; default MAX_RETRY_AFTER_MS. */
  maxRetryAfterMs?: number;
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

/**
 * `text` with every secret (and the URL's path, when it is more than "/", and any password in it)
 * replaced by "…", and any `user:password@` in a URL in it redacted (redactUrl). Scrub a whole text
 * before cutting it: a cut can split a secret so that no longer matches.
 */
export function scrub(text: string, url: string, secrets: readonly string[] = [], hidePath = true): string {
  const hidden = [...secrets];
  try {
    const { pathname, search, password } = new URL(url);
    if (hidePath && pathname.length > 1) hidden.push(pathname);
    if (hidePath && search.length > 1) hidden.push(search);
    if (password !== "") hidden.push(password, decodeURIComponent(password));
  } catch {
    hidden.push(url);
  }
  let result = redactUrl(text);
  for (const secret of hidden.filter((each) => each.length >= 4).sort((a, b) => b.length - a.length)) {
    result = result.split(secret).join("…");
  }
  return result;
}

/** The start of an answer's body for an error: scrubbed whole first, then cut. */
export function errorSnippet(
  text: string,
  url: string,
  secrets: readonly string[] = [],
  hidePath = true,
): string {
  return scrub(text.trim(), url, secrets, hidePath).slice(0, ERROR_BODY_CHARS);
}

/**
 * The wait an answer asks for, in ms: the Retry-After header (seconds, or an
 * HTTP date) or a JSON body's `retry_after` (Discord: seconds, fractional) or
 * `parameters.retry_after` (Telegram: seconds), the longest when several are
 * given, at most `maxMs`. Undefined when it names none (a negative, NaN or unparsable
 * value names none).
 */
export function retryAfterMs(
  headers: Headers,
  text: string,
  now = Date.now(),
  maxMs = MAX_RETRY_AFTER_MS,
): number | undefined {
  const waits: number[] = [];
  const header = headers.get("retry-after")?.trim();
  if (header) {
    if (/^\d+(\.\d+)?$/.test(header)) waits.push(Number(header) * 1000);
    else if (/[a-z]/i.test(header)) {
      // An HTTP date ("Wed, 21 Oct 2015 07:28:00 GMT"); "-5" and the like are no date.
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
  const valid = waits.filter((wait) => Number.isFinite(wait) && wait >= 0);
  return valid.length === 0 ? undefined : Math.min(Math.ceil(Math.max(...valid)), Math.max(0, maxMs));
}

/**
 * POSTs once. Resolves with a 2xx answer; rejects with a ChannelSendError
 * otherwise: a timeout, a refused connection, or an answer's status with the
 * start of its body, and (429 or 503) the wait it asked for.
 */
export async function postChat(post: ChatPost): Promise<ChatAnswer> {
  const shown = `${post.label} ${post.shown ?? shownHost(post.url)}`;
  const hidePath = post.shown === undefined;
  const clean = (text: string) => scrub(text, post.url, post.secrets, hidePath);
  // fetch refuses a URL with `user:password@` in it: those go as basic auth (an explicit
  // Authorization header, e.g. an ntfy token, wins).
  const { url, authorization } = credentialsAsBasicAuth(post.url);
  const explicitAuth = Object.keys(post.headers).some((name) => name.toLowerCase() === "authorization");
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), post.timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: {
        "User-Agent": "totewatch-alerts",
        ...(authorization === null || explicitAuth ? {} : { Authorization: authorization }),
        ...post.headers,
      },
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
    response.status === 429 || response.status === 503
      ? retryAfterMs(response.headers, text, Date.now(), post.maxRetryAfterMs)
      : undefined;
  const snippet = errorSnippet(text, post.url, post.secrets, hidePath);
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  const retry = wait === undefined ? "" : ` (retry after ${wait / 1000} s)`;
  throw new ChannelSendError(
    `${shown} answered ${status}${snippet ? `: ${snippet}` : ""}${retry}`,
    wait,
    response.status,
  );
}

/** A webhook that takes one JSON message per POST (discord, slack): the message's send. */
export function jsonWebhook(
  label: string,
  options: { url: string; timeoutMs: number },
): (message: unknown) => Promise<void> {
  return (message) =>
    postChat({
      label,
      url: options.url,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(message),
      timeoutMs: options.timeoutMs,
    }).then(() => undefined);
}

/** fetch says "fetch failed" and hides the reason (ECONNREFUSED, ...) in `cause`. */
function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}
