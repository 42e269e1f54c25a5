/**
 * The dashboard as a Hono app: pages, the JSON API, server-sent events and
 * the static assets, behind the security headers and (when set) the token.
 * Testable without a port through `app.request()`.
 *
 * Invariants: GET (and the login form's POST) only; nothing here writes to
 * the database (the client it is given may be read-only). Responses other
 * than the event stream are compressed when the browser accepts it.
 */
import { Hono } from "hono";
import { compress } from "hono/compress";
import type { BoardOddsFormat } from "@totewatch/tote";
import { apiRoutes } from "./api/routes.js";
import type { HealthResponse } from "./api/types.js";
import { serveAssets, type Asset } from "./assets.js";
import { eventStream } from "./events.js";
import type { LiveFeed } from "./live.js";
import { pageShell } from "./pages.js";
import { requireLoopbackHost, requireToken, securityHeaders } from "./security.js";

export interface DashboardAppOptions {
  /** The change feed, and the database client the requests read with (live.db()). */
  live: LiveFeed;
  assets: ReadonlyMap<string, Asset>;
  /** How each track's board quotes odds, by track name. */
  boards?: ReadonlyMap<string, BoardOddsFormat>;
  exactaTakeout?: number;
  /** When set, every page and API request needs it (security.ts). */
  token?: string;
  /** Interval of the keep-alive `ping` event (pages show "stale" when they stop hearing anything). */
  pingMs?: number;
  now?: () => Date;
}

const PING_MS = 15_000;

export function createDashboardApp(options: DashboardAppOptions): Hono {
  const app = new Hono();
  app.use("*", securityHeaders());
  app.use("*", compress());
  if (options.token !== undefined) requireToken(app, options.token);
  else app.use("*", requireLoopbackHost());
  serveAssets(app, options.assets);

  app.get("/", (c) => c.html(pageShell("day")));
  app.get("/alerts", (c) => c.html(pageShell("alerts")));
  app.get("/race/:id{[0-9]{1,15}}", (c) => c.html(pageShell("race", { raceId: Number(c.req.param("id")) })));
  app.get("/healthz", (c) => c.json({ ok: true, database: options.live.db().path } satisfies HealthResponse));

  app.get("/api/events", (c) => eventStream(c, options.live, options.pingMs ?? PING_MS));

  app.route("/api", apiRoutes({ ...options, db: () => options.live.db() }));
  app.notFound((c) =>
    c.req.path.startsWith("/api/")
      ? c.json({ error: `no such endpoint: ${c.req.path}` }, 404)
      : c.text("Not found", 404),
  );
  return app;
}
