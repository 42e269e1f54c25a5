/**
 * The pages in a real browser (Debian's Chromium through playwright-core) on
 * a real server on 127.0.0.1 over the hand-made race day of test/race-day.ts:
 * each page loads with no console error, the board shows the right runners
 * and odds, a board committed while the page is open appears without a
 * reload, a horse named like markup is shown as text, and a token-protected
 * server sends a browser to its login. Each page is saved as a screenshot
 * (desktop and phone width) under apps/dashboard/screenshots.
 */
import { createLogger, parseConfig } from "@totewatch/config";
import { createDb, type Db } from "@totewatch/db";
import { freshTestDatabaseUrl } from "@totewatch/test-utils";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDashboard, type RunningDashboard } from "./serve.js";
import { launchChromium, openPage, screenshot } from "../test/browser.js";
import { DATE, XSS_HORSE, writeBoard, writeRaceDay, type RaceDayIds } from "../test/race-day.js";

const config = parseConfig("", "<test>");
const logger = createLogger({ name: "test", level: "silent" });
const TOKEN = "browser-test-token-0123456789";
const PHONE = { width: 390, height: 844 };

let browser: Browser;
let writer: Db;
let running: RunningDashboard;
let guarded: RunningDashboard;
let ids: RaceDayIds;

beforeAll(async () => {
  const url = await freshTestDatabaseUrl("dashboard-browser");
  writer = createDb({ url });
  ids = await writeRaceDay(writer);
  running = await startDashboard({ databaseUrl: url, host: "127.0.0.1", port: 0, config, logger });
  guarded = await startDashboard({
    databaseUrl: url,
    host: "127.0.0.1",
    port: 0,
    config,
    logger,
    token: TOKEN,
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await running?.close();
  await guarded?.close();
  await writer?.close();
});

describe("the pages in Chromium", { timeout: 60_000 }, () => {
  it("race day: both races listed with the favourite and pools, no console error", async () => {
    for (const [name, size] of [
      ["day", undefined],
      ["day-phone", PHONE],
    ] as const) {
      const { page, errors } = await openPage(browser, size);
      await page.goto(`${running.url}?date=${DATE}`);
      await page.waitForSelector(`table.races tr[data-race-id="${ids.otherRaceId}"]`);
      const row = page.locator(`table.races tr[data-race-id="${ids.raceId}"]`);
      // Favourite #1 Alpha at 3-5; win pool 5000 + 3000 + 2000 = $10,000.
      await expect.poll(() => row.innerText()).toContain("Alpha");
      expect(await row.innerText()).toContain("3-5");
      expect(await row.innerText()).toContain("$10,000");
      await screenshot(page, name);
      expect(errors).toEqual([]);
      await page.context().close();
    }
  });

  it("race page: board, charts and exacta grid; the markup-named horse is text", async () => {
    for (const [name, size] of [
      ["race", undefined],
      ["race-phone", PHONE],
    ] as const) {
      const { page, errors, dialogs } = await openPage(browser, size);
      await page.goto(`${running.url}race/${ids.raceId}`);
      await page.waitForSelector('#board[data-board-fetched-at="2025-06-07T16:55:00.000Z"]');
      const programs = await page
        .locator("#board tbody tr")
        .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-program")));
      expect(programs).toEqual(["1", "1A", "2", "3", "4"]);
      const odds = await page.locator("#board tbody tr td.odds").allInnerTexts();
      // 1 and 1A (one entry) at 3-5, 2 at 9-5, 3 scratched, 4 at 3.2-1 (16-5 is no rung of a US
      // board, so it is shown exact rather than rounded to 3).
      expect(odds.map((text) => text.trim())).toEqual(["3-5", "3-5", "9-5", "SCR", "3.2-1"]);
      const xssRow = page.locator('#board tr[data-program="2"]');
      expect(await xssRow.innerText()).toContain(XSS_HORSE);
      expect(await page.locator("#board img").count()).toBe(0);
      expect(await page.locator('#board tr[data-program="3"]').innerText()).toContain("SCR");
      await page.waitForSelector("#odds-chart canvas");
      await page.waitForSelector("#flow-chart canvas");
      await page.waitForSelector("#exacta td");
      // 1-4: $12.00 against a fair $8.00 (+50%).
      expect(await page.locator("#exacta").innerText()).toContain("$12.00");
      await page.waitForSelector("#alerts tbody tr");
      expect(await page.locator("#alerts tbody tr").count()).toBe(2);
      await expect.poll(() => page.locator("#live-status").innerText()).toContain("Live");
      await screenshot(page, name);
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
      await page.context().close();
    }
  });

  it("a board committed while the race page is open shows without a reload", async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${running.url}race/${ids.raceId}`);
    await page.waitForSelector('#board[data-board-fetched-at="2025-06-07T16:55:00.000Z"]');
    await expect.poll(() => page.locator("#live-status").innerText()).toContain("Live");
    // A reload would drop this mark.
    await page.evaluate(() => Object.assign(globalThis, { stillTheSamePage: true }));
    await writeBoard(writer, new Date("2025-06-07T16:59:00Z"), [0.4, 2, 4, 6000, 2500, 1500]);
    await page.waitForSelector('#board[data-board-fetched-at="2025-06-07T16:59:00.000Z"]', { timeout: 5000 });
    // 0.4 is 2-5 on a US board.
    expect((await page.locator('#board tr[data-program="1"] td.odds').innerText()).trim()).toBe("2-5");
    expect(await page.evaluate(() => (globalThis as { stillTheSamePage?: boolean }).stillTheSamePage)).toBe(
      true,
    );
    await screenshot(page, "race-after-update");
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("a board committed while the page is still connecting its event stream is not lost", async () => {
    const { page, errors } = await openPage(browser);
    // Hold the stream back 1.5 s: the board below is committed before the page can hear of it.
    await page.route("**/api/events", async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.continue();
    });
    await page.goto(`${running.url}race/${ids.raceId}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await writeBoard(writer, new Date("2025-06-07T17:01:00Z"), [0.4, 2, 4, 6100, 2400, 1500]);
    await page.waitForSelector('#board[data-board-fetched-at="2025-06-07T17:01:00.000Z"]', { timeout: 8000 });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("alerts page: the log, and the failing filter", async () => {
    for (const [name, size] of [
      ["alerts", undefined],
      ["alerts-phone", PHONE],
    ] as const) {
      const { page, errors } = await openPage(browser, size);
      await page.goto(`${running.url}alerts?date=${DATE}`);
      await page.waitForSelector("#alerts tbody tr");
      expect(await page.locator("#alerts tbody tr").count()).toBe(2);
      await screenshot(page, name);
      await page.goto(`${running.url}alerts?date=${DATE}&state=failing`);
      await page.waitForSelector("#alerts tbody tr");
      const rows = page.locator("#alerts tbody tr");
      expect(await rows.count()).toBe(1);
      expect(await rows.innerText()).toContain("ECONNREFUSED");
      expect(errors).toEqual([]);
      await page.context().close();
    }
  });

  it("a token-protected dashboard sends the browser to its login, and lets it in with the token", async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${guarded.url}race/${ids.raceId}`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await screenshot(page, "login");
    await page.fill("#token", "wrong-token-000000000000");
    await page.click("button[type=submit]");
    expect(await page.locator("[role=alert]").innerText()).toContain("not this dashboard's token");
    await page.fill("#token", TOKEN);
    await page.click("button[type=submit]");
    await page.waitForSelector("#board tbody tr");
    expect(new URL(page.url()).pathname).toBe(`/race/${ids.raceId}`);
    // The failed login's 401 is the one console line a browser logs for it.
    expect(errors.filter((error) => !error.includes("401"))).toEqual([]);
    expect((await fetch(`${guarded.url}api/races`)).status).toBe(401);
    await page.context().close();
  });
});
