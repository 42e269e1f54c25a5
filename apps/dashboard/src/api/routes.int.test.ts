/**
 * The JSON API on a real migrated database holding the hand-made race day of
 * test/race-day.ts, through `app.request()` (no port). Every figure is worked
 * in test/race-day.ts's header and again beside its assertion.
 */
import { createDb, type Db } from "@totewatch/db";
import { createLogger } from "@totewatch/config";
import { freshTestDatabaseUrl } from "@totewatch/test-utils";
import type { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDashboardApp } from "../app.js";
import { buildAssets } from "../assets.js";
import { startLiveFeed, type LiveFeed } from "../live.js";
import { DATE, TRACK, XSS_HORSE, writeRaceDay, type RaceDayIds } from "../../test/race-day.js";
import type {
  AlertsResponse,
  ExactaResponse,
  RaceDayResponse,
  RaceHistoryResponse,
  RaceResponse,
} from "./types.js";

let writer: Db;
let reader: Db;
let live: LiveFeed;
let app: Hono;
let ids: RaceDayIds;

beforeAll(async () => {
  const url = await freshTestDatabaseUrl("dashboard-routes");
  writer = createDb({ url });
  ids = await writeRaceDay(writer);
  reader = createDb({ url, readOnly: true });
  live = await startLiveFeed(reader, { logger: createLogger({ name: "test", level: "silent" }) });
  app = createDashboardApp({
    live,
    assets: await buildAssets(),
    // Today, for a request without ?date=, is after the test day: the newest date on or before it.
    now: () => new Date("2025-06-10T12:00:00Z"),
  });
});

afterAll(async () => {
  await live?.close();
  await reader?.close();
  await writer?.close();
});

async function json<T>(path: string, status = 200): Promise<T> {
  const response = await app.request(path);
  expect(response.status, `${path}: ${await response.clone().text()}`).toBe(status);
  return (await response.json()) as T;
}

describe("GET /api/races", () => {
  it("lists the day's races with favourite, pools and alert counts", async () => {
    const day = await json<RaceDayResponse>(`/api/races?date=${DATE}`);
    expect(day.date).toBe(DATE);
    expect(day.dates).toEqual([DATE]);
    expect(day.races.map((race) => race.raceNumber)).toEqual([3, 4]);
    const [r3, r4] = day.races;
    // Newest board 16:55: 1/1A at 3-5 (0.6) is the lowest price; 3 is scratched and has none.
    expect(r3!.favourite).toEqual({ programNumber: "1", horse: "Alpha", winOdds: 0.6, oddsText: "3-5" });
    // 5000 + 3000 + 2000 = 10000 in the win pool; the exacta grid's pool is 4000.
    expect(r3).toMatchObject({
      raceId: ids.raceId,
      totalWinPool: 10_000,
      totalExactaPool: 4000,
      alerts: 2,
      runners: 5,
      scratched: 1,
      lastBoardAt: "2025-06-07T16:55:00.000Z",
      postTime: "2025-06-07T17:00:00.000Z",
      timezone: "America/New_York",
    });
    expect(r4).toMatchObject({ favourite: null, alerts: 0, totalWinPool: null, lastBoardAt: null });
  });

  it("shows the newest day on or before today when no date is asked", async () => {
    expect((await json<RaceDayResponse>("/api/races")).date).toBe(DATE);
  });

  it("refuses a date that is not one, naming the parameter", async () => {
    const body = await json<{ error: string }>("/api/races?date=2025-13-45", 400);
    expect(body.error).toContain("date must be a date YYYY-MM-DD");
  });
});

describe("GET /api/races/:id", () => {
  it("gives the board: odds now, 5 and 15 minutes ago, the move, probability and pool share", async () => {
    const { race, board } = await json<RaceResponse>(`/api/races/${ids.raceId}`);
    expect(race.raceNumber).toBe(3);
    expect(board.fetchedAt).toBe("2025-06-07T16:55:00.000Z");
    expect(board.probabilitySource).toBe("pool");
    expect(board.runners.map((r) => r.programNumber)).toEqual(["1", "1A", "2", "3", "4"]);
    const [one, oneA, two, three, four] = board.runners;
    expect(one).toMatchObject({
      interest: "1",
      winOdds: 0.6,
      oddsText: "3-5",
      morningLineText: "2",
      poolAmount: 5000,
    });
    // 5 minutes before 16:55 is the 16:50 board (4-5); 15 minutes before is 16:40 (EVEN).
    expect(one!.earlier.map((e) => [e.minutesAgo, e.oddsText])).toEqual([
      [5, "4-5"],
      [15, "EVEN"],
    ]);
    // Decimal odds EVEN = 2.0 to 3-5 = 1.6: (1.6 - 2) / 2 = -20%.
    expect(one!.movePercent).toBeCloseTo(-20, 9);
    // Pool shares over the interests (the entry's 5000 counted once): 5000 / 10000 = 0.5.
    expect(one!.probability).toBeCloseTo(0.5, 12);
    expect(oneA!.probability).toBeCloseTo(0.5, 12);
    expect(one!.poolShare).toBeCloseTo(0.5, 12);
    // 2-1 = 3.0 to 9-5 = 2.8: -6.67%; 3000 / 10000 = 0.3.
    expect(two!.horse).toBe(XSS_HORSE);
    expect(two!.movePercent).toBeCloseTo(((2.8 - 3) / 3) * 100, 9);
    expect(two!.probability).toBeCloseTo(0.3, 12);
    // 3-1 = 4.0 to 16-5 = 4.2: +5%; 2000 / 10000 = 0.2.
    expect(four!.movePercent).toBeCloseTo(5, 9);
    expect(four!.probability).toBeCloseTo(0.2, 12);
    expect(three).toMatchObject({ scratched: true, winOdds: null, probability: null, movePercent: null });
    // The steam alert names #1; the exacta overlay names no runner.
    expect(one!.alerts.map((a) => a.alertType)).toEqual(["steam"]);
    expect(oneA!.alerts).toEqual([]);
    expect(four!.alerts).toEqual([]);
  });

  it("answers 404 for an unknown race and 400 for a malformed id", async () => {
    expect((await json<{ error: string }>("/api/races/999999", 404)).error).toBe("no race 999999");
    expect((await json<{ error: string }>("/api/races/abc", 400)).error).toContain("race id");
  });
});

describe("GET /api/races/:id/history", () => {
  it("gives every board as columns: one time axis, odds and pool per runner", async () => {
    const history = await json<RaceHistoryResponse>(`/api/races/${ids.raceId}/history`);
    expect(history.times).toEqual(["16:40", "16:50", "16:55"].map((t) => Date.parse(`${DATE}T${t}:00Z`)));
    expect(history.runners.map((r) => r.programNumber)).toEqual(["1", "1A", "2", "3", "4"]);
    expect(history.odds[0]).toEqual([1, 0.8, 0.6]);
    expect(history.odds[3]).toEqual([null, null, null]);
    expect(history.pool[4]).toEqual([2500, 2300, 2000]);
    expect(history.totalPool).toEqual([10_000, 10_000, 10_000]);
    expect(history.alerts.map((a) => a.alertType).sort()).toEqual(["exacta_overlay", "steam"]);
  });
});

describe("GET /api/races/:id/exacta", () => {
  it("prices every pair by Harville on the win pool and compares the probables", async () => {
    const exacta = await json<ExactaResponse>(`/api/races/${ids.raceId}/exacta`);
    expect(exacta.totalExactaPool).toBe(4000);
    expect(exacta.interests.map((i) => [i.key, i.probability])).toEqual([
      ["1", 0.5],
      ["2", 0.3],
      ["4", 0.2],
    ]);
    const cell = (key: string) => exacta.cells.find((c) => `${c.first}-${c.second}` === key)!;
    expect(exacta.cells).toHaveLength(6);
    // 1-2: P = 0.5 * 0.3 / (1 - 0.5) = 0.3; fair $2 at 20% takeout = 1.6 / 0.3 = 5.333; $6 is +12.5%.
    expect(cell("1-2").fair).toBeCloseTo(1.6 / 0.3, 9);
    expect(cell("1-2").percent).toBeCloseTo(12.5, 9);
    // 2-1: P = 0.3 * 0.5 / 0.7 = 0.2143; fair = 7.467; $10 is +33.9%.
    expect(cell("2-1").percent).toBeCloseTo(((10 - 1.6 / (0.15 / 0.7)) / (1.6 / (0.15 / 0.7))) * 100, 9);
    // 1-4: P = 0.5 * 0.2 / 0.5 = 0.2; fair = 8.00; $12 is +50%.
    expect(cell("1-4")).toMatchObject({ payout: 12, fair: 8, percent: 50 });
    // The exacta_overlay alert on 1-4 is marked on its cell, and only there.
    expect(cell("1-4").alerts.map((a) => a.alertId)).toEqual([ids.overlayAlertId]);
    expect(exacta.cells.filter((c) => c.alerts.length > 0)).toHaveLength(1);
    // 4-1 has no probable: P = 0.2 * 0.5 / 0.8 = 0.125, fair 12.80, nothing to compare.
    expect(cell("4-1").payout).toBeNull();
    expect(cell("4-1").fair).toBeCloseTo(12.8, 9);
  });
});

describe("GET /api/alerts", () => {
  it("lists the day's alerts newest first with their delivery state", async () => {
    const { alerts, types, tracks } = await json<AlertsResponse>(`/api/alerts?date=${DATE}`);
    expect(alerts.map((a) => [a.alertId, a.alertType, a.delivery])).toEqual([
      [ids.overlayAlertId, "exacta_overlay", "failing"],
      [ids.steamAlertId, "steam", "delivered"],
    ]);
    expect(alerts[0]!.deliveries).toEqual([
      expect.objectContaining({
        channel: "email",
        attempts: 1,
        lastError: "connect ECONNREFUSED 127.0.0.1:25",
      }),
    ]);
    expect(types).toEqual(["exacta_overlay", "steam"]);
    expect(tracks).toEqual(["Belmont Test"]);
  });

  it("filters by state, type, track and race, and pages", async () => {
    const ids_ = async (query: string) =>
      (await json<AlertsResponse>(`/api/alerts?${query}`)).alerts.map((a) => a.alertId);
    expect(await ids_("state=failing")).toEqual([ids.overlayAlertId]);
    expect(await ids_("state=delivered")).toEqual([ids.steamAlertId]);
    expect(await ids_("type=steam")).toEqual([ids.steamAlertId]);
    expect(await ids_("state=none")).toEqual([]);
    expect(await ids_("track=Nowhere")).toEqual([]);
    expect(await ids_(`race=${ids.otherRaceId}`)).toEqual([]);
    const first = await json<AlertsResponse>("/api/alerts?limit=1");
    expect(first.nextBefore).toBe(ids.overlayAlertId);
    expect(await ids_(`limit=1&before=${first.nextBefore}`)).toEqual([ids.steamAlertId]);
  });

  it("refuses unknown states and out-of-range limits", async () => {
    expect((await json<{ error: string }>("/api/alerts?state=lost", 400)).error).toContain(
      "state must be one of",
    );
    expect((await json<{ error: string }>("/api/alerts?limit=5000", 400)).error).toContain("at most 1000");
  });
});

describe("pages and headers", () => {
  it("serves page shells with a strict Content-Security-Policy and no feed text in the markup", async () => {
    for (const path of ["/", `/race/${ids.raceId}`, "/alerts"]) {
      const response = await app.request(path);
      expect(response.status).toBe(200);
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe-inline");
      const body = await response.text();
      expect(body).not.toContain("<img");
      expect(body).not.toMatch(/<script>/);
    }
  });

  it("answers only requests naming a loopback host when there is no token (no DNS rebinding)", async () => {
    for (const host of ["127.0.0.1:8080", "localhost:8080", "[::1]:8080", "localhost"]) {
      expect((await app.request("/api/races", { headers: { host } })).status, host).toBe(200);
    }
    for (const host of ["evil.example", "evil.example:8080", "127.0.0.1.evil.example"]) {
      expect((await app.request("/api/races", { headers: { host } })).status, host).toBe(421);
    }
  });

  it("answers HEAD of the event stream with its headers alone", async () => {
    const response = await app.request("/api/events", { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    expect(await response.text()).toBe("");
  });

  it("has no write endpoint: anything but GET is refused", async () => {
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      for (const path of ["/api/races", `/api/races/${ids.raceId}`, "/api/alerts", "/"]) {
        expect((await app.request(path, { method })).status, `${method} ${path}`).toBe(404);
      }
    }
  });

  it("compresses what it can and serves assets with an ETag", async () => {
    const response = await app.request("/assets/app.js", { headers: { "accept-encoding": "gzip" } });
    expect(response.headers.get("content-encoding")).toBe("gzip");
    const etag = response.headers.get("etag")!;
    expect((await app.request("/assets/app.js", { headers: { "if-none-match": etag } })).status).toBe(304);
  });
});

describe("a track's currency (config tracks[].currency)", () => {
  it("is in every race's display: dollars by default, pounds where configured", async () => {
    const day = await json<RaceDayResponse>(`/api/races?date=${DATE}`);
    expect(day.races.map((race) => race.display.currency)).toEqual(["USD", "USD"]);
    const sterling = createDashboardApp({
      live,
      assets: await buildAssets(),
      boards: new Map([[TRACK, { oddsFormat: "odds_to_one", dividendUnit: 1, currency: "GBP" }]]),
      now: () => new Date("2025-06-10T12:00:00Z"),
    });
    const response = await sterling.request(`/api/races?date=${DATE}`);
    const races = ((await response.json()) as RaceDayResponse).races;
    expect(races.map((race) => race.display.currency)).toEqual(["GBP", "GBP"]);
    const race = (await (await sterling.request(`/api/races/${ids.raceId}`)).json()) as RaceResponse;
    expect(race.race.display).toEqual({ oddsFormat: "odds_to_one", dividendUnit: 1, currency: "GBP" });
  });
});
