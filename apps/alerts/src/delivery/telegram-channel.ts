import { errorSnippet, postChat } from "./chat-http.js";
import { telegramText } from "./chat-format.js";
import { telegramDigestParts, telegramDigestText } from "./digest-format.js";
import { ChannelSendError, type Channel } from "./types.js";

export interface TelegramChannelOptions {
  /** The bot's token: part of the request path, so it is never shown in an error. */
  token: string;
  /** Chat id (`-100...`) or `@channelname`. */
  chatId: string | number;
  /** Default https://api.telegram.org. */
  apiBase?: string;
  timeoutMs: number;
}

/** The Bot API's sendMessage URL: `{apiBase}/bot{token}/sendMessage`. */
export function telegramSendMessageUrl(apiBase: string, token: string): string {
  return `${apiBase.replace(/\/+$/, "")}/bot${token}/sendMessage`;
}

/**
 * Sends each alert with the Bot API's sendMessage, as HTML (names escaped),
 * link previews off. Telegram has no idempotency key: a send repeated after a
 * crash between its success and its record shows twice (the alert's line
 * reads the same both times).
 */
export function createTelegramChannel(options: TelegramChannelOptions): Channel {
  const url = telegramSendMessageUrl(options.apiBase ?? "https://api.telegram.org", options.token);
  const sendText = async (text: string) => {
    const answer = await postChat({
      label: "telegram",
      url,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        chat_id: options.chatId,
        text,
        parse_mode: "HTML",
        disable_web_page_preview: true,
      }),
      timeoutMs: options.timeoutMs,
      secrets: [options.token],
    });
    // The Bot API answers {"ok": true, "result": ...}; anything else did not send.
    let ok = false;
    try {
      ok = (JSON.parse(answer.text) as { ok?: unknown }).ok === true;
    } catch {
      ok = false;
    }
    if (!ok) {
      throw new ChannelSendError(
        `telegram answered HTTP ${answer.status} without "ok": true: ${errorSnippet(answer.text, url, [options.token])}`,
      );
    }
  };
  return {
    name: "telegram",
    sendTimeoutMs: options.timeoutMs,
    send: (alert) => sendText(telegramText(alert)),
    // A digest: one sendMessage of at most 4096 characters (split into several past that).
    sendDigest: (alerts) => sendText(telegramDigestText(alerts)),
    digestParts: telegramDigestParts,
  };
}
