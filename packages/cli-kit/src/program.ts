/**
 * Running a commander program the same way in every command: --help and
 * --version exit 0, a bad option or argument exits EXIT.usage (commander has
 * printed why), so does a bad configuration (ConfigError, printed with its
 * positions), and any other error is printed as "name: message" and exits
 * EXIT.failed. Commander must throw instead of exiting: runProgram sets
 * exitOverride() on the program and every subcommand (subcommands added before
 * the call would not inherit it).
 */
import { ConfigError } from "@totewatch/config";
import { CommanderError, type Command } from "commander";
import { EXIT } from "./exit-codes.js";

/** The exit code a commander error stands for: 0 for help/version, EXIT.usage for anything the user typed wrong. */
export function commanderExitCode(error: CommanderError): number {
  return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
}

/** Parses `args` (the user's, without node and script) and runs the chosen command; resolves with the exit code. */
export async function runProgram(
  program: Command,
  args: readonly string[],
  options: { name: string; stderr?: Pick<NodeJS.WritableStream, "write"> },
): Promise<number> {
  const stderr = options.stderr ?? process.stderr;
  throwInsteadOfExiting(program);
  try {
    await program.parseAsync([...args], { from: "user" });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) return commanderExitCode(error);
    if (error instanceof ConfigError) {
      stderr.write(`${options.name}: ${error.message}\n`);
      return EXIT.usage;
    }
    stderr.write(`${options.name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  }
}

function throwInsteadOfExiting(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) throwInsteadOfExiting(sub);
}
