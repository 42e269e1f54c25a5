import { jsonWebhook } from "./chat-http.js";
import { discordMessage } from "./chat-format.js";
import { discordDigestMessage, discordDigestParts } from "./digest-format.js";
import type { Channel } from "./types.js";

export interface DiscordChannelOptions {
  /** The webhook URL (`https://discord.com/api/webhooks/<id>/<token>`): its path is secret. */
  url: string;
  timeoutMs: number;
}

/**
 * POSTs each alert to a Discord webhook: a one-line `content` and an embed
 * (title, description, colour by alert type, timestamp, fields), mentions off.
 * Discord answers 204 (200 with `?wait=true`); a 429 names its wait in
 * `retry_after` (seconds) and Retry-After. No idempotency key exists: a send
 * repeated after a crash shows twice.
 */
export function createDiscordChannel(options: DiscordChannelOptions): Channel {
  // One alert and a digest go the same way; only the message differs.
  const post = jsonWebhook("discord webhook", options);
  return {
    name: "discord",
    sendTimeoutMs: options.timeoutMs,
    send: (alert) => post(discordMessage(alert)),
    // A digest: one `content` of at most 2000 characters (split into several messages past that).
    sendDigest: (alerts) => post(discordDigestMessage(alerts)),
    digestParts: discordDigestParts,
  };
}
