// @totewatch/db: the only way into the Totewatch database. Exports are listed by name so the
// internals (raw connection, SQL text, how instants are stored) stay inside: no signature here
// names the engine: `Db` is a handle (file, exclusive, close) whose connections only this
// package reaches (src/connection.ts); tests read through `@totewatch/db/testing`.
export { createDb, type Db, type CreateDbOptions } from "./client.js";
export { migrateDatabase, migrationStatus, resetDatabase } from "./migrations.js";
export type { MigrationStatus } from "./migration-status.js";
export {
  DatabaseFileError,
  InvalidInputError,
  MigrationError,
  retriableDatabaseError,
  UnknownRaceError,
  UnknownRunnerError,
} from "./errors.js";
export { writeBatch } from "./write-batch.js";
export { watchCommits, type WatchCommitsOptions } from "./commits.js";
export {
  applyRaceCard,
  entriesForRace,
  findRace,
  raceById,
  racesOnDate,
  setRaceStatus,
  type CardEntryInput,
  type EntryDetail,
  type RaceCardInput,
  type RaceKey,
  type RaceSummary,
  type WriteResult,
} from "./queries/races.js";
export { registerTrack, trackTimeZone, type TrackInput } from "./queries/tracks.js";
export {
  acquireTrackLease,
  releaseTrackLease,
  trackLeases,
  type AcquireTrackLeaseInput,
  type TrackLease,
  type TrackLeaseResult,
} from "./queries/leases.js";
export {
  latestOddsForRace,
  oddsHistoryForEntry,
  oddsHistoryForRace,
  recordWinSnapshot,
  type OddsPoint,
  type RunnerOdds,
  type TimeRange,
  type WinRunnerInput,
  type WinSnapshotInput,
} from "./queries/odds.js";
export {
  latestExactaGrid,
  recordExactaSnapshot,
  type ExactaGrid,
  type ExactaProbableInput,
  type ExactaSnapshotInput,
} from "./queries/exacta.js";
export {
  snapshotPipeline,
  type SentSnapshots,
  type SnapshotInput,
  type SnapshotPipeline,
} from "./queries/snapshots.js";
export type { Alert, AlertInput, AlertRef } from "./queries/alerts.js";
export {
  alertStrength,
  type AlertDetails,
  type AlertRace,
  type AlertRunner,
  type StoredAlert,
} from "./queries/stored-alert.js";
export {
  claimDelivery,
  claimDeliveries,
  channelHeldUntil,
  deferChannelDeliveries,
  digestSize,
  markDigest,
  MAX_CHANNEL_HOLD_MS,
  type ClaimDeliveryOptions,
} from "./queries/delivery-claims.js";
export {
  recordDeliveriesFailure,
  recordDeliveryFailure,
  recordDeliveriesSuccess,
  recordDeliverySuccess,
  type DeliverySuccess,
} from "./queries/deliveries.js";
export {
  dropUnroutedDeliveries,
  ensurePendingDeliveries,
  routeTakes,
  type ChannelRoute,
  type DeliveryRoute,
  type DroppedDeliveries,
} from "./queries/delivery-routes.js";
export {
  deliveryStatus,
  dueDeliveries,
  type DeliveryState,
  type DeliveryStatus,
  type DueDeliveriesOptions,
  type DueDelivery,
} from "./queries/due-deliveries.js";
export {
  alertCountsByType,
  listAlerts,
  oddsActivity,
  type ListAlertsOptions,
  type OddsActivity,
} from "./queries/listings.js";
export { pruneOldData, type PruneResult, type RetentionPolicy } from "./queries/retention.js";
export {
  commitEvaluation,
  evaluationReadTransaction,
  evaluationTransaction,
  type EvaluationDecision,
  type EvaluationEntry,
  type EvaluationRace,
  type EvaluationReader,
  type EvaluationWriter,
  type WinOddsRow,
} from "./queries/evaluation/view.js";
export { lateChangeBoards, type LateChangeBoards, type LateChangeRange } from "./queries/late-changes.js";
export type { PassLimits, SnapshotBatch, SnapshotHead, StreamMarks } from "./queries/evaluation/batches.js";
export {
  raceDates,
  raceDayOverview,
  raceOverview,
  type RaceFavourite,
  type RaceOverview,
} from "./queries/dashboard/day.js";
export {
  raceBoard,
  type BoardRunner,
  type EarlierOdds,
  type RaceBoard,
  type RaceBoardOptions,
} from "./queries/dashboard/board.js";
export {
  alertFacets,
  dashboardAlerts,
  type AlertChannelDelivery,
  type AlertDeliveryState,
  type AlertFacets,
  type AlertWithDeliveries,
  type DashboardAlertsOptions,
} from "./queries/dashboard/alerts.js";
export {
  changeMarks,
  changesSince,
  formatChangeMarks,
  parseChangeMarks,
  type ChangeMarks,
  type ChangesSince,
} from "./queries/dashboard/changes.js";
export type {
  Track,
  Race,
  Horse,
  Entry,
  OddsSnapshot,
  ExactaProbable,
  AlertDelivery,
} from "./generated/prisma/client.js";
