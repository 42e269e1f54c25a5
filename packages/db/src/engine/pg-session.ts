/**
 * A pg connection's `Sql` face (engine/types.ts), for the PostgreSQL engine (postgres.ts):
 * settings from a url, the row shape, query text translated once (pg-text.ts) and prepared by
 * name on each connection, a snapshot's rows in one unnest insert, and the hooks a transaction
 * puts around the statements that write.
 *
 * Invariants:
 * - Rows read as SQLite's do: BIGINT (instants in milliseconds, ids, counts) and NUMERIC (sums)
 *   as numbers, BOOLEAN as 0/1, so every query module reads both engines alike.
 * - A statement is a write unless it is a plain SELECT (pg-text.ts `writes`), and the hooks run
 *   around every write.
 */
import pg from "pg";
import { pgText, type PgText } from "./pg-text.js";
import { insertShape, unnestInsert } from "./pg-unnest.js";
import type { NamedParams, Sql, SqlArgs, SqlParam } from "./types.js";

const PARSERS: Record<number, (text: string) => unknown> = {
  20: Number, // int8
  1700: Number, // numeric
  16: (text) => (text === "t" ? 1 : 0), // bool
};

/** pg's type parsers with Totewatch's row shape (see the header). */
export const ROW_TYPES = {
  getTypeParser: ((oid: number, format?: string) =>
    PARSERS[oid] ?? pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

/** Connection settings from a postgresql:// url, as discrete fields (POSTGRES.md fix 2: never `connectionString`). */
export function poolSettings(url: string): pg.PoolConfig {
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  const settings: pg.PoolConfig = {
    // An IPv6 literal comes bracketed ([::1]); pg wants the address alone.
    host: decodeURIComponent(parsed.hostname).replace(/^\[(.*)\]$/, "$1") || "127.0.0.1",
    port: parsed.port ? Number(parsed.port) : 5432,
    user: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    database: database || undefined,
  };
  // ?host=/run/postgresql (a socket folder) as libpq reads it.
  const host = parsed.searchParams.get("host");
  if (host) settings.host = host;
  const sslmode = parsed.searchParams.get("sslmode");
  if (sslmode === "require" || sslmode === "verify-full" || sslmode === "verify-ca") {
    settings.ssl = sslmode === "require" ? { rejectUnauthorized: false } : true;
  }
  return settings;
}

const statementNames = new Map<string, string>();
/** One prepared-statement name per distinct text, shared by every connection. */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `tw${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name;
}

export type Queryable = pg.Pool | pg.PoolClient;

function bind({ names }: PgText, params: SqlArgs): SqlParam[] {
  if (names === null) return params as SqlParam[];
  const named = (params[0] ?? {}) as NamedParams;
  return names.map((name) => {
    if (!(name in named)) throw new Error(`query parameter @${name} has no value`);
    return named[name]!;
  });
}

/** What a transaction's session does after the statements that write, and what it holds. */
export interface WriteHooks {
  /** Called when a statement that writes changed a row (the commit then notifies). */
  changed?: () => void;
  /** The session holds the writers' lock (a write transaction): pg-unnest.ts `serialized`. */
  serialized?: boolean;
}

export function pgSql(on: Queryable, columnTypes: ColumnTypes, hooks: WriteHooks = {}): Sql {
  const counted = (result: pg.QueryResult, writes: boolean): pg.QueryResult => {
    if (writes && (result.rowCount ?? 0) > 0) hooks.changed?.();
    return result;
  };
  const query = async (source: string, params: SqlArgs): Promise<pg.QueryResult> => {
    const translated = pgText(source);
    const { text } = translated;
    const values = bind(translated, params);
    return counted(await on.query({ name: statementName(text), text, values }), translated.writes);
  };
  return {
    dialect: "postgres",
    all: async <T>(text: string, ...params: SqlArgs) => (await query(text, params)).rows as T[],
    get: async <T>(text: string, ...params: SqlArgs) => (await query(text, params)).rows[0] as T | undefined,
    run: async (text: string, ...params: SqlArgs) => (await query(text, params)).rowCount ?? 0,
    runEach: async (text: string, rows: ReadonlyArray<readonly SqlParam[]>) => {
      if (rows.length === 0) return 0;
      const shape = insertShape(text);
      if (shape === null) {
        let changed = 0;
        for (const row of rows) changed += (await query(text, row as SqlParam[])).rowCount ?? 0;
        return changed;
      }
      // One statement for every row (pg-unnest.ts).
      const types = await columnTypes(on, shape.table);
      const { text: many, values } = unnestInsert(shape, types, rows, {
        serialized: hooks.serialized === true,
      });
      return counted(await on.query({ name: statementName(many), text: many, values }), true).rowCount ?? 0;
    },
  };
}

export type ColumnTypes = (on: Queryable, table: string) => Promise<Map<string, string>>;

/**
 * Each column's SQL type, read from the catalog once per table and client (the schema is the
 * migrations'). A table not there yet (a poller started before `db migrate`) is not remembered,
 * nor is a failed read: the next insert asks again.
 */
export function columnTypeReader(): ColumnTypes {
  const cache = new Map<string, Promise<Map<string, string>>>();
  return (on, table) => {
    let types = cache.get(table);
    if (!types) {
      types = on
        .query<{ name: string; type: string }>(
          `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
           WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped`,
          [table],
        )
        .then((result) => {
          if (result.rows.length === 0) throw new Error(`relation "${table}" does not exist`);
          return new Map(result.rows.map((row) => [row.name, row.type]));
        });
      types.catch(() => cache.delete(table));
      cache.set(table, types);
    }
    return types;
  };
}
