export type {
  AlertCandidate,
  AlertDetails,
  AlertType,
  ExactaProbable,
  ExactaSnapshot,
  RaceContext,
  ScratchedInterest,
  RuleSettings,
  RunnerOdds,
  WinSnapshot,
} from "./types.js";
export { isNearPost, isPreOff } from "./common.js";
export {
  interestKeyOf,
  interestsByKey,
  interestsOf,
  winProbabilities,
  type Interest,
  type InterestProbabilities,
  type ProbabilitySource,
} from "./interests.js";
export {
  compareBoards,
  decimalMovePercent,
  shareMovePercent,
  type BoardComparison,
  type InterestMove,
  type MoveMeasure,
} from "./moves.js";
export { oddsChangeAlerts, oddsThresholdAlerts, overlayAlerts, inFetchOrder } from "./win-rules.js";
export { driftAlerts, steamAlerts } from "./move-rules.js";
export { lastListingIn, scratchAlerts, type LastListing } from "./scratch.js";
export { lateChangeAlerts, lateChangeMoves, type LateChangeMove } from "./late-change.js";
export { crossPoolAlerts, exactaPayoutAlerts, interestCombinationOf } from "./exacta-rules.js";
export {
  evaluateExactaSnapshot,
  evaluateLateChange,
  evaluateWinSnapshot,
  strongestFirst,
} from "./evaluate.js";
export { dedupeKeyFor, shouldSuppress } from "./suppression.js";
export type { RecentAlert, SuppressionReason, SuppressionSettings } from "./suppression.js";
