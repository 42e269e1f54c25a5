// @totewatch/alerts: the engine, daemon, backtest and CLI, for other apps and scripts.
export {
  processPending,
  enabledChannelNames,
  WIN_CURSOR,
  EXACTA_CURSOR,
  type ProcessPendingOptions,
  type ProcessPendingResult,
} from "./engine/process.js";
export { runDaemon, type DaemonSummary, type DaemonTurn, type RunDaemonOptions } from "./engine/daemon.js";
export {
  RaceHistory,
  alertInputFor,
  candidatesForUnit,
  evaluateUnits,
  raceContextOf,
  type EvaluationStats,
} from "./engine/evaluate-units.js";
export {
  compareUnits,
  groupWinRows,
  selectEvaluable,
  type EvaluationUnit,
  type UnitKind,
} from "./engine/units.js";
export {
  alertListTable,
  backtestReport,
  countByType,
  localDateTime,
  strongest,
  strongestAlertsTable,
} from "./engine/report.js";
export {
  runBacktest,
  type BacktestAlert,
  type BacktestOptions,
  type BacktestResult,
} from "./backtest/backtest.js";
export { main as alertsMain, buildProgram, parseRangeBound, type CliIo } from "./cli.js";
export { runDemo, type DemoOptions, type DemoSummary } from "./demo.js";
export * from "./rules/index.js";
export * from "./delivery/index.js";
