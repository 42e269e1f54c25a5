/**
 * How this package's modules reach a client's engine. The public `Db` names
 * no engine, so `createDb` registers it here, one entry per client, and the
 * query modules, scripts and `testing/` ask for it by client (sql.ts). Nothing
 * here is exported from src/index.ts.
 */
import type Database from "better-sqlite3";
import type { Db } from "./client.js";
import type { Engine } from "./engine/types.js";
import type { PrismaClient } from "./generated/prisma/client.js";

/** The SQLite raw connection's type, named once. */
export type Connection = Database.Database;

interface Held {
  readonly engine: Engine;
  /** SQLite only: the raw connection (migration checks, the integrity check, benches). */
  readonly sqlite?: Connection;
  /** SQLite only: the Prisma client on the same file (model round-trip tests). */
  readonly prisma?: PrismaClient;
}

// Keyed by the client object itself: a lookup per call, nothing allocated.
const held = new WeakMap<Db, Held>();

/** Called once by createDb for each client it makes. */
export function registerConnections(db: Db, entry: Held): void {
  held.set(db, entry);
}

function heldBy(db: Db): Held {
  const entry = held.get(db);
  if (!entry) throw new Error("not a database client made by createDb");
  return entry;
}

/** The client's engine (sql.ts runs every query through it). */
export function engineOf(db: Db): Engine {
  return heldBy(db).engine;
}

/** A SQLite client's raw connection; use only inside `db.exclusive`. */
export function connectionOf(db: Db): Connection {
  const sqlite = heldBy(db).sqlite;
  if (!sqlite) throw new Error("this needs a SQLite database");
  return sqlite;
}

/** A SQLite client's Prisma client; use only inside `db.exclusive`. */
export function prismaOf(db: Db): PrismaClient {
  const prisma = heldBy(db).prisma;
  if (!prisma) throw new Error("this needs a SQLite database");
  return prisma;
}
