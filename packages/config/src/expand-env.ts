import { Lexer } from "yaml";
import { ConfigError, type ConfigProblem } from "./config-error.js";

/** `$${...}` (escape), `${NAME}`, `${NAME:-default}`, or a malformed `${...`. */
const REFERENCE = /\$\$\{|\$\{([^}\n]*)(\})?/g;
const NAME_AND_DEFAULT = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/** Control tokens the yaml lexer emits that are not part of the source text. */
const LEXER_CONTROL_TOKENS = new Set(["\x02", "\x18", "\x1f"]);

/**
 * Replaces `${NAME}` and `${NAME:-default}` in raw config text with values
 * from `env`, so secrets can stay out of the file. `$${X}` yields a literal
 * `${X}`. The default applies when the variable is unset or empty, as in sh.
 *
 * References inside YAML comments are left alone: commenting a line out must
 * not make its variable required. Substitution is textual, so a value
 * containing `: ` or ` #` should be referenced inside quotes.
 *
 * Throws ConfigError listing every unset variable with its line and column.
 */
export function expandEnv(text: string, env: NodeJS.ProcessEnv = process.env, source = "<inline>"): string {
  const comments = commentRanges(text);

  const problems: ConfigProblem[] = [];
  let out = "";
  let last = 0;
  for (const match of text.matchAll(REFERENCE)) {
    const start = match.index;
    if (inRanges(comments, start)) continue;
    out += text.slice(last, start);
    last = start + match[0].length;
    if (match[0] === "$${") {
      out += "${";
      continue;
    }
    const body = match[1] ?? "";
    const parsed = NAME_AND_DEFAULT.exec(body);
    const { line, col } = linePos(text, start);
    if (match[2] === undefined || parsed === null) {
      problems.push({
        line,
        col,
        message: `malformed variable reference "${match[0]}" (use \${NAME} or \${NAME:-default}; write $\${ for a literal \${)`,
      });
      continue;
    }
    const name = parsed[1] as string;
    const fallback = parsed[2];
    const value = env[name];
    if (value !== undefined && (value !== "" || fallback === undefined)) out += value;
    else if (fallback !== undefined) out += fallback;
    else
      problems.push({
        line,
        col,
        message: `environment variable ${name} is not set (referenced as ${match[0]})`,
      });
  }
  out += text.slice(last);
  if (problems.length > 0) throw new ConfigError(source, problems);
  return out;
}

/** [start, end) offsets of every YAML comment in `text`. */
function commentRanges(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (LEXER_CONTROL_TOKENS.has(token)) continue;
    if (token.startsWith("#")) ranges.push([offset, offset + token.length]);
    offset += token.length;
  }
  return ranges;
}

function inRanges(ranges: ReadonlyArray<[number, number]>, offset: number): boolean {
  return ranges.some(([start, end]) => offset >= start && offset < end);
}

/** 1-based line and column of `offset` in `text`. */
export function linePos(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf("\n") + 1;
  return { line: before.split("\n").length, col: offset - lineStart + 1 };
}
