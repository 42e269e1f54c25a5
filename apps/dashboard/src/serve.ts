/**
 * Starting and stopping a dashboard server: the read-only database client,
 * the live feed, the assets and the HTTP server, in that order, and closed
 * in reverse. Used by the CLI, the browser tests and the benchmark.
 *
 * Invariants: the database is opened read-only, so the dashboard cannot
 * write whatever a bug in it asks; a file that does not exist or is not
 * migrated to this version is refused with the command that fixes it; a host
 * other than loopback without a token is refused before anything listens.
 */
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import type { Logger, TotewatchConfig } from "@totewatch/config";
import { createDb, migrationStatus } from "@totewatch/db";
import type { BoardOddsFormat } from "@totewatch/tote";
import { createDashboardApp } from "./app.js";
import { buildAssets } from "./assets.js";
import { startLiveFeed } from "./live.js";

export class DashboardStartError extends Error {
  override readonly name = "DashboardStartError";
}

export interface StartDashboardOptions {
  /** The database URL (config database.url or --db). */
  databaseUrl: string;
  host: string;
  /** 0: any free port. */
  port: number;
  token?: string;
  config: Pick<TotewatchConfig, "tracks" | "alerts">;
  logger: Logger;
  /** How the database is named in messages (the path as the user gave it). */
  databaseLabel?: string;
  pingMs?: number;
  /** The live feed's slow poll (live.ts); tests shorten it. */
  pollMs?: number;
  now?: () => Date;
}

export interface RunningDashboard {
  /** http://host:port/ as a browser on this machine would open it. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Hosts only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** Why the database cannot be shown, or null. */
async function databaseProblem(url: string, label: string): Promise<string | null> {
  const status = await migrationStatus(url);
  if (!status.exists) {
    return (
      `no database at ${label} yet: record something first (\`totewatch ingest poll\`, \`totewatch ingest replay\`, ` +
      `or \`pnpm demo\` for data/demo.db), or create it with \`totewatch db migrate --db ${label}\``
    );
  }
  if (status.pending.length > 0 || status.interrupted.length > 0) {
    return (
      `database ${label} is not up to date (${status.pending.length} migration(s) pending); ` +
      `the dashboard only reads: run \`totewatch db migrate --db ${label}\` (any ingest or alerts command also does)`
    );
  }
  if (status.unknown.length > 0 || status.changed.length > 0) {
    return `database ${label} was written by another Totewatch version (run \`totewatch db status --db ${label}\`)`;
  }
  return null;
}

export async function startDashboard(options: StartDashboardOptions): Promise<RunningDashboard> {
  const label = options.databaseLabel ?? options.databaseUrl;
  if (!isLoopbackHost(options.host) && options.token === undefined) {
    throw new DashboardStartError(
      `host ${options.host} can be reached from other machines, so the dashboard needs a token: set ` +
        "dashboard.token (at least 16 characters; from the environment, e.g. token: ${TOTEWATCH_DASHBOARD_TOKEN}), " +
        "or serve on 127.0.0.1",
    );
  }
  const problem = await databaseProblem(options.databaseUrl, label);
  if (problem !== null) throw new DashboardStartError(problem);

  const assets = await buildAssets();
  // A replaced file is checked as at start: one not migrated is not shown (live.ts keeps the old).
  const open = async () => {
    const replacedProblem = await databaseProblem(options.databaseUrl, label);
    if (replacedProblem !== null) throw new DashboardStartError(replacedProblem);
    return createDb({ url: options.databaseUrl, readOnly: true });
  };
  const db = await open();
  const boards = new Map<string, BoardOddsFormat>(
    options.config.tracks.map((track) => [
      track.name,
      { oddsFormat: track.oddsFormat, dividendUnit: track.dividendUnit, currency: track.currency },
    ]),
  );
  const live = await startLiveFeed(db, { logger: options.logger, reopen: open, pollMs: options.pollMs });
  const app = createDashboardApp({
    live,
    assets,
    boards,
    exactaTakeout: options.config.alerts.rules.crossPool.exactaTakeout,
    token: options.token,
    pingMs: options.pingMs,
    now: options.now,
  });
  app.onError((error, c) => {
    options.logger.error({ err: error, path: c.req.path }, "dashboard: request failed");
    return c.json({ error: "internal error (logged by the dashboard)" }, 500);
  });

  const server = createAdaptorServer({ fetch: app.fetch, hostname: options.host, port: options.port });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, options.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await live.close();
    await live.db().close();
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "EADDRINUSE"
        ? "is in use (another dashboard or sample tote? try --port)"
        : (error as Error).message;
    throw new DashboardStartError(`cannot listen on ${options.host}:${options.port}: ${why}`);
  }
  const port = (server.address() as AddressInfo).port;
  const shownHost = options.host.includes(":") ? `[${options.host}]` : options.host;
  const browserHost = shownHost === "0.0.0.0" || shownHost === "[::]" ? "127.0.0.1" : shownHost;
  let closed: Promise<void> | null = null;
  return {
    url: `http://${browserHost}:${port}/`,
    port,
    close() {
      closed ??= (async () => {
        await live.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Event streams stay open for as long as their pages do.
          if ("closeAllConnections" in server) server.closeAllConnections();
        });
        await live.db().close();
      })();
      return closed;
    },
  };
}
