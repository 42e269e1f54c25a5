/** Test support: table dumps, a captured logger and a real HTTP server on 127.0.0.1. */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { createLogger, type Logger } from "@totewatch/config";
import type { Db } from "@totewatch/db";

export const DATA_TABLES = ["track", "race", "horse", "entry", "odds_snapshot", "exacta_probable"] as const;

/** Every row of the data tables in id order; write-time stamps (created_at, updated_at) left out. */
export async function dumpTables(
  db: Db,
  opts: { ignoreColumns?: readonly string[] } = {},
): Promise<Record<string, unknown[]>> {
  const ignored = new Set(["created_at", "updated_at", ...(opts.ignoreColumns ?? [])]);
  return db.exclusive(() => {
    const out: Record<string, unknown[]> = {};
    for (const table of DATA_TABLES) {
      const rows = db.sql.prepare(`SELECT * FROM ${table} ORDER BY 1`).all() as Array<
        Record<string, unknown>
      >;
      out[table] = rows.map((row) =>
        Object.fromEntries(Object.entries(row).filter(([k]) => !ignored.has(k))),
      );
    }
    return out;
  });
}

export async function countRows(db: Db): Promise<Record<string, number>> {
  return db.exclusive(() =>
    Object.fromEntries(
      DATA_TABLES.map((table) => [
        table,
        (db.sql.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n,
      ]),
    ),
  );
}

export interface CapturedLogs {
  logger: Logger;
  records: Array<Record<string, unknown> & { level: number; msg: string }>;
}

export function captureLogs(level = "debug"): CapturedLogs {
  const records: CapturedLogs["records"] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split("\n")) if (line.trim()) records.push(JSON.parse(line));
      callback();
    },
  });
  return { logger: createLogger({ name: "ingest-test", level, stream }), records };
}

export type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface TestServer {
  url: string;
  /** path (without query) -> handler; replace freely during a test. */
  routes: Map<string, Route>;
  /** Every request path, in arrival order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const routes = new Map<string, Route>();
  const requests: string[] = [];
  const sockets = new Set<import("node:net").Socket>();
  const server = http.createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? "/").split("?")[0]!);
    requests.push(path);
    const route = routes.get(path);
    if (!route) {
      res.writeHead(404).end("not found");
      return;
    }
    route(req, res);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    routes,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        // Hanging routes never answer: drop their sockets so close() returns.
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export const json =
  (body: unknown): Route =>
  (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
  };
