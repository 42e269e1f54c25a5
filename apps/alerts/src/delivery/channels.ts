import { ALERT_TYPES, type ChannelOnly, type Logger, type TotewatchConfig } from "@totewatch/config";
import { routeTakes, type DeliveryRoute, type StoredAlert } from "@totewatch/db";
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import { createConsoleChannel } from "./console-channel.js";
import { createDiscordChannel } from "./discord-channel.js";
import { createEmailChannel } from "./email-channel.js";
import { consoleAlertLine } from "./console-format.js";
import { emailSubject } from "./format.js";
import { shownHost } from "./chat-http.js";
import { createNtfyChannel } from "./ntfy-channel.js";
import { createSlackChannel } from "./slack-channel.js";
import { createTelegramChannel } from "./telegram-channel.js";
import type { Channel, ChannelName } from "./types.js";
import { createWebhookChannel } from "./webhook-channel.js";
import type { AlertType } from "../rules/types.js";

export type ChannelsConfig = TotewatchConfig["alerts"]["channels"];

// The config's list of alert types (what `only.types` accepts) is the rules' AlertType, both ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const ALERT_TYPES_AGREE: Same<(typeof ALERT_TYPES)[number], AlertType> = true;
void ALERT_TYPES_AGREE;

export interface CreateChannelsOptions {
  /** Channels that log what they would send and send nothing. */
  dryRun?: boolean;
  /** Where the console channel writes; default process.stdout. */
  stdout?: NodeJS.WritableStream;
  logger: Logger;
  /** Extra nodemailer transport settings (tests: a self-signed server's CA). */
  emailTransport?: SMTPTransport.Options;
}

/** A channel's `only:` as the database's route (what deliverDue creates and sends rows for). */
export function routeOf(channel: Pick<Channel, "name" | "only">): DeliveryRoute | string {
  const { only } = channel;
  if (only === undefined) return channel.name;
  return { channel: channel.name, types: only.types, tracks: only.tracks, minStrength: only.minStrength };
}

/** Whether the channel takes this alert (its `only:`; every alert when unset). */
export function channelTakes(channel: Pick<Channel, "name" | "only">, alert: StoredAlert): boolean {
  return routeTakes(routeOf(channel), alert);
}

/**
 * The enabled channels, console first. A channel enabled without the settings
 * it needs is refused here, naming the missing key (the config schema checks
 * this too; this guards hand-built configs). Each carries its `only:` and
 * its `digestMinutes` (a dry run drops the latter: it shows each alert as it comes).
 */
export function createChannels(config: ChannelsConfig, options: CreateChannelsOptions): Channel[] {
  const channels: Channel[] = [];
  const describe: Partial<Record<ChannelName, (alert: StoredAlert) => Record<string, unknown>>> = {};
  const add = (channel: Channel, only: ChannelOnly, digestMinutes?: number) =>
    channels.push({
      ...channel,
      ...(only === undefined ? {} : { only }),
      // 0 or absent: each alert at once.
      ...(digestMinutes ? { digestMinutes } : {}),
    });
  const need = (name: string, key: string, value: unknown) => {
    if (value === undefined)
      throw new Error(`alerts.channels.${name}.${key} is required when ${name} is enabled`);
  };
  if (config.console.enabled) {
    add(
      createConsoleChannel(options.stdout ?? process.stdout),
      config.console.only,
      config.console.digestMinutes,
    );
    describe.console = (alert) => ({ line: consoleAlertLine(alert) });
  }
  if (config.webhook.enabled) {
    const { url, secret, timeoutMs } = config.webhook;
    if (url === undefined)
      throw new Error("alerts.channels.webhook.url is required when the webhook is enabled");
    if (secret === undefined) {
      throw new Error("alerts.channels.webhook.secret is required when the webhook is enabled");
    }
    add(createWebhookChannel({ url, secret, timeoutMs }), config.webhook.only, config.webhook.digestMinutes);
    describe.webhook = (alert) => ({ url, idempotencyKey: alert.dedupeKey });
  }
  if (config.email.enabled) {
    const email = config.email;
    if (email.host === undefined)
      throw new Error("alerts.channels.email.host is required when email is enabled");
    if (email.from === undefined)
      throw new Error("alerts.channels.email.from is required when email is enabled");
    add(
      createEmailChannel({
        host: email.host,
        port: email.port,
        secure: email.secure,
        requireTls: email.requireTls,
        user: email.user,
        pass: email.pass,
        from: email.from,
        to: email.to,
        subjectPrefix: email.subjectPrefix,
        transport: options.emailTransport,
      }),
      email.only,
      email.digestMinutes,
    );
    describe.email = (alert) => ({ to: email.to, subject: emailSubject(alert, email.subjectPrefix) });
  }
  const { telegram, discord, slack, ntfy } = config;
  if (telegram.enabled) {
    need("telegram", "token", telegram.token);
    need("telegram", "chatId", telegram.chatId);
    add(
      createTelegramChannel({
        token: telegram.token!,
        chatId: telegram.chatId!,
        apiBase: telegram.apiBase,
        timeoutMs: telegram.timeoutMs,
      }),
      telegram.only,
      telegram.digestMinutes,
    );
    // Never the token: the API host and the chat only.
    describe.telegram = () => ({ api: shownHost(telegram.apiBase), chatId: telegram.chatId });
  }
  if (discord.enabled) {
    need("discord", "url", discord.url);
    add(
      createDiscordChannel({ url: discord.url!, timeoutMs: discord.timeoutMs }),
      discord.only,
      discord.digestMinutes,
    );
    describe.discord = () => ({ webhook: shownHost(discord.url!) });
  }
  if (slack.enabled) {
    need("slack", "url", slack.url);
    add(createSlackChannel({ url: slack.url!, timeoutMs: slack.timeoutMs }), slack.only, slack.digestMinutes);
    describe.slack = () => ({ webhook: shownHost(slack.url!) });
  }
  if (ntfy.enabled) {
    need("ntfy", "url", ntfy.url);
    add(
      createNtfyChannel({ url: ntfy.url!, token: ntfy.token, timeoutMs: ntfy.timeoutMs }),
      ntfy.only,
      ntfy.digestMinutes,
    );
    describe.ntfy = () => ({ topic: shownHost(ntfy.url!) });
  }
  if (!options.dryRun) return channels;
  return channels.map((channel) => ({
    ...dryRunChannel(channel.name, options.logger, describe[channel.name]),
    ...(channel.only === undefined ? {} : { only: channel.only }),
  }));
}

/**
 * Stands in for a channel under --dry-run: logs what would be sent, each time
 * it is handed an alert. It remembers nothing: showing each alert once across
 * passes is the caller's (the daemon's dry-run state, deliverDue's dryRunShown).
 */
export function dryRunChannel(
  name: ChannelName,
  logger: Logger,
  describe: (alert: StoredAlert) => Record<string, unknown> = () => ({}),
): Channel {
  return {
    name,
    dryRun: true,
    async send(alert) {
      logger.info({ channel: name, alert: alert.dedupeKey, ...describe(alert) }, "dry run: would send alert");
    },
  };
}
