/**
 * The PostgreSQL engine: a pg pool per client and its transactions (each connection's
 * statements: pg-session.ts).
 *
 * Invariants:
 * - Rows read as SQLite's do (pg-session.ts).
 * - A write transaction takes one advisory lock first (WRITE_LOCK), so writers are serialized
 *   exactly as SQLite's BEGIN IMMEDIATE serializes them: every read-decide-write a helper does
 *   (a card, a pass's cursors, a delivery claim) keeps the guarantees it has on SQLite, across
 *   every process and machine on the database. Reads take no lock.
 * - A read transaction is REPEATABLE READ, READ ONLY: one consistent state, as a WAL reader.
 * - A transaction that changed a row notifies COMMIT_CHANNEL, delivered at commit (commits.ts
 *   listens); one that changed nothing does not, as a SQLite commit that changed nothing adds
 *   nothing to the -wal file commits.ts watches.
 * - A read-only client's sessions are read-only on the server (default_transaction_read_only).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import pg from "pg";
import { columnTypeReader, pgSql, poolSettings, ROW_TYPES } from "./pg-session.js";
import type { Engine, Sql } from "./types.js";

export { poolSettings, ROW_TYPES } from "./pg-session.js";

/** The advisory lock key every write transaction holds (a constant of Totewatch's own). */
export const WRITE_LOCK = "8392612345678934";
/** The LISTEN/NOTIFY channel a commit is announced on. */
export const COMMIT_CHANNEL = "totewatch_commit";

/** The PostgreSQL engine, with what commits.ts needs of it. */
export interface PostgresEngine extends Engine {
  readonly dialect: "postgres";
  readonly pool: pg.Pool;
  /**
   * LISTENs on COMMIT_CHANNEL on a connection of its own (a pooled one would be handed to
   * others), calling `onCommit` for each notification; resolves once listening. `stop()` ends it.
   */
  listenForCommits(onCommit: () => void, onError: (error: Error) => void): Promise<{ stop(): Promise<void> }>;
}

interface OpenTransaction {
  client: pg.PoolClient;
  sql: Sql;
  /** How it began (BEGIN): a write nests in any but "read" and (it never takes the writers' lock) "rowLocked". */
  mode: keyof typeof BEGIN;
  /** A statement in it changed a row: its commit notifies COMMIT_CHANNEL. */
  changed: boolean;
  /**
   * Set when the transaction has ended: async work it started and left running (a timer, a
   * promise not awaited) still sees it in its async context, and must not join the next
   * transaction on the same pooled client.
   */
  done: boolean;
  /**
   * A savepoint whose work is done but which is not released yet: released with the next
   * savepoint's SAVEPOINT in one round trip, or by COMMIT (a batch's savepoints cost one round
   * trip each instead of two).
   */
  unreleased: string | null;
}

let savepoints = 0;

const BEGIN = {
  // One round trip to begin and take the writers' lock.
  write: `BEGIN; SELECT pg_advisory_xact_lock(${WRITE_LOCK})`,
  read: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
  rowLocked: "BEGIN ISOLATION LEVEL READ COMMITTED",
} as const;

/** Both engines refuse it (engine/sqlite.ts says the same). */
const NESTED_WRITE =
  "a write transaction cannot be nested in a read transaction (it would not take the writers' lock)";

const NESTED_IN_ROW_LOCKED =
  "a write transaction cannot be nested in a row-locked one (it would take the writers' lock while holding row locks)";

export interface PostgresEngineOptions {
  url: string;
  readOnly?: boolean;
  /** Pool size (default 10). */
  max?: number;
  /** Awaited before the first connection (a test database still being made from its template). */
  ready?: Promise<void>;
}

/** The engine of one client: a pool, with the caller's open transaction found by async context. */
export function postgresEngine(options: PostgresEngineOptions): PostgresEngine {
  const pool = new pg.Pool({
    ...poolSettings(options.url),
    max: options.max ?? 10,
    types: ROW_TYPES,
    // A CLI command exits when its work is done, not after the pool's idle timeout.
    allowExitOnIdle: true,
    // A query is sent without waiting for the one before it to be answered (nested() relies on
    // it); each still has its own sync point, so one's error does not swallow the next.
    pipeline: true,
    options: options.readOnly ? "-c default_transaction_read_only=on" : undefined,
    application_name: "totewatch",
  });
  // An idle client losing its server (a restart) must not kill the process; the next query reconnects.
  pool.on("error", () => {});
  const open = new AsyncLocalStorage<OpenTransaction>();
  const openNow = () => {
    const current = open.getStore();
    return current && !current.done ? current : undefined;
  };
  const columnTypes = columnTypeReader();
  const poolSql = pgSql(pool, columnTypes);
  let ready = options.ready;
  // Watches being set up: this client's queries wait for them, so a commit that a read made after
  // watchCommits was called does not see is heard (commits.ts promises it, as on SQLite).
  const listening = new Set<Promise<unknown>>();
  const whenReady = async () => {
    if (ready) {
      await ready;
      ready = undefined;
    }
    if (listening.size > 0) await Promise.allSettled([...listening]);
  };

  /** A transaction inside the caller's open one: a read just runs; a write is a savepoint. */
  async function nested<T>(current: OpenTransaction, kind: "write" | "read", work: (sql: Sql) => Promise<T>) {
    if (kind === "read") return work(current.sql);
    if (current.mode === "read") throw new Error(NESTED_WRITE);
    // It may hold row locks already: waiting for the writers' lock then could deadlock with a
    // writer that holds the lock and waits for those rows.
    if (current.mode === "rowLocked") throw new Error(NESTED_IN_ROW_LOCKED);
    const name = `tw_${++savepoints}`;
    const release = current.unreleased ? `RELEASE SAVEPOINT ${current.unreleased}; ` : "";
    current.unreleased = null;
    // Pipelined (the pool's clients are) and corked until the event loop's next turn: the
    // SAVEPOINT leaves in one socket write with the work's first statement (sent within this
    // turn unless the work waits on something else first), and its answer is awaited after the
    // work, so a savepoint costs no round trip of its own. Had it failed, every statement after
    // it failed too ("current transaction is aborted"), and its own error is the one thrown.
    const socket = current.client.connection.stream;
    socket.cork();
    setImmediate(() => socket.uncork());
    const saved = current.client.query(`${release}SAVEPOINT ${name}`).then(
      () => undefined,
      (error: unknown) => ({ error }),
    );
    let result: T;
    try {
      result = await work(current.sql);
    } catch (error) {
      const failed = await saved;
      if (failed) throw failed.error;
      // What was done inside it, released or not, is rolled back with it.
      current.unreleased = null;
      await current.client.query(`ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`);
      throw error;
    }
    const failed = await saved;
    if (failed) throw failed.error;
    // Anything left unreleased inside this one goes with it.
    current.unreleased = name;
    return result;
  }

  /** A transaction of its own on a pooled client. */
  async function outermost<T>(mode: keyof typeof BEGIN, work: (sql: Sql) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let broken = false;
    // A checked-out client whose server ends it (a restart) emits "error" besides failing the
    // query in flight; unheard, that event would kill the process. The query's own error is
    // what the caller gets (retriableDatabaseError: "unreachable"), and the client is discarded.
    const onError = () => {
      broken = true;
    };
    client.on("error", onError);
    const opened: OpenTransaction = {
      client,
      // The hook runs at statements, after `opened` is made.
      sql: pgSql(client, columnTypes, {
        changed: () => (opened.changed = true),
        serialized: mode === "write",
      }),
      mode,
      changed: false,
      done: false,
      unreleased: null,
    };
    try {
      await client.query(BEGIN[mode]);
      const result = await open.run(opened, () => work(opened.sql));
      // One that changed a row notifies, in one round trip with its commit; one that changed
      // nothing does not (an alerts pass that found nothing would wake the daemon that ran it).
      await client.query(opened.changed ? `NOTIFY ${COMMIT_CHANNEL}; COMMIT` : "COMMIT");
      return result;
    } catch (error) {
      try {
        await client.query("ROLLBACK");
      } catch {
        broken = true;
      }
      throw error;
    } finally {
      opened.done = true;
      client.removeListener("error", onError);
      client.release(broken);
    }
  }

  return {
    dialect: "postgres",
    pool,
    async session(work) {
      await whenReady();
      return work(openNow()?.sql ?? poolSql);
    },
    async transaction(kind, work) {
      await whenReady();
      const current = openNow();
      if (current) return nested(current, kind, work);
      return outermost(kind, work);
    },
    async rowLocked(work) {
      await whenReady();
      const current = openNow();
      if (current) return nested(current, "write", work);
      return outermost("rowLocked", work);
    },
    listenForCommits(onCommit, onError) {
      const client = new pg.Client({ ...poolSettings(options.url), types: ROW_TYPES });
      client.on("notification", () => onCommit());
      client.on("error", onError);
      const started = (async () => {
        if (ready) await ready;
        await client.connect();
        await client.query(`LISTEN ${COMMIT_CHANNEL}`);
      })();
      listening.add(started);
      return started.then(
        () => {
          listening.delete(started);
          return stopper();
        },
        async (error: unknown) => {
          listening.delete(started);
          await client.end().catch(() => {});
          throw error;
        },
      );
      function stopper() {
        return {
          stop: async () => {
            client.removeListener("error", onError);
            client.on("error", () => {});
            await client.end().catch(() => {});
          },
        };
      }
    },
    close: () => pool.end(),
  };
}
