/**
 * Debian's Chromium driven by playwright-core, for the dashboard's browser
 * tests and benchmark (no browser download: ../shared/BROWSER.md). A page
 * opened here records every console error and uncaught exception, so a test
 * can assert there were none; screenshots go to apps/dashboard/screenshots
 * (git-ignored) for a person to look at.
 */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { CHROMIUM_FLAGS } from "@totewatch/config";
import { testEngine } from "@totewatch/test-utils";

export const CHROMIUM = process.env.TOTEWATCH_CHROMIUM ?? "/usr/bin/chromium";
export const SCREENSHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "screenshots");

const FLAGS = [...CHROMIUM_FLAGS];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: the dashboard's browser tests need it. ` +
        "Install it with `apt-get install -y chromium` (npm run setup does this as root) or set TOTEWATCH_CHROMIUM.",
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

export interface WatchedPage {
  page: Page;
  /** Console errors and uncaught exceptions so far, as text. */
  errors: string[];
  /** Alert/confirm dialogs opened (an injected script would open one). */
  dialogs: string[];
}

/** A new page (its own context: no shared cookies) that records errors and dialogs. */
export async function openPage(
  browser: Browser,
  options: { width?: number; height?: number } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`page: ${error.message}`));
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return { page, errors, dialogs };
}

/** Saves a full-page screenshot as screenshots/<name>.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  // The run on PostgreSQL keeps its own, beside SQLite's (one look at each engine's pages).
  const folder = testEngine() === "postgres" ? path.join(SCREENSHOTS, "postgres") : SCREENSHOTS;
  mkdirSync(folder, { recursive: true });
  const file = path.join(folder, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
