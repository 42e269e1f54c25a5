// @totewatch/cli-kit: what every command line shares (entry point, signals -> AbortSignal,
// option parsers, exit codes, progress and tables). Commands import it; it imports only config and tote.
export { resolveUserPath, userArguments } from "./arguments.js";
export { benchLine, meetsTarget, type BenchTarget } from "./bench.js";
export { isEntryPoint } from "./entry-point.js";
export { EXIT } from "./exit-codes.js";
// The environment a command's own node process starts with (read from the environment, so in config).
export { NODE_PROCESS_FLAGS, nodeProcessEnv } from "@totewatch/config";
export { abbreviatedCount, calendarDate, countOrRange, positiveNumber, wholeNumber } from "./options.js";
export {
  createProgressDisplay,
  type ProgressDisplay,
  type ProgressDisplayOptions,
  type ProgressView,
} from "./progress.js";
export { runIfEntryPoint, type CliMain, type RunIfEntryPointOptions } from "./run-main.js";
export { stopOnSignals, type StopOnSignalsOptions, type StopSignal } from "./signals.js";
export { printSummaryTable, type SummaryRow } from "./summary.js";
export { createTable, fittedTable, summaryTable, type FittedTableOptions, type Table } from "./table.js";
export { commanderExitCode, runProgram } from "./program.js";
export { wrapLine } from "./text.js";
