// @totewatch/ingest: the pieces the CLI is made of, for other apps (e.g. the alerts demo).
export {
  FeedIngestor,
  emptyStats,
  type ApplyMessage,
  type IngestBatch,
  type IngestOutcome,
  type IngestStats,
} from "./ingestor.js";
export { DEFAULT_BATCH_LIMITS, type BatchLimits } from "./batches.js";
export { createProgress, formatSummaryTable, silentProgress, summarize } from "./progress.js";
export type { IngestSummary, ProgressSink } from "./progress.js";
export {
  expandFeedInputs,
  orderFeedFiles,
  replayFiles,
  type IngestRunOptions,
  type ReplayOptions,
} from "./replay.js";
export { runSimulation, SIMULATOR_SOURCE, type RunSimulationOptions } from "./simulation.js";
export { createPoller, type Poller, type PollerConfig, type PollerOptions } from "./poll/poller.js";
export { FeedHttpClient, type FetchFeedResult, type HttpSettings } from "./poll/http.js";
export * from "./poll/schedule.js";
export { realSleep, systemClock, type Clock, type Sleep } from "@totewatch/config";
export { main } from "./cli.js";
export * from "./simulate/index.js";
export { registerConfiguredTracks, type ConfiguredTrack } from "./tracks.js";
