/**
 * The dashboard's browser entry (bundled to /assets/app.js): picks the page
 * from <body data-page> and starts it, and the one-second clock that keeps
 * countdowns and the live status current. Each page owns its fetching,
 * rendering and live refreshes; a page that fails to start says so in #main.
 */
import { describeError } from "./api.js";
import { startAlertsPage } from "./alerts.js";
import { startDayPage } from "./day.js";
import { showPageError } from "./dom.js";
import { startClock } from "./live.js";
import { startRacePage } from "./race.js";

const PAGES: Record<string, () => Promise<void>> = {
  day: startDayPage,
  race: startRacePage,
  alerts: startAlertsPage,
};

function start(): void {
  const page = document.body.dataset.page ?? "";
  const run = PAGES[page];
  if (!run) {
    showPageError("Unknown page", `This page (data-page="${page}") has no script.`);
    return;
  }
  startClock();
  // Pages catch what they expect (HTTP errors); this catches the rest so nothing escapes uncaught.
  run().catch((error: unknown) => showPageError("Something went wrong", describeError(error)));
}

// A module script runs after parsing, but guard in case the shell ever loads it async.
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
else start();
