/**
 * Query text as written for both engines -> PostgreSQL's: `?` placeholders
 * become `$1, $2, …` in order, `@name` placeholders `$k` (one number per
 * name), and SQLite's `INDEXED BY index` / `NOT INDEXED` hints are dropped
 * (PostgreSQL's planner chooses). Nothing else changes; quoted strings, quoted
 * identifiers, `$$` bodies and comments are left as they are. Pure, and cached
 * by text.
 */
export interface PgText {
  text: string;
  /** For named placeholders, the name of each `$k` in order; null for positional ones. */
  names: string[] | null;
  /** How many `$n` the text has. */
  count: number;
  /**
   * Whether it may write or lock: anything but a plain SELECT (one with FOR UPDATE or FOR SHARE
   * locks rows; a comment first, a CTE, TRUNCATE… count as writes). A missed write that changed a
   * row would commit without notifying the commit watch (postgres.ts).
   */
  writes: boolean;
}

const cache = new Map<string, PgText>();

// At a word's start: a hint (`INDEXED BY name`, `NOT INDEXED`) or any other word.
const WORD = /^(?:INDEXED\s+BY\s+[A-Za-z_][A-Za-z0-9_]*|NOT\s+INDEXED\b|[A-Za-z_][A-Za-z0-9_]*)/i;

export function pgText(source: string): PgText {
  let done = cache.get(source);
  if (!done) {
    done = translate(source);
    cache.set(source, done);
  }
  return done;
}

function translate(source: string): PgText {
  let out = "";
  let positional = 0;
  const names: string[] = [];
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i]!;
    if (c === "'" || c === '"') {
      // A quoted string or identifier; a doubled quote inside it is part of it.
      let j = i + 1;
      while (j < n) {
        if (source[j] === c) {
          if (source[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      out += source.slice(i, j + 1);
      i = j + 1;
    } else if (c === "$" && source[i + 1] === "$") {
      // A dollar-quoted body (a function's): copied whole.
      const end = source.indexOf("$$", i + 2);
      const stop = end === -1 ? n : end + 2;
      out += source.slice(i, stop);
      i = stop;
    } else if (c === "-" && source[i + 1] === "-") {
      const end = source.indexOf("\n", i);
      const stop = end === -1 ? n : end;
      out += source.slice(i, stop);
      i = stop;
    } else if (c === "/" && source[i + 1] === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end === -1 ? n : end + 2;
      out += source.slice(i, stop);
      i = stop;
    } else if (c === "?") {
      out += `$${++positional}`;
      i++;
    } else if (c === "@" && /[A-Za-z_]/.test(source[i + 1] ?? "")) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i + 1))![0];
      let index = names.indexOf(name);
      if (index === -1) index = names.push(name) - 1;
      out += `$${index + 1}`;
      i += 1 + name.length;
    } else if (/[A-Za-z_]/.test(c) && !/[A-Za-z0-9_$]/.test(source[i - 1] ?? "")) {
      // A word, copied whole; SQLite's index hints are dropped.
      const word = WORD.exec(source.slice(i, i + 120))![0];
      if (!/^(?:INDEXED|NOT)\s/i.test(word)) out += word;
      i += word.length;
    } else {
      out += c;
      i++;
    }
  }
  if (positional > 0 && names.length > 0) {
    throw new Error(`query mixes ? and @name placeholders: ${source.trim().slice(0, 80)}`);
  }
  const writes =
    !/^\s*SELECT\b/i.test(source) || /\bFOR\s+(?:UPDATE|NO\s+KEY\s+UPDATE|SHARE|KEY\s+SHARE)\b/i.test(source);
  return names.length > 0
    ? { text: out, names, count: names.length, writes }
    : { text: out, names: null, count: positional, writes };
}

/** Whether a statement may write or lock (PgText.writes). */
export function writesData(source: string): boolean {
  return pgText(source).writes;
}
