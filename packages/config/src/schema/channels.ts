/**
 * The phone channels under `alerts.channels` (telegram, discord, slack, ntfy)
 * and the `only:` routing any channel may carry. Like webhook and email, a
 * channel's required settings are checked only when it is enabled, so a
 * disabled channel's `${VAR}` secrets may be unset.
 */
import { z } from "zod";
import { httpUrl, orDefault, positiveInt, section } from "./helpers.js";

/**
 * The alert types the rules raise (the alerts app's AlertType; it checks at
 * compile time that the two lists agree).
 */
export const ALERT_TYPES = [
  "odds_below",
  "odds_above",
  "odds_change",
  "steam",
  "overlay",
  "exacta_low",
  "exacta_high",
  "exacta_overlay",
  "exacta_underlay",
  "drift",
  "scratch",
  "late_change",
] as const;

export type AlertTypeName = (typeof ALERT_TYPES)[number];

/**
 * Which alerts a channel takes; absent = every alert. `types`: alert types;
 * `tracks`: configured track names (checked against `tracks:` when any are
 * configured); `minStrength`: details.strength at least this (0 = just past
 * the rule's threshold, 1 = twice as far; an alert without one is not taken).
 */
export const onlySchema = orDefault(
  z
    .strictObject({
      types: z.array(z.enum(ALERT_TYPES)).min(1, "list at least one alert type, or leave it out").optional(),
      tracks: z
        .array(z.string().trim().min(1, "must not be empty"))
        .min(1, "list at least one track, or leave it out")
        .optional(),
      minStrength: z.number().nonnegative().optional(),
    })
    .optional(),
);

export type ChannelOnly = z.output<typeof onlySchema>;

/**
 * `digestMinutes: N` on any channel: its alerts go out batched, one message
 * (a digest) once the oldest waiting alert is N minutes old; 0 or absent:
 * each alert at once.
 */
export const digestMinutesSchema = orDefault(
  z.int("must be a whole number of minutes").nonnegative("must be 0 or more").optional(),
);

/** Chat services answer over the public internet: a longer default than the local webhook's. */
const CHAT_TIMEOUT_MS = 10_000;

const required = (ctx: z.RefinementCtx, key: string) =>
  ctx.addIssue({ code: "custom", path: [key], message: "required when enabled" });

export const telegramSchema = section({
  enabled: z.boolean().default(false),
  /** The bot's token from @BotFather (`123456:ABC...`); it goes in the request path, never in logs. */
  token: z.string().trim().min(1, "must not be empty").optional(),
  /** The chat, group or channel (`-100...` or `@channelname`). */
  chatId: z.union([z.string().trim().min(1, "must not be empty"), z.int()]).optional(),
  /** The Bot API server (a local one, or a test's). */
  apiBase: httpUrl.default("https://api.telegram.org"),
  timeoutMs: positiveInt.default(CHAT_TIMEOUT_MS),
  only: onlySchema,
  digestMinutes: digestMinutesSchema,
}).superRefine((telegram, ctx) => {
  if (!telegram.enabled) return;
  if (telegram.token === undefined) required(ctx, "token");
  if (telegram.chatId === undefined) required(ctx, "chatId");
});

/** discord and slack: an incoming webhook URL (its secret is in the path). */
const webhookUrlSchema = () =>
  section({
    enabled: z.boolean().default(false),
    url: httpUrl.optional(),
    timeoutMs: positiveInt.default(CHAT_TIMEOUT_MS),
    only: onlySchema,
    digestMinutes: digestMinutesSchema,
  }).superRefine((channel, ctx) => {
    if (channel.enabled && channel.url === undefined) required(ctx, "url");
  });

export const discordSchema = webhookUrlSchema();
export const slackSchema = webhookUrlSchema();

export const ntfySchema = section({
  enabled: z.boolean().default(false),
  /** The topic URL (`https://ntfy.sh/<topic>`); a public topic's name is its secret. */
  url: httpUrl.optional(),
  /** Access token for a protected topic (sent as `Authorization: Bearer`). */
  token: z.string().trim().min(1, "must not be empty").optional(),
  timeoutMs: positiveInt.default(CHAT_TIMEOUT_MS),
  only: onlySchema,
  digestMinutes: digestMinutesSchema,
}).superRefine((ntfy, ctx) => {
  if (ntfy.enabled && ntfy.url === undefined) required(ctx, "url");
});

/**
 * Cross-section check: each channel's `only.tracks` names configured tracks
 * (when any are configured; with none, any name is accepted).
 */
export function checkChannelTracks(
  channels: Record<string, { only?: ChannelOnly }>,
  trackNames: ReadonlySet<string>,
  ctx: z.RefinementCtx,
): void {
  if (trackNames.size === 0) return;
  const known = [...trackNames].map((name) => `"${name}"`).join(", ");
  for (const [channel, settings] of Object.entries(channels)) {
    settings.only?.tracks?.forEach((track, index) => {
      if (trackNames.has(track)) return;
      ctx.addIssue({
        code: "custom",
        path: ["alerts", "channels", channel, "only", "tracks", index],
        message: `no track named "${track}" (tracks: ${known})`,
      });
    });
  }
}
