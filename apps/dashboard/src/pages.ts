/**
 * The HTML the server sends: the same shell for every page (the browser code
 * in src/client reads `data-page` and fills <main> from the API), and the
 * login form. No data from the database is ever written into this markup,
 * and every value that is written goes through hono/html's escaping.
 */
import { html } from "hono/html";

export type PageName = "day" | "race" | "alerts";

const TITLES: Record<PageName, string> = { day: "Race day", race: "Race", alerts: "Alerts" };

const head = (title: string) =>
  html`<meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title} · Totewatch</title>
    <link rel="stylesheet" href="/assets/uplot.css" />
    <link rel="stylesheet" href="/assets/app.css" />`;

/** A page shell: the browser code renders into <main>. */
export function pageShell(page: PageName, options: { raceId?: number } = {}) {
  return html`<!doctype html>
    <html lang="en">
      <head>
        ${head(TITLES[page])}
        <script type="module" src="/assets/app.js"></script>
      </head>
      <body
        data-page="${page}"
        ${options.raceId === undefined ? "" : html` data-race-id="${String(options.raceId)}"`}
      >
        <header class="top">
          <a class="brand" href="/">Totewatch</a>
          <nav><a href="/">Race day</a><a href="/alerts">Alerts</a></nav>
          <span id="live-status" role="status" aria-live="polite"></span>
        </header>
        <main id="main">
          <noscript
            >This dashboard needs JavaScript; the same data is at
            <a href="/api/races">/api/races</a>.</noscript
          >
        </main>
      </body>
    </html>`;
}

export function loginPage(options: { next: string; failed?: boolean }) {
  return html`<!doctype html>
    <html lang="en">
      <head>
        ${head("Log in")}
      </head>
      <body data-page="login">
        <header class="top"><span class="brand">Totewatch</span></header>
        <main id="main" class="login">
          <h1>Log in</h1>
          ${options.failed ? html`<p class="error" role="alert">That is not this dashboard's token.</p>` : ""}
          <form method="post" action="/login">
            <label for="token">Dashboard token</label>
            <input
              id="token"
              name="token"
              type="password"
              autocomplete="current-password"
              required
              autofocus
            />
            <input type="hidden" name="next" value="${options.next}" />
            <button type="submit">Log in</button>
          </form>
          <p>The token is <code>dashboard.token</code> in the configuration.</p>
        </main>
      </body>
    </html>`;
}
