/**
 * The one shape every query module talks to, whatever the engine: an async
 * session that runs SQL text with positional (`?`) or named (`@name`)
 * parameters, and says how many rows a write changed.
 *
 * Invariants:
 * - Query text is written once, in the subset both engines read; where they
 *   differ (JSON functions, two-argument min/max), the module branches on
 *   `dialect`. The PostgreSQL engine rewrites placeholders to `$n` and drops
 *   SQLite's `INDEXED BY` hints (engine/pg-text.ts), nothing else.
 * - Rows come back as SQLite stores them on both engines: instants as integer
 *   milliseconds, booleans as 0/1, counts and sums as numbers.
 */
export type Dialect = "sqlite" | "postgres";

export type SqlParam = string | number | bigint | null;
export type NamedParams = { readonly [name: string]: SqlParam };
/** Positional values, or one object of named values (`@name` in the text). */
export type SqlArgs = SqlParam[] | [NamedParams];

export interface Sql {
  readonly dialect: Dialect;
  /** Every row the statement returns. */
  all<T>(text: string, ...params: SqlArgs): Promise<T[]>;
  /** The first row, or undefined. */
  get<T>(text: string, ...params: SqlArgs): Promise<T | undefined>;
  /** Runs a write; resolves to the number of rows it changed. */
  run(text: string, ...params: SqlArgs): Promise<number>;
  /** Runs one write per row of positional values (a snapshot's rows); resolves to the rows changed in all. */
  runEach(text: string, rows: ReadonlyArray<readonly SqlParam[]>): Promise<number>;
}

/** How a client runs work: what sql.ts's transaction functions dispatch to. */
export interface Engine {
  readonly dialect: Dialect;
  /** `work` on a session outside a transaction, or on the caller's open one. */
  session<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  /**
   * `work` in one transaction: "write" serializes with every other writer of the database
   * (SQLite's BEGIN IMMEDIATE; on PostgreSQL one advisory lock), "read" sees one consistent
   * state and writes nothing. Inside an open transaction a write is a savepoint (it rolls back
   * alone), a read just runs.
   */
  transaction<T>(kind: "write" | "read", work: (sql: Sql) => Promise<T>): Promise<T>;
  /**
   * `work` as a write transaction whose every decision is made by the statement that writes (a
   * compare-and-set UPDATE), so row locks are enough: a delivery claim.
   * - PostgreSQL: READ COMMITTED without the writers' lock, so it never waits for ingest; a row
   *   another transaction changes is re-checked by the statement (or passed over with
   *   `FOR UPDATE SKIP LOCKED`).
   * - SQLite: a write transaction.
   * Inside an open write transaction it is a savepoint, as a nested write is. A write transaction
   * nested in it is refused on PostgreSQL (it would wait for the writers' lock holding row locks).
   */
  rowLocked<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
