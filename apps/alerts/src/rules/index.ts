export type {
  AlertCandidate,
  AlertDetails,
  AlertType,
  ExactaProbable,
  ExactaSnapshot,
  RaceContext,
  RuleSettings,
  RunnerOdds,
  WinSnapshot,
} from "./types.js";
export {
  oddsChangeAlerts,
  oddsThresholdAlerts,
  overlayAlerts,
  steamAlerts,
  inFetchOrder,
} from "./win-rules.js";
export { crossPoolAlerts, exactaPayoutAlerts } from "./exacta-rules.js";
export { evaluateExactaSnapshot, evaluateWinSnapshot, strongestFirst } from "./evaluate.js";
export { dedupeKeyFor, shouldSuppress } from "./suppression.js";
export type { RecentAlert, SuppressionReason, SuppressionSettings } from "./suppression.js";
