/**
 * What keeps the dashboard the user's own: security headers with a strict
 * Content-Security-Policy on every response, and, when a token is set, the
 * token on every page and API request.
 *
 * Invariants:
 * - No inline script may run (script-src 'self'); the pages put feed text in
 *   the DOM as text only (src/client), so a horse named like markup is shown.
 * - With a token: a request passes with `Authorization: Bearer <token>` or the
 *   login cookie; the cookie holds an HMAC of the token, not the token. Only
 *   the login form and the static assets (code and styles, no data) are open.
 *   Comparisons take the same time whatever the input (timingSafeEqual over
 *   digests of equal length).
 * - The login's `next` is only ever a path on this server (no open redirect).
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { Context, Hono, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { secureHeaders } from "hono/secure-headers";
import { loginPage } from "./pages.js";

export const SESSION_COOKIE = "totewatch_session";
const SESSION_DAYS = 30;

export function securityHeaders(): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", "data:"],
      connectSrc: ["'self'"],
      fontSrc: ["'self'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    referrerPolicy: "no-referrer",
    xFrameOptions: "DENY",
  });
}

const digest = (text: string) => createHash("sha256").update(text).digest();

function sameText(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** The login cookie's value for `token`: proof of the token without being it. */
export function sessionValue(token: string): string {
  return createHmac("sha256", token).update("totewatch dashboard session v1").digest("base64url");
}

/**
 * A path on this server to return to after login, or "/". Read as a browser would read it
 * (which drops tabs and newlines, so "/\t/evil.example" is "//evil.example"): only a result on
 * this origin is kept, as its path and query.
 */
export function safeNext(next: string | undefined): string {
  if (next === undefined || !next.startsWith("/") || next.length > 2000) return "/";
  // Control characters and backslashes have no place in a path we made; browsers bend them.
  if ([...next].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f || ch === "\\")) return "/";
  const base = "http://dashboard.invalid";
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return "/";
  }
  // The path as resolved ("/.//evil.example" is "//evil.example"): never one a browser reads as a host.
  if (url.origin !== base || url.pathname.startsWith("//")) return "/";
  return `${url.pathname}${url.search}`;
}

function bearerOf(c: Context): string | undefined {
  const header = c.req.header("authorization");
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

const OPEN_PATHS = new Set(["/login", "/favicon.ico"]);

/** A Host header naming this machine's loopback (any port). */
function isLoopbackHostHeader(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.replace(/:\d+$/, "");
  return name === "localhost" || name === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/**
 * Without a token the dashboard is for this machine only (it listens on loopback), but a web page
 * in the user's browser could point a name of its own at 127.0.0.1 (DNS rebinding) and read the
 * API: only requests that name a loopback host are answered.
 */
export function requireLoopbackHost(): MiddlewareHandler {
  return async (c, next) => {
    // The Host header as sent (the URL's host when a request was made without one, in tests).
    if (isLoopbackHostHeader(c.req.header("host") ?? new URL(c.req.url).host)) return next();
    return c.text("This dashboard answers only requests to 127.0.0.1 or localhost.", 421);
  };
}

/** Adds /login and the token check in front of every other route of `app`. */
export function requireToken(app: Hono, token: string): void {
  const session = sessionValue(token);

  app.get("/login", (c) => c.html(loginPage({ next: safeNext(c.req.query("next")) })));
  app.post("/login", async (c) => {
    const form = await c.req.parseBody();
    const given = typeof form.token === "string" ? form.token : "";
    const next = safeNext(typeof form.next === "string" ? form.next : undefined);
    if (!sameText(given, token)) return c.html(loginPage({ next, failed: true }), 401);
    setCookie(c, SESSION_COOKIE, session, {
      httpOnly: true,
      sameSite: "Strict",
      path: "/",
      maxAge: SESSION_DAYS * 24 * 3600,
      secure: new URL(c.req.url).protocol === "https:",
    });
    return c.redirect(next, 303);
  });

  app.use("*", async (c, next) => {
    const path = c.req.path;
    if (OPEN_PATHS.has(path) || path.startsWith("/assets/")) return next();
    const bearer = bearerOf(c);
    const cookie = getCookie(c, SESSION_COOKIE);
    if (
      (bearer !== undefined && sameText(bearer, token)) ||
      (cookie !== undefined && sameText(cookie, session))
    ) {
      return next();
    }
    if (path.startsWith("/api/") || path === "/healthz") {
      c.header("WWW-Authenticate", 'Bearer realm="totewatch"');
      return c.json(
        { error: "this dashboard needs its token: Authorization: Bearer <token>, or log in at /login" },
        401,
      );
    }
    const url = new URL(c.req.url);
    return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
  });
}
