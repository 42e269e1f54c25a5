/**
 * How every db script reads its command line: a commander program whose
 * options use @totewatch/cli-kit's parsers. Invariant: a bad option ends the
 * script with commander's message and EXIT.usage before anything is touched;
 * --help prints and exits 0.
 */
import { commanderExitCode } from "@totewatch/cli-kit";
import { CommanderError, type Command } from "commander";

/** The parsed options, or the exit code to end with (commander has already printed why). */
export function parseOptions<T extends object>(program: Command, args: string[]): T | number {
  program.exitOverride();
  try {
    program.parse(args, { from: "user" });
    return program.opts<T>();
  } catch (error) {
    if (error instanceof CommanderError) return commanderExitCode(error);
    throw error;
  }
}
