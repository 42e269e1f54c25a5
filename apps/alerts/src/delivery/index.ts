// What the rest of the app uses of delivery: channels and deliverDue (tests import modules directly).
export type { Channel, ChannelName } from "./types.js";
export {
  channelTakes,
  createChannels,
  dryRunChannel,
  type ChannelsConfig,
  type CreateChannelsOptions,
} from "./channels.js";
export {
  claimDurationMs,
  deliverDue,
  type DeliverDueOptions,
  type DeliverDueResult,
  type DeliverySettings,
} from "./deliver.js";
export type { WebhookPayload } from "./format.js";
