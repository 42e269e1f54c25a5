/**
 * A dashboard with a token: every page and API request needs it (Bearer or the
 * login cookie); only the login form and the static assets are open; the
 * login never redirects off the server. Through `app.request()` on a real
 * migrated database.
 */
import { createLogger } from "@totewatch/config";
import { createDb, type Db } from "@totewatch/db";
import { freshTestDatabaseUrl } from "@totewatch/test-utils";
import type { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDashboardApp } from "./app.js";
import { buildAssets } from "./assets.js";
import { startLiveFeed, type LiveFeed } from "./live.js";
import { safeNext, SESSION_COOKIE, sessionValue } from "./security.js";

const TOKEN = "s3cret-token-0123456789";
let db: Db;
let live: LiveFeed;
let app: Hono;

beforeAll(async () => {
  db = createDb({ url: await freshTestDatabaseUrl("dashboard-security"), readOnly: true });
  live = await startLiveFeed(db, { logger: createLogger({ name: "test", level: "silent" }) });
  app = createDashboardApp({ live, assets: await buildAssets(), token: TOKEN });
});

afterAll(async () => {
  await live?.close();
  await db?.close();
});

const form = (fields: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});

describe("a dashboard with a token", () => {
  it("refuses the API without it, and with a wrong one", async () => {
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: "Bearer wrong-token-0123456789" },
      { authorization: TOKEN },
    ];
    for (const headers of attempts) {
      const response = await app.request("/api/races", { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="totewatch"');
      expect(await response.text()).not.toContain(TOKEN);
    }
    expect((await app.request("/healthz")).status).toBe(401);
  });

  it("answers the API with the Bearer token", async () => {
    const response = await app.request("/api/races", { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
  });

  it("sends a page request without it to the login form, keeping where it was going", async () => {
    const response = await app.request("/race/7?x=1");
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`/login?next=${encodeURIComponent("/race/7?x=1")}`);
    const login = await app.request("/login?next=%2Frace%2F7");
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('name="next" value="/race/7"');
  });

  it("logs in with the right token: an HttpOnly, SameSite=Strict cookie that is not the token", async () => {
    const wrong = await app.request("/login", form({ token: "not-it-at-all-000000", next: "/alerts" }));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();

    const right = await app.request("/login", form({ token: TOKEN, next: "/alerts" }));
    expect(right.status).toBe(303);
    expect(right.headers.get("location")).toBe("/alerts");
    const cookie = right.headers.get("set-cookie")!;
    expect(cookie).toContain(`${SESSION_COOKIE}=${sessionValue(TOKEN)}`);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).not.toContain(TOKEN);

    const session = `${SESSION_COOKIE}=${sessionValue(TOKEN)}`;
    expect((await app.request("/alerts", { headers: { cookie: session } })).status).toBe(200);
    expect((await app.request("/api/alerts", { headers: { cookie: session } })).status).toBe(200);
    expect(
      (await app.request("/api/alerts", { headers: { cookie: `${SESSION_COOKIE}=forged` } })).status,
    ).toBe(401);
  });

  it("serves the assets without it (code and styles, no data)", async () => {
    expect((await app.request("/assets/app.js")).status).toBe(200);
    expect((await app.request("/assets/app.css")).status).toBe(200);
  });

  it("never sends the login anywhere but a path on this server", () => {
    expect(safeNext("/race/3?x=1")).toBe("/race/3?x=1");
    for (const next of [
      "//evil.example/x",
      "https://evil.example/",
      "/\\evil.example",
      "race/3",
      undefined,
    ]) {
      expect(safeNext(next)).toBe("/");
    }
  });
});
