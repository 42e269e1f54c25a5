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
import { streamSSE } from "hono/streaming";
import { formatChangeMarks, parseChangeMarks, type Db } from "@totewatch/db";
import type { BoardOddsFormat } from "@totewatch/tote";
import { apiRoutes } from "./api/routes.js";
import type { ChangeEvent, HealthResponse } from "./api/types.js";
import { serveAssets, type Asset } from "./assets.js";
import type { LiveChange, LiveFeed } from "./live.js";
import { pageShell } from "./pages.js";
import { requireToken, securityHeaders } from "./security.js";

export interface DashboardAppOptions {
  db: Db;
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
  serveAssets(app, options.assets);

  app.get("/", (c) => c.html(pageShell("day")));
  app.get("/alerts", (c) => c.html(pageShell("alerts")));
  app.get("/race/:id{[0-9]{1,15}}", (c) => c.html(pageShell("race", { raceId: Number(c.req.param("id")) })));
  app.get("/healthz", (c) => c.json({ ok: true, database: options.db.path } satisfies HealthResponse));

  app.get("/api/events", (c) => {
    const { live } = options;
    const lastEventId = c.req.header("last-event-id");
    const resumeFrom = lastEventId === undefined ? null : parseChangeMarks(lastEventId);
    c.header("Cache-Control", "no-store");
    return streamSSE(c, async (stream) => {
      const queue: LiveChange[] = [];
      let wake: (() => void) | null = null;
      const push = (change: LiveChange) => {
        queue.push(change);
        wake?.();
      };
      const unsubscribe = live.subscribe(push);
      stream.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      const send = (change: LiveChange) => {
        const data: ChangeEvent = {
          raceIds: change.raceIds,
          alerts: change.alerts,
          all: change.stale,
          at: new Date().toISOString(),
        };
        return stream.writeSSE({
          event: "change",
          id: formatChangeMarks(change.marks),
          data: JSON.stringify(data),
        });
      };
      // A page that reconnects hears at once what it missed; a new one learns the marks to resume from.
      if (resumeFrom !== null) {
        const missed = await live.since(resumeFrom);
        if (missed.raceIds.length > 0 || missed.alerts || missed.stale) await send(missed);
      }
      await stream.writeSSE({
        event: "hello",
        id: formatChangeMarks(live.current()),
        data: "{}",
        retry: 2000,
      });
      const ping = setInterval(() => {
        stream.writeSSE({ event: "ping", data: "{}" }).catch(() => undefined);
      }, options.pingMs ?? PING_MS);
      try {
        while (!stream.aborted) {
          const next = queue.shift();
          if (next !== undefined) {
            await send(next);
            continue;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = null;
        }
      } finally {
        clearInterval(ping);
        unsubscribe();
      }
    });
  });

  app.route("/api", apiRoutes(options));
  app.notFound((c) =>
    c.req.path.startsWith("/api/")
      ? c.json({ error: `no such endpoint: ${c.req.path}` }, 404)
      : c.text("Not found", 404),
  );
  return app;
}
