/** What the user typed: their arguments as a CLI should parse them, and their paths made absolute. */
import path from "node:path";
import { userCwd } from "@totewatch/config";

/**
 * The arguments a user typed, as a CLI should parse them. `pnpm demo -- --reset`
 * hands the script a leading "--" (pnpm passes it through); commander would
 * then read every option after it as a positional argument.
 */
export function userArguments(args: readonly string[]): string[] {
  return args[0] === "--" ? args.slice(1) : [...args];
}

/**
 * A path the user typed, made absolute against the folder they ran the
 * command in (config's userCwd: pnpm runs workspace scripts inside the
 * package folder but records the user's folder in INIT_CWD). `env` is for
 * tests; by default config reads the process's environment.
 */
export function resolveUserPath(p: string, env?: NodeJS.ProcessEnv): string {
  return path.resolve(userCwd(env), p);
}
