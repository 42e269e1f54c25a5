export type { Channel, ChannelName, DeliverableAlert, DeliverableDetails } from "./types.js";
export { toDeliverableAlert } from "./types.js";
export {
  createChannels,
  dryRunChannel,
  type ChannelsConfig,
  type CreateChannelsOptions,
} from "./channels.js";
export { createConsoleChannel } from "./console-channel.js";
export {
  createWebhookChannel,
  signWebhookBody,
  verifyWebhookSignature,
  IDEMPOTENCY_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  type WebhookChannelOptions,
} from "./webhook-channel.js";
export { createEmailChannel, alertMessageId, type EmailChannelOptions } from "./email-channel.js";
export {
  claimDurationMs,
  deliverDue,
  type DeliverDueOptions,
  type DeliverDueResult,
  type DeliverySettings,
} from "./deliver.js";
export {
  alertTypeLabel,
  consoleLine,
  emailSubject,
  emailText,
  webhookPayload,
  type WebhookPayload,
} from "./format.js";
