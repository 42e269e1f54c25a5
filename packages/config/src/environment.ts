/**
 * The environment variables Totewatch reads, all in this package (no other
 * package reads process.env outside tests):
 *
 * - TOTEWATCH_CONFIG: the config file (loadConfig).
 * - DATABASE_URL: the database, over the config file's (loadConfig).
 * - INIT_CWD: the folder the user ran `pnpm ...` in (userCwd).
 * - NO_COLOR: no ANSI colours in the human log format (createLogger).
 * - TOTEWATCH_CHROMIUM: the Chromium of `render: browser` endpoints (chromiumPath).
 * - any `${NAME}` a config file's values reference (parseConfig, expand-env.ts).
 */
import { absoluteDatabaseUrl } from "./database-url.js";

/**
 * The folder the user ran the command in, where the paths they type start:
 * pnpm runs a workspace script inside its package folder but records the
 * user's folder in INIT_CWD; without pnpm that is process.cwd().
 */
export function userCwd(env: NodeJS.ProcessEnv = process.env): string {
  return env.INIT_CWD || process.cwd();
}

/** NO_COLOR (https://no-color.org): set to anything but "" means no ANSI colours. */
export function colorsForbidden(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.NO_COLOR);
}

/**
 * DATABASE_URL alone, made absolute against userCwd, or undefined when unset: no config file is
 * read. For the Prisma CLI child that migrateDatabase points at one file this way, which must not
 * depend on whatever ./totewatch.yaml (or TOTEWATCH_CONFIG) the user's folder happens to hold.
 * Throws ConfigError for a url that is not a SQLite file (a `postgres://...`, a path under /proc).
 */
export function databaseUrlFromEnvironment(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = env.DATABASE_URL?.trim();
  return url ? absoluteDatabaseUrl(url, userCwd(env), "DATABASE_URL") : undefined;
}

/** Debian's Chromium, which setup installs (scripts/install-browser.sh). */
export const DEBIAN_CHROMIUM = "/usr/bin/chromium";

/**
 * How Totewatch starts Chromium (a `render: browser` page, the dashboard's browser tests): quiet
 * and offline, as ../shared/BROWSER.md verified. This machine's network is closed, and Chromium's
 * background fetches would fill the log with refused connections; no sandbox is needed as root.
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/** The Chromium binary a page is rendered with: TOTEWATCH_CHROMIUM, else Debian's. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.TOTEWATCH_CHROMIUM?.trim() || DEBIAN_CHROMIUM;
}
