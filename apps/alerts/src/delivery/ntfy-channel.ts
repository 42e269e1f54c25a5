import { postChat } from "./chat-http.js";
import { chatBody, chatHeadline, chatTime, ntfyHeaderValue, ntfyPriority, ntfyTags } from "./chat-format.js";
import { ntfyDigestBody, ntfyDigestParts, ntfyDigestPriority, ntfyDigestTitle } from "./digest-format.js";
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
  const publish = async (title: string, priority: number, tags: string[], body: string) => {
    await postChat({
      label: "ntfy",
      url: options.url,
      headers: {
        "Content-Type": "text/plain; charset=utf-8",
        Title: ntfyHeaderValue(title),
        Priority: String(priority),
        Tags: ntfyHeaderValue(tags.join(",")),
        ...(options.token === undefined ? {} : { Authorization: `Bearer ${options.token}` }),
      },
      body,
      timeoutMs: options.timeoutMs,
      secrets: options.token === undefined ? [] : [options.token],
    });
  };
  return {
    name: "ntfy",
    sendTimeoutMs: options.timeoutMs,
    async send(alert) {
      await publish(
        chatHeadline(alert),
        ntfyPriority(alert),
        ntfyTags(alert),
        `${chatBody(alert)}\n${chatTime(alert)}`,
      );
    },
    // A digest: one message, Title `Totewatch: N alerts`, the highest Priority of its alerts, Tags `horse`.
    async sendDigest(alerts) {
      await publish(ntfyDigestTitle(alerts), ntfyDigestPriority(alerts), ["horse"], ntfyDigestBody(alerts));
    },
    digestParts: ntfyDigestParts,
  };
}
