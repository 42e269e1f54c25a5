/**
 * The SQLite engine: one better-sqlite3 connection per client, its statements
 * prepared once, every use under the client's `exclusive` lock (client.ts), so
 * a transaction that awaits between statements still has the connection, and
 * the file's write lock, to itself.
 */
import type Database from "better-sqlite3";
import type { Engine, Sql, SqlArgs, SqlParam } from "./types.js";

const statementCache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** A prepared statement on the connection, prepared once per connection. */
export function statement(conn: Database.Database, text: string): Database.Statement {
  let byText = statementCache.get(conn);
  if (!byText) {
    byText = new Map();
    statementCache.set(conn, byText);
  }
  let prepared = byText.get(text);
  if (!prepared) {
    prepared = conn.prepare(text);
    byText.set(text, prepared);
  }
  return prepared;
}

/** The Sql face of a better-sqlite3 connection (each call runs synchronously, then resolves). */
export function sqliteSql(conn: Database.Database): Sql {
  return {
    dialect: "sqlite",
    all: async <T>(text: string, ...params: SqlArgs) => statement(conn, text).all(...params) as T[],
    get: async <T>(text: string, ...params: SqlArgs) => statement(conn, text).get(...params) as T | undefined,
    run: async (text: string, ...params: SqlArgs) => statement(conn, text).run(...params).changes,
    runEach: async (text: string, rows: ReadonlyArray<readonly SqlParam[]>) => {
      const prepared = statement(conn, text);
      let changes = 0;
      for (const row of rows) changes += prepared.run(...row).changes;
      return changes;
    },
  };
}

let savepoints = 0;

/**
 * The engine of one connection. `exclusive` is the client's lock (re-entrant): a transaction
 * holds it from BEGIN to COMMIT, so this process's other callers wait, and other processes
 * wait on SQLite's own lock (busy timeout). IMMEDIATE takes the write lock up front, so a
 * writer never fails half-way with SQLITE_BUSY on a lock upgrade.
 */
export function sqliteEngine(
  conn: Database.Database,
  exclusive: <T>(work: () => Promise<T> | T) => Promise<T>,
  close: () => Promise<void>,
): Engine {
  const sql = sqliteSql(conn);
  // The kind of the open outermost transaction: a write nested in a read is refused, as on PostgreSQL.
  let outer: "write" | "read" | null = null;
  const engine: Engine = {
    dialect: "sqlite",
    session: (work) => exclusive(() => work(sql)),
    // A write transaction (types.ts says why): the pass reads under the write lock, as before.
    rowLocked: (work) => engine.transaction("write", work),
    transaction: (kind, work) =>
      exclusive(async () => {
        if (conn.inTransaction) {
          if (kind === "read") return work(sql);
          if (outer === "read") {
            throw new Error(
              "a write transaction cannot be nested in a read transaction (it would not take the writers' lock)",
            );
          }
          const name = `tw_${++savepoints}`;
          conn.exec(`SAVEPOINT ${name}`);
          try {
            const result = await work(sql);
            conn.exec(`RELEASE ${name}`);
            return result;
          } catch (error) {
            if (conn.inTransaction) conn.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
            throw error;
          }
        }
        conn.exec(kind === "write" ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
        outer = kind;
        try {
          const result = await work(sql);
          conn.exec("COMMIT");
          return result;
        } catch (error) {
          if (conn.inTransaction) conn.exec("ROLLBACK");
          throw error;
        } finally {
          outer = null;
        }
      }),
    close,
  };
  return engine;
}
