/**
 * `pnpm bench --pg-profile`: where the helpers' time goes on PostgreSQL. Times
 * every statement a pg client sends while `work` runs (pg.Client.prototype.query
 * wrapped: from the call to its result, so a round trip plus the server's work),
 * grouped by statement kind, and prints a table on stderr with the wall time
 * left to JavaScript (validation, look-ups, the pool) as the last line.
 */
import { performance } from "node:perf_hooks";
import pg from "pg";
import { progress } from "./common.js";

interface Kind {
  calls: number;
  ms: number;
}

/** A statement's kind: its text with whitespace folded, a multi-row VALUES list cut short. */
function kindOf(text: string): string {
  if (text.startsWith("(")) return text;
  const flat = text.replace(/\s+/g, " ").trim();
  const values = /^(INSERT INTO \w+) .*?\bVALUES\s*\(/i.exec(flat);
  if (values) return `${values[1]} … VALUES (…)×${(flat.match(/\(\$/g) ?? []).length}`;
  const unnest = /^(INSERT INTO \w+) .*\bunnest\b/i.exec(flat);
  if (unnest) return `${unnest[1]} … unnest`;
  return flat.length > 90 ? `${flat.slice(0, 89)}…` : flat;
}

export async function profilePgQueries<T>(
  label: string,
  work: () => Promise<T>,
): Promise<{ result: T; kinds: Map<string, Kind>; wallMs: number }> {
  const kinds = new Map<string, Kind>();
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const record = (text: string, started: number) => {
    const key = kindOf(text);
    const kind = kinds.get(key) ?? { calls: 0, ms: 0 };
    kind.calls++;
    kind.ms += performance.now() - started;
    kinds.set(key, kind);
  };
  proto.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0];
    const text =
      typeof first === "string" ? first : ((first as { text?: string } | undefined)?.text ?? "(query)");
    const started = performance.now();
    const last = args.at(-1);
    if (typeof last === "function") {
      args[args.length - 1] = (...result: unknown[]) => {
        record(text, started);
        return (last as (...a: unknown[]) => unknown)(...result);
      };
      return original.apply(this, args);
    }
    const callback = (first as { callback?: unknown } | undefined)?.callback;
    const returned = original.apply(this, args);
    if (returned && typeof (returned as Promise<unknown>).then === "function" && !callback) {
      return (returned as Promise<unknown>).then(
        (value) => {
          record(text, started);
          return value;
        },
        (error: unknown) => {
          record(text, started);
          throw error;
        },
      );
    }
    return returned;
  };
  // A pooled transaction starts with pool.connect(): time that hand-off too.
  const poolProto = pg.Pool.prototype as unknown as { connect: (...args: unknown[]) => unknown };
  const originalConnect = poolProto.connect;
  poolProto.connect = function (this: unknown, ...args: unknown[]) {
    const started = performance.now();
    const returned = originalConnect.apply(this, args);
    if (args.length === 0 && returned && typeof (returned as Promise<unknown>).then === "function") {
      return (returned as Promise<unknown>).finally(() => record("(pool.connect)", started));
    }
    return returned;
  };
  const started = performance.now();
  try {
    const result = await work();
    const wallMs = performance.now() - started;
    report(label, kinds, wallMs);
    return { result, kinds, wallMs };
  } finally {
    proto.query = original;
    poolProto.connect = originalConnect;
  }
}

function report(label: string, kinds: Map<string, Kind>, wallMs: number): void {
  const rows = [...kinds.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const inQueries = rows.reduce((sum, [, k]) => sum + k.ms, 0);
  progress(`pg profile, ${label}: ${wallMs.toFixed(0)} ms wall`);
  progress(
    `  ${"ms".padStart(8)} ${"share".padStart(6)} ${"calls".padStart(7)} ${"µs/call".padStart(8)}  statement`,
  );
  for (const [key, k] of rows) {
    progress(
      `  ${k.ms.toFixed(0).padStart(8)} ${`${((100 * k.ms) / wallMs).toFixed(1)}%`.padStart(6)} ${String(k.calls).padStart(7)} ${((1000 * k.ms) / k.calls).toFixed(0).padStart(8)}  ${key}`,
    );
  }
  const rest = wallMs - inQueries;
  progress(
    `  ${rest.toFixed(0).padStart(8)} ${`${((100 * rest) / wallMs).toFixed(1)}%`.padStart(6)} ${"".padStart(7)} ${"".padStart(8)}  (outside queries and pool.connect: JavaScript)`,
  );
}
