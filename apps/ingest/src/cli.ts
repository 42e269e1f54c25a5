/**
 * The `ingest` command line: replay, simulate and poll (cli/commands.ts),
 * sharing one run plumbing (cli/run-command.ts) and feed's one write path.
 * Exit codes are cli-kit's EXIT: 0 done, 1 failed or --strict found invalid
 * messages, 2 bad arguments or config, 130 forced stop.
 */
import { Command } from "commander";
import { EXIT, runIfEntryPoint, runProgram } from "@totewatch/cli-kit";
import { addPollCommand, addReplayCommand, addSimulateCommand, type CommandHost } from "./cli/commands.js";

function buildProgram(host: CommandHost): Command {
  const program = new Command("ingest")
    .description(
      "Record tote odds into the Totewatch database: replay files, simulate a day, or poll endpoints.",
    )
    .showHelpAfterError("(--help for usage)")
    .exitOverride();
  addReplayCommand(program, host);
  addSimulateCommand(program, host);
  addPollCommand(program, host);
  return program;
}

/** Runs the CLI with the user's arguments (pnpm's "--" already dropped) until `signal` stops it; resolves with the exit code (never exits the process). */
async function main(args: readonly string[], signal: AbortSignal): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram({
    setExitCode: (code) => {
      exitCode = code;
    },
    signal,
  });
  const code = await runProgram(program, args, { name: "ingest" });
  return code === EXIT.ok ? exitCode : code;
}

// Each command announces the stop as a log line (stdout stays JSON lines, a piped stderr stays empty).
runIfEntryPoint(import.meta.url, "ingest", main, { announceStop: false });
