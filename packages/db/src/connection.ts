/**
 * How this package's modules reach a client's connections. The public `Db`
 * names no engine (no connection, no Prisma client), so `createDb` registers
 * them here, one entry per client, and the query modules, scripts and
 * `testing/` ask for them by client. Nothing here is exported from
 * src/index.ts. Every use runs under `db.exclusive` (see client.ts).
 */
import type Database from "better-sqlite3";
import type { Db } from "./client.js";
import type { PrismaClient } from "./generated/prisma/client.js";

/** The raw connection's type, named once for the query modules. */
export type Connection = Database.Database;

interface Connections {
  /** The raw connection: every write and every hot read, as prepared statements (sql.ts). */
  readonly sql: Connection;
  /** The Prisma client on the same file: typed reads where a path is not hot. */
  readonly prisma: PrismaClient;
}

// Keyed by the client object itself: a lookup per call, nothing allocated.
const connections = new WeakMap<Db, Connections>();

/** Called once by createDb for each client it makes. */
export function registerConnections(db: Db, held: Connections): void {
  connections.set(db, held);
}

function connectionsOf(db: Db): Connections {
  const held = connections.get(db);
  if (!held) throw new Error("not a database client made by createDb");
  return held;
}

/** The client's raw connection; use only inside `db.exclusive`. */
export function connectionOf(db: Db): Connection {
  return connectionsOf(db).sql;
}

/** The client's Prisma client; use only inside `db.exclusive`. */
export function prismaOf(db: Db): PrismaClient {
  return connectionsOf(db).prisma;
}
