/**
 * Prisma's CLI as a child process, for what only it does: `migrate dev`
 * (writing a migration from schema.prisma) and its own `migrate status`.
 * Migrations are applied by migrate.ts, not by the CLI.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { packageDir } from "./migrate.js";

function prismaCli(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("prisma/package.json")), "build", "index.js");
}

/**
 * Runs a Prisma CLI command (`migrate dev`, `migrate status`) against the
 * database file, told through DATABASE_URL (prisma.config.ts reads it);
 * throws with its output on failure.
 */
export function runPrisma(
  args: string[],
  file: string,
  opts: { quiet?: boolean; inherit?: boolean; stdoutOnly?: boolean } = {},
): string {
  const result = spawnSync(process.execPath, [prismaCli(), ...args], {
    cwd: packageDir,
    // The child inherits this process's environment (PATH and the like) and is told the file;
    // nothing here reads a setting from it.
    // eslint-disable-next-line no-restricted-properties
    env: { ...process.env, DATABASE_URL: `file:${file}`, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    encoding: "utf8",
    stdio: opts.inherit ? "inherit" : "pipe",
  });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  if (result.status !== 0) {
    // With inherited output the CLI has already said why: one line here.
    const why = opts.inherit ? "" : `:\n${output}`;
    throw new Error(
      `prisma ${args.join(" ")} failed for ${file} (exit ${result.status ?? result.signal})${why}`,
    );
  }
  if (!opts.quiet && !opts.inherit) process.stdout.write(output);
  // What the command produced (a diff's SQL) without the CLI's notes on stderr ("Loaded Prisma config …").
  return opts.stdoutOnly ? (result.stdout ?? "") : output;
}
