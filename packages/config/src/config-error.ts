import { redactUrl } from "./redact.js";

/** One thing wrong with a config file, located as precisely as we can. */
export interface ConfigProblem {
  /** Dotted key path such as `tracks[0].endpoints.win`; absent for syntax-level problems. */
  path?: string;
  message: string;
  /** 1-based position in the config text, when known. */
  line?: number;
  col?: number;
}

/**
 * Every problem found in one config source. The message holds one line per
 * problem (`file: path.to.key: reason`) so a user can fix them all in one pass;
 * a url's password never shows in it (see redactUrl).
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";

  /** Every problem, with the password of any url in it redacted (see redactUrl). */
  readonly problems: readonly ConfigProblem[];

  constructor(
    /** The file as shown to the user (or `<inline>`, `<defaults>`). */
    readonly source: string,
    problems: readonly ConfigProblem[],
  ) {
    const redacted = problems.map((problem) => ({ ...problem, message: redactUrl(problem.message) }));
    super(redacted.map((problem) => formatProblem(redactUrl(source), problem)).join("\n"));
    this.problems = redacted;
  }
}

function formatProblem(source: string, problem: ConfigProblem): string {
  if (problem.path === undefined) {
    // Syntax-level problems: `file:line:col: reason`, the form editors and terminals link.
    const where = problem.line === undefined ? "" : `:${problem.line}${problem.col ? `:${problem.col}` : ""}`;
    return `${source}${where}: ${problem.message}`;
  }
  const line = problem.line === undefined ? "" : ` (line ${problem.line})`;
  return `${source}: ${problem.path || "(top level)"}: ${problem.message}${line}`;
}
