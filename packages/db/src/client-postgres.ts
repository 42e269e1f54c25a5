/**
 * A client on a PostgreSQL database (a `postgresql://` url): the same `Db`
 * handle as on SQLite, with a pg pool behind it (engine/postgres.ts). It has no
 * Prisma client: every query module runs on the engine-neutral `Sql` session.
 *
 * Invariants: `path` shows the url without its password (messages print it); `exclusive` runs
 * work one caller at a time (its only users are tests' typed reads), but unlike SQLite's it does
 * not hold queries back: each transaction has a pooled connection of its own, writers are
 * serialized by the engine's advisory lock and readers never wait; a read-only client's sessions
 * are read-only on the server, so a write fails there.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { Mutex } from "async-mutex";
import type { CreateDbOptions, Db } from "./client.js";
import { registerConnections } from "./connection.js";
import { redactDatabaseUrl } from "./database-url.js";
import { postgresEngine } from "./engine/postgres.js";

export function createPostgresDb(options: CreateDbOptions, ready?: Promise<void>): Db {
  const engine = postgresEngine({ url: options.url, readOnly: options.readOnly === true, ready });
  const shown = redactDatabaseUrl(options.url);
  const mutex = new Mutex();
  const holder = new AsyncLocalStorage<true>();
  let closed = false;
  const db: Db = {
    path: shown,
    exclusive<T>(work: () => Promise<T> | T): Promise<T> {
      if (closed) return Promise.reject(new Error(`database ${shown} is closed`));
      if (holder.getStore()) return Promise.resolve().then(work);
      return mutex.runExclusive(() => holder.run(true, work));
    },
    async close() {
      if (closed) return;
      closed = true;
      await engine.close();
    },
  };
  registerConnections(db, { engine });
  return db;
}
