import { createHmac, timingSafeEqual } from "node:crypto";
import { redactUrl } from "@totewatch/config";
import { postChat } from "./chat-http.js";
import { digestKey } from "./digest-format.js";
import { webhookPayload } from "./format.js";
import type { Channel } from "./types.js";

export const IDEMPOTENCY_HEADER = "Idempotency-Key";
export const SIGNATURE_HEADER = "X-Totewatch-Signature";
export const TIMESTAMP_HEADER = "X-Totewatch-Timestamp";

export interface WebhookChannelOptions {
  url: string;
  /** Shared secret the body is signed with. */
  secret: string;
  timeoutMs: number;
  /** Default: the attempt's wall clock (the payload's sentAt and the timestamp header). */
  clock?: () => Date;
}

/** `sha256=<hex HMAC-SHA256 of the exact body bytes>`. */
export function signWebhookBody(body: string | Uint8Array, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/**
 * For receivers (and tests): true when `header` is the signature of exactly
 * these body bytes with `secret`. Compares in constant time.
 */
export function verifyWebhookSignature(
  body: string | Uint8Array,
  header: string | readonly string[] | null | undefined,
  secret: string,
): boolean {
  if (typeof header !== "string") return false;
  const expected = Buffer.from(signWebhookBody(body, secret));
  const given = Buffer.from(header.trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * POSTs each alert as JSON. The Idempotency-Key is the alert's dedupe key, the
 * same on every attempt, so a receiver that honours it acts on each alert
 * once even when we re-send after a lost response or a crash. A digest
 * (sendDigest) is a JSON array of the same payloads, keyed by digestKey.
 */
export function createWebhookChannel(options: WebhookChannelOptions): Channel {
  const clock = options.clock ?? (() => new Date());
  // Errors are stored as the delivery's last error and printed: never with a password in the URL.
  const shownUrl = redactUrl(options.url);
  return {
    name: "webhook",
    sendTimeoutMs: options.timeoutMs,
    send: (alert) => post(alert.dedupeKey, (sentAt) => webhookPayload(alert, sentAt)),
    // A digest: a JSON array of the alerts' usual payloads (oldest first), Idempotency-Key digestKey(alerts).
    sendDigest: (alerts) =>
      post(digestKey(alerts), (sentAt) => alerts.map((alert) => webhookPayload(alert, sentAt))),
  };

  /** One POST (postChat: timeout, no redirects, a 429's Retry-After), signed and keyed. */
  async function post(idempotencyKey: string, payload: (sentAt: Date) => unknown): Promise<void> {
    const sentAt = clock();
    const body = JSON.stringify(payload(sentAt));
    await postChat({
      label: "webhook",
      url: options.url,
      shown: shownUrl,
      headers: {
        "Content-Type": "application/json",
        [IDEMPOTENCY_HEADER]: idempotencyKey,
        [SIGNATURE_HEADER]: signWebhookBody(body, options.secret),
        [TIMESTAMP_HEADER]: String(Math.floor(sentAt.getTime() / 1000)),
      },
      body,
      timeoutMs: options.timeoutMs,
      secrets: options.secret ? [options.secret] : [],
    });
  }
}
