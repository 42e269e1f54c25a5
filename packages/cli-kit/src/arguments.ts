import path from "node:path";

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
 * command in: pnpm runs workspace scripts inside the package folder but
 * records the user's folder in INIT_CWD.
 */
export function resolveUserPath(p: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.INIT_CWD ?? process.cwd(), p);
}
