import { postChat } from "./chat-http.js";
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
  return {
    name: "discord",
    sendTimeoutMs: options.timeoutMs,
    async send(alert) {
      await postChat({
        label: "discord webhook",
        url: options.url,
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(discordMessage(alert)),
        timeoutMs: options.timeoutMs,
      });
    },
    // A digest: one `content` of at most 2000 characters (split into several messages past that).
    async sendDigest(alerts) {
      await postChat({
        label: "discord webhook",
        url: options.url,
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(discordDigestMessage(alerts)),
        timeoutMs: options.timeoutMs,
      });
    },
    digestParts: discordDigestParts,
  };
}
