/**
 * What a digest (a channel's `digestMinutes`: several alerts in one message)
 * looks like on each channel (pure, no I/O), and where each service's message
 * limits split it (see deliverDue's digests).
 */
import { createHash } from "node:crypto";
import type { StoredAlert } from "@totewatch/db";
import {
  chatBody,
  chatHeadline,
  chatPlainText,
  chatTime,
  DISCORD_LIMITS,
  escapeDiscordMarkdown,
  escapeSlack,
  escapeTelegramHtml,
  ntfyPriority,
  TELEGRAM_MAX_TEXT,
  truncate,
} from "./chat-format.js";
import { consoleAlertLine } from "./console-format.js";
import { emailText } from "./format.js";
import { splitDigest } from "./types.js";

/** `7 alerts` (`1 alert`). */
export function alertCount(n: number): string {
  return `${n} alert${n === 1 ? "" : "s"}`;
}

/**
 * A digest's stable key: `digest-` and the SHA-256 (hex, 32 digits) of its
 * alerts' dedupe keys, sorted and joined by newlines. The same alerts give the
 * same key on every attempt (the webhook's Idempotency-Key, the email's
 * Message-ID), whatever order they come in.
 */
export function digestKey(alerts: readonly Pick<StoredAlert, "dedupeKey">[]): string {
  const keys = alerts.map((alert) => alert.dedupeKey).sort();
  return `digest-${createHash("sha256").update(keys.join("\n")).digest("hex").slice(0, 32)}`;
}

/** The console's block: a header line, then each alert's usual line, indented. */
export function consoleDigest(alerts: readonly StoredAlert[]): string {
  return [
    `Totewatch digest: ${alertCount(alerts.length)}`,
    ...alerts.map((a) => `  ${consoleAlertLine(a)}`),
  ].join("\n");
}

/** The email's subject: `[Totewatch] 7 alerts`. */
export function emailDigestSubject(alerts: readonly StoredAlert[], subjectPrefix: string): string {
  return `${subjectPrefix ? `${subjectPrefix} ` : ""}${alertCount(alerts.length)}`;
}

/** The email's text: each alert's usual text, separated by a rule. */
export function emailDigestText(alerts: readonly StoredAlert[]): string {
  return alerts.map(emailText).join("\n\n----------------------------------------\n\n");
}

/** Room kept in each message for its header line (`Totewatch: 100 alerts` in the service's markup). */
const HEADER_ROOM = 64;

// Telegram -----------------------------------------------------------------

/** One alert in a Telegram digest: bold headline, body, italic time (escaped HTML). */
function telegramDigestItem(alert: StoredAlert): string {
  return (
    `<b>${escapeTelegramHtml(truncate(chatHeadline(alert), 512))}</b>\n` +
    `${escapeTelegramHtml(truncate(chatBody(alert), 1000))}\n<i>${escapeTelegramHtml(chatTime(alert))}</i>`
  );
}

/** `<b>Totewatch: 3 alerts</b>` then each alert's HTML, a blank line apart. */
export function telegramDigestText(alerts: readonly StoredAlert[]): string {
  return [`<b>Totewatch: ${alertCount(alerts.length)}</b>`, ...alerts.map(telegramDigestItem)].join("\n\n");
}

/** Parts within sendMessage's 4096 characters. */
export function telegramDigestParts(alerts: readonly StoredAlert[]): StoredAlert[][] {
  return splitDigest(
    alerts,
    (alert) => telegramDigestItem(alert).length + 2,
    TELEGRAM_MAX_TEXT - HEADER_ROOM,
  );
}

// Discord ------------------------------------------------------------------

/** One alert in a Discord digest: `headline: body (time)`, markdown escaped, one line. */
function discordDigestItem(alert: StoredAlert): string {
  return escapeDiscordMarkdown(
    truncate(`${chatHeadline(alert)}: ${chatBody(alert)} (${chatTime(alert)})`.replace(/\n/g, " "), 400),
  );
}

/** One `content` (2000 characters at most): a bold count, then a line per alert; mentions off. */
export function discordDigestMessage(alerts: readonly StoredAlert[]): {
  content: string;
  allowed_mentions: { parse: never[] };
} {
  return {
    content: truncate(
      [`**Totewatch: ${alertCount(alerts.length)}**`, ...alerts.map(discordDigestItem)].join("\n"),
      DISCORD_LIMITS.content,
    ),
    allowed_mentions: { parse: [] },
  };
}

/** Parts within a message's 2000 characters of content. */
export function discordDigestParts(alerts: readonly StoredAlert[]): StoredAlert[][] {
  return splitDigest(
    alerts,
    (alert) => discordDigestItem(alert).length + 1,
    DISCORD_LIMITS.content - HEADER_ROOM,
  );
}

// Slack --------------------------------------------------------------------

/** Slack takes 50 blocks per message: a header section and at most this many alerts. */
const SLACK_DIGEST_MAX_ALERTS = 40;

/** `text` (the notification) and a section per alert (mrkdwn, escaped). */
export function slackDigestMessage(alerts: readonly StoredAlert[]): {
  text: string;
  blocks: Array<{ type: "section"; text: { type: "mrkdwn"; text: string } }>;
} {
  const section = (text: string) => ({ type: "section" as const, text: { type: "mrkdwn" as const, text } });
  return {
    text: `Totewatch: ${alertCount(alerts.length)}`,
    blocks: [
      section(`*Totewatch: ${alertCount(alerts.length)}*`),
      ...alerts.map((alert) =>
        section(
          truncate(
            `*${escapeSlack(chatHeadline(alert))}*\n${escapeSlack(chatBody(alert))}\n_${escapeSlack(chatTime(alert))}_`,
            3000,
          ),
        ),
      ),
    ],
  };
}

/** Parts of at most 40 alerts (each section is within 3000 characters by itself). */
export function slackDigestParts(alerts: readonly StoredAlert[]): StoredAlert[][] {
  return splitDigest(alerts, () => 0, Infinity, SLACK_DIGEST_MAX_ALERTS);
}

// ntfy ---------------------------------------------------------------------

/** ntfy turns a message over 4096 bytes into an attachment: a digest part stays under it. */
export const NTFY_MAX_BODY_BYTES = 4096;

/** The body: each alert's headline, body and time, a blank line apart. */
export function ntfyDigestBody(alerts: readonly StoredAlert[]): string {
  return alerts.map(chatPlainText).join("\n\n");
}

/** The Title header: `Totewatch: 3 alerts`. */
export function ntfyDigestTitle(alerts: readonly StoredAlert[]): string {
  return `Totewatch: ${alertCount(alerts.length)}`;
}

/** The Priority header: the highest of its alerts'. */
export function ntfyDigestPriority(alerts: readonly StoredAlert[]): 3 | 4 | 5 {
  return Math.max(...alerts.map(ntfyPriority)) as 3 | 4 | 5;
}

/** Parts within 4096 bytes of body (UTF-8). */
export function ntfyDigestParts(alerts: readonly StoredAlert[]): StoredAlert[][] {
  return splitDigest(
    alerts,
    (alert) => Buffer.byteLength(chatPlainText(alert), "utf8") + 2,
    NTFY_MAX_BODY_BYTES,
  );
}
