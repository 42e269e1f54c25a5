import type { Logger, TotewatchConfig } from "@totewatch/config";
import type { StoredAlert } from "@totewatch/db";
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import { createConsoleChannel } from "./console-channel.js";
import { createEmailChannel } from "./email-channel.js";
import { consoleAlertLine } from "./console-format.js";
import { emailSubject } from "./format.js";
import type { Channel, ChannelName } from "./types.js";
import { createWebhookChannel } from "./webhook-channel.js";

export type ChannelsConfig = TotewatchConfig["alerts"]["channels"];

export interface CreateChannelsOptions {
  /** Channels that log what they would send and send nothing. */
  dryRun?: boolean;
  /** Where the console channel writes; default process.stdout. */
  stdout?: NodeJS.WritableStream;
  logger: Logger;
  /** Extra nodemailer transport settings (tests: a self-signed server's CA). */
  emailTransport?: SMTPTransport.Options;
}

/**
 * The enabled channels, console first. A channel enabled without the settings
 * it needs is refused here, naming the missing key (the config schema checks
 * this too; this guards hand-built configs).
 */
export function createChannels(config: ChannelsConfig, options: CreateChannelsOptions): Channel[] {
  const channels: Channel[] = [];
  const describe: Partial<Record<ChannelName, (alert: StoredAlert) => Record<string, unknown>>> = {};
  if (config.console.enabled) {
    channels.push(createConsoleChannel(options.stdout ?? process.stdout));
    describe.console = (alert) => ({ line: consoleAlertLine(alert) });
  }
  if (config.webhook.enabled) {
    const { url, secret, timeoutMs } = config.webhook;
    if (url === undefined)
      throw new Error("alerts.channels.webhook.url is required when the webhook is enabled");
    if (secret === undefined) {
      throw new Error("alerts.channels.webhook.secret is required when the webhook is enabled");
    }
    channels.push(createWebhookChannel({ url, secret, timeoutMs }));
    describe.webhook = (alert) => ({ url, idempotencyKey: alert.dedupeKey });
  }
  if (config.email.enabled) {
    const email = config.email;
    if (email.host === undefined)
      throw new Error("alerts.channels.email.host is required when email is enabled");
    if (email.from === undefined)
      throw new Error("alerts.channels.email.from is required when email is enabled");
    channels.push(
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
    );
    describe.email = (alert) => ({ to: email.to, subject: emailSubject(alert, email.subjectPrefix) });
  }
  if (!options.dryRun) return channels;
  return channels.map((channel) => dryRunChannel(channel.name, options.logger, describe[channel.name]));
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
