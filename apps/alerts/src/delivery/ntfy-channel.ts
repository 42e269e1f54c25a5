import { postChat } from "./chat-http.js";
import { chatBody, chatHeadline, chatTime, ntfyHeaderValue, ntfyPriority, ntfyTags } from "./chat-format.js";
import type { Channel } from "./types.js";

export interface NtfyChannelOptions {
  /** The topic URL (`https://ntfy.sh/<topic>`); on a public server the topic's name is its secret. */
  url: string;
  /** Access token of a protected topic: `Authorization: Bearer <token>`. */
  token?: string;
  timeoutMs: number;
}

/**
 * Publishes each alert to an ntfy topic: the message as the body, and the
 * Title, Priority (from the alert's strength, ntfyPriority) and Tags headers.
 */
export function createNtfyChannel(options: NtfyChannelOptions): Channel {
  return {
    name: "ntfy",
    sendTimeoutMs: options.timeoutMs,
    async send(alert) {
      await postChat({
        label: "ntfy",
        url: options.url,
        headers: {
          "Content-Type": "text/plain; charset=utf-8",
          Title: ntfyHeaderValue(chatHeadline(alert)),
          Priority: String(ntfyPriority(alert)),
          Tags: ntfyHeaderValue(ntfyTags(alert).join(",")),
          ...(options.token === undefined ? {} : { Authorization: `Bearer ${options.token}` }),
        },
        body: `${chatBody(alert)}\n${chatTime(alert)}`,
        timeoutMs: options.timeoutMs,
        secrets: options.token === undefined ? [] : [options.token],
      });
    },
  };
}
