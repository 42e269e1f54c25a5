import { jsonWebhook } from "./chat-http.js";
import { slackMessage } from "./chat-format.js";
import { slackDigestMessage, slackDigestParts } from "./digest-format.js";
import type { Channel } from "./types.js";

export interface SlackChannelOptions {
  /** The incoming webhook URL (`https://hooks.slack.com/services/T.../B.../...`): its path is secret. */
  url: string;
  timeoutMs: number;
}

/**
 * POSTs each alert to a Slack incoming webhook: `text` (the notification and
 * fallback) and `blocks` (a mrkdwn section and a context line), with Slack's
 * &, <, > escaping. Slack answers 200 `ok`; a 429 carries Retry-After.
 */
export function createSlackChannel(options: SlackChannelOptions): Channel {
  // One alert and a digest go the same way; only the message differs.
  const post = jsonWebhook("slack webhook", options);
  return {
    name: "slack",
    sendTimeoutMs: options.timeoutMs,
    send: (alert) => post(slackMessage(alert)),
    // A digest: `text` and a section per alert (at most 40 alerts, within Slack's 50 blocks).
    sendDigest: (alerts) => post(slackDigestMessage(alerts)),
    digestParts: slackDigestParts,
  };
}
