/**
 * The text the chat channels send (pure, no I/O): a headline and the rule's
 * line, written for each service's markup. Names come from the config and the
 * tote (a horse may be called `<b>Bold & Co</b>`), so every service gets them
 * escaped its own way.
 */
import { alertStrength, type StoredAlert } from "@totewatch/db";
import { zonedTime } from "./console-format.js";
import {
  alertTypeLabel,
  messageBody,
  minutesToPostOf,
  raceLabel,
  subjectLabel,
  subjectOf,
  valueMove,
} from "./format.js";

/** `Saratoga R5: #3 Thunder Road steam` (`Totewatch alert: ...` for an alert naming no race). */
export function chatHeadline(alert: StoredAlert): string {
  const race = raceLabel(alert) || "Totewatch alert";
  const what = [subjectLabel(alert), alertTypeLabel(alert.alertType)].filter((part) => part !== "").join(" ");
  return `${race}: ${what}`;
}

/** `5 -> 5-2 (-50.0%) in 6 min, 8 min to post`: the rule's line without the race and subject. */
export function chatBody(alert: StoredAlert): string {
  return messageBody(alert);
}

/** `13:42:00 EDT`: when it fired, on the track's clock. */
export function chatTime(alert: StoredAlert): string {
  return zonedTime(alert.triggeredAt, alert.race?.timezone ?? null);
}

/** Plain text: headline, the rule's line, the time (ntfy's body is the last two). */
export function chatPlainText(alert: StoredAlert): string {
  return [chatHeadline(alert), chatBody(alert), chatTime(alert)].join("\n");
}

/** `text` cut to `max` characters (UTF-16 units, as the services count), ending in "…" when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

// Telegram -----------------------------------------------------------------

/** Telegram's HTML mode: only &, < and > must be escaped (as &amp; &lt; &gt;). */
export function escapeTelegramHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** sendMessage's limit, counted after entities are parsed; the escaped text is kept under it too. */
export const TELEGRAM_MAX_TEXT = 4096;

/** `<b>headline</b>\nbody\n<i>time</i>`, names escaped; a long body is cut (before escaping) to fit. */
export function telegramText(alert: StoredAlert): string {
  const headline = escapeTelegramHtml(truncate(chatHeadline(alert), 512));
  const time = escapeTelegramHtml(chatTime(alert));
  for (let max = 3000; ; max = Math.floor(max / 2)) {
    const text = `<b>${headline}</b>\n${escapeTelegramHtml(truncate(chatBody(alert), max))}\n<i>${time}</i>`;
    if (text.length <= TELEGRAM_MAX_TEXT || max < 16) return text;
  }
}

// Slack --------------------------------------------------------------------

/** Slack's escaping for text it parses: &, < and > as &amp; &lt; &gt; (nothing else). */
export function escapeSlack(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** A section block's text may hold 3000 characters. */
const SLACK_SECTION_MAX = 3000;

export interface SlackMessage {
  /** The notification's text (and the fallback where blocks are not shown). */
  text: string;
  blocks: Array<
    | { type: "section"; text: { type: "mrkdwn"; text: string } }
    | { type: "context"; elements: Array<{ type: "mrkdwn"; text: string }> }
  >;
}

export function slackMessage(alert: StoredAlert): SlackMessage {
  const headline = escapeSlack(chatHeadline(alert));
  const body = escapeSlack(chatBody(alert));
  return {
    text: truncate(`${headline}: ${body}`, SLACK_SECTION_MAX),
    blocks: [
      {
        type: "section",
        text: { type: "mrkdwn", text: truncate(`*${headline}*\n${body}`, SLACK_SECTION_MAX) },
      },
      {
        type: "context",
        elements: [{ type: "mrkdwn", text: escapeSlack(`${chatTime(alert)} · ${alert.dedupeKey}`) }],
      },
    ],
  };
}

// Discord ------------------------------------------------------------------

/** Discord's limits: content 2000, embed title 256, description 4096, field name 256, value 1024. */
export const DISCORD_LIMITS = {
  content: 2000,
  title: 256,
  description: 4096,
  fieldName: 256,
  fieldValue: 1024,
};

/**
 * Markdown Discord would format (a horse named `*Star*`), escaped with a backslash: \ * _ ~ ` |
 * anywhere, and a quote, heading or list mark (`>`, `# `, `- `) starting a line.
 */
export function escapeDiscordMarkdown(text: string): string {
  return text.replace(/[\\*_~`|]/g, (char) => `\\${char}`).replace(/^(?=>|#{1,3} |- )/gm, "\\");
}

/** Embed colours by the kind of move: money in (red), money out (blue), value (green), the rest amber. */
const DISCORD_COLORS: Record<string, number> = {
  steam: 0xe74c3c,
  odds_below: 0xe74c3c,
  drift: 0x3498db,
  odds_above: 0x3498db,
  overlay: 0x2ecc71,
  exacta_overlay: 0x2ecc71,
  scratch: 0x95a5a6,
};
const DISCORD_DEFAULT_COLOR = 0xf1c40f;

export interface DiscordMessage {
  content: string;
  embeds: Array<{
    title: string;
    description: string;
    color: number;
    timestamp: string;
    fields?: Array<{ name: string; value: string; inline: boolean }>;
  }>;
  /** Nothing in an alert pings anyone (`@everyone` in a horse's name included). */
  allowed_mentions: { parse: never[] };
}

export function discordMessage(alert: StoredAlert): DiscordMessage {
  const fields: Array<{ name: string; value: string; inline: boolean }> = [];
  const field = (name: string, value: string) => {
    if (value !== "")
      fields.push({
        name,
        value: truncate(escapeDiscordMarkdown(value), DISCORD_LIMITS.fieldValue),
        inline: true,
      });
  };
  if (alert.race !== null) field("Race", raceLabel(alert));
  if (subjectOf(alert) !== null) field(alert.runner === null ? "Subject" : "Runner", subjectLabel(alert));
  field("Move", valueMove(alert));
  const minutes = minutesToPostOf(alert);
  if (minutes !== null) field("Minutes to post", String(Math.round(minutes)));
  return {
    content: truncate(escapeDiscordMarkdown(chatHeadline(alert)), DISCORD_LIMITS.content),
    embeds: [
      {
        title: truncate(chatHeadline(alert), DISCORD_LIMITS.title),
        description: truncate(
          escapeDiscordMarkdown(`${chatBody(alert)}\n${chatTime(alert)}`),
          DISCORD_LIMITS.description,
        ),
        color: DISCORD_COLORS[alert.alertType] ?? DISCORD_DEFAULT_COLOR,
        timestamp: alert.triggeredAt.toISOString(),
        ...(fields.length > 0 ? { fields } : {}),
      },
    ],
    allowed_mentions: { parse: [] },
  };
}

// ntfy ---------------------------------------------------------------------

/**
 * ntfy's priority (1 min .. 5 max, 3 default) from the alert's strength (how
 * far past its threshold: 0 = at it, 1 = twice as far): below 0.5 (or none)
 * 3; from 0.5 4 (high: a strong steam); from 1.5 5 (urgent).
 */
export function ntfyPriority(alert: Pick<StoredAlert, "details">): 3 | 4 | 5 {
  const strength = alertStrength(alert) ?? 0;
  if (strength >= 1.5) return 5;
  if (strength >= 0.5) return 4;
  return 3;
}

/** Tags (ntfy shows known emoji names as emoji): the horse, then the alert type. */
export function ntfyTags(alert: StoredAlert): string[] {
  return ["horse", alert.alertType];
}

/**
 * A header value as ntfy reads it: ASCII as it is; anything else as an RFC
 * 2047 encoded word (`=?UTF-8?B?...?=`, decoded by ntfy 2.4+), since HTTP
 * headers carry no UTF-8. Line breaks become spaces.
 */
export function ntfyHeaderValue(text: string): string {
  const line = text.replace(/[\r\n]+/g, " ");
  if (/^[\x20-\x7e]*$/.test(line)) return line;
  return `=?UTF-8?B?${Buffer.from(line, "utf8").toString("base64")}?=`;
}
