/**
 * Live updates: the one EventSource on /api/events, the #live-status line
 * ("● Live" / "Stale — last update 1 min ago" / "Reconnecting…"), the
 * once-a-second clock that redraws countdowns, and the debounced refresher
 * pages use so a burst of change events costs one refetch.
 *
 * No lost commits: the server subscribes a stream before it sends `hello`,
 * so a page opens the stream first and fetches only after that hello (or
 * after HELLO_WAIT_MS, if it is slow); every later hello (the browser's
 * reconnect, our reopen after it gave up, a page restored from the
 * back/forward cache) reaches the handlers as "reload everything shown".
 */
import type { ChangeEvent } from "../api/types.js";
import { h } from "./dom.js";
import { ago, countdown } from "./format.js";

/** Quiet for longer than this (the server pings every 15 s) and the page says it is stale. */
const STALE_AFTER_MS = 40_000;
/** A stream the browser gave up on (a non-200 answer) is reopened after this, doubling to the cap. */
const REOPEN_MIN_MS = 5_000;
const REOPEN_MAX_MS = 60_000;
/** The first fetch waits at most this long for the stream's hello (a proxy may hold the stream back). */
const HELLO_WAIT_MS = 2_000;

export type ChangeHandler = (change: ChangeEvent) => void;

type LiveState = "connecting" | "live" | "stale" | "down";

let source: EventSource | null = null;
let lastEventAt = 0;
let reopenDelay = REOPEN_MIN_MS;
let reopenTimer: number | undefined;
const handlers: ChangeHandler[] = [];
/** Resolves the promise startLive returned (the page may fetch); null once it has. */
let releaseFirstFetch: (() => void) | null = null;
let firstFetch: Promise<void> | null = null;

function statusElement(): HTMLElement | null {
  return document.getElementById("live-status");
}

function setStatus(state: LiveState, text: string): void {
  const el = statusElement();
  if (!el) return;
  // Only touch the DOM on a change: the region is aria-live and would be re-announced.
  if (el.textContent !== text) el.textContent = text;
  if (el.dataset.state !== state) {
    el.dataset.state = state;
    el.classList.remove("connecting", "live", "stale", "down");
    el.classList.add(state);
  }
}

function refreshStatus(now: number): void {
  if (!source) return;
  if (source.readyState === EventSource.CONNECTING) {
    setStatus("down", "Reconnecting…");
  } else if (source.readyState === EventSource.CLOSED) {
    setStatus("down", "Disconnected — retrying");
  } else if (now - lastEventAt <= STALE_AFTER_MS) {
    setStatus("live", "● Live");
  } else {
    setStatus("stale", `Stale — last update ${ago(lastEventAt, now)}`);
  }
}

function emit(change: ChangeEvent): void {
  for (const handler of handlers) {
    try {
      handler(change);
    } catch {
      // One page part failing to schedule a refresh must not stop the others.
    }
  }
}

function parseChange(data: string): ChangeEvent | null {
  try {
    const value = JSON.parse(data) as Partial<ChangeEvent>;
    return {
      raceIds: Array.isArray(value.raceIds) ? value.raceIds.filter((id) => typeof id === "number") : [],
      alerts: value.alerts === true,
      all: value.all === true,
      at: typeof value.at === "string" ? value.at : new Date().toISOString(),
    };
  } catch {
    return null;
  }
}

/** Lets the page's first fetch go; true if it was still waiting. */
function release(): boolean {
  const waiting = releaseFirstFetch;
  releaseFirstFetch = null;
  waiting?.();
  return waiting !== null;
}

function everything(): ChangeEvent {
  return { raceIds: [], alerts: true, all: true, at: new Date().toISOString() };
}

function open(): void {
  const es = new EventSource("/api/events");
  source = es;
  setStatus("connecting", "Connecting…");
  es.addEventListener("open", () => {
    lastEventAt = Date.now();
    reopenDelay = REOPEN_MIN_MS;
    refreshStatus(lastEventAt);
  });
  // "hello" opens each stream once the server has subscribed it: what the page fetches after it
  // cannot miss a commit. The first one lets the page's first fetch go; any later one (a
  // reconnect, whose gap nothing else vouches for) reloads everything shown.
  es.addEventListener("hello", () => {
    lastEventAt = Date.now();
    refreshStatus(lastEventAt);
    if (!release()) emit(everything());
  });
  // "ping" keeps the stream alive: it only says the server is there.
  es.addEventListener("ping", () => {
    lastEventAt = Date.now();
    refreshStatus(lastEventAt);
  });
  es.addEventListener("change", (event) => {
    lastEventAt = Date.now();
    refreshStatus(lastEventAt);
    const change = parseChange((event as MessageEvent<string>).data);
    if (change) emit(change);
  });
  es.addEventListener("error", () => {
    refreshStatus(Date.now());
    // No stream for now: the page loads without waiting (its first hello will reload it).
    release();
    // CONNECTING: the browser retries by itself (with Last-Event-ID). CLOSED: it gave up; we reopen.
    if (es.readyState === EventSource.CLOSED && reopenTimer === undefined) {
      reopenTimer = window.setTimeout(() => {
        reopenTimer = undefined;
        if (source === es) open();
      }, reopenDelay);
      reopenDelay = Math.min(reopenDelay * 2, REOPEN_MAX_MS);
    }
  });
}

/** How long a hidden tab keeps its stream (a quick look at another tab costs no reload). */
const HIDDEN_CLOSE_MS = 10_000;
let hiddenTimer: number | undefined;

function close(): void {
  source?.close();
  window.clearTimeout(reopenTimer);
  reopenTimer = undefined;
}

/**
 * Opens the stream (once per page) and calls `handler` with every change
 * event. Resolves when the page may do its first fetch: once the server has
 * subscribed the stream (its first hello), or after HELLO_WAIT_MS, or at once
 * where there is no stream. Changes that arrive before the page can render
 * them must be kept (createRefresher does, until started).
 */
export function startLive(handler: ChangeHandler): Promise<void> {
  handlers.push(handler);
  if (firstFetch) return firstFetch;
  if (typeof EventSource === "undefined") return (firstFetch = Promise.resolve());
  firstFetch = new Promise<void>((resolve) => {
    releaseFirstFetch = resolve;
  });
  window.setTimeout(release, HELLO_WAIT_MS);
  open();
  // Closing on pagehide keeps Chromium from logging an aborted request as an error, and lets
  // the page into the back/forward cache; a page restored from it reopens (its hello reloads it).
  window.addEventListener("pagehide", close);
  window.addEventListener("pageshow", (event) => {
    if (event.persisted && source?.readyState === EventSource.CLOSED) {
      reopenDelay = REOPEN_MIN_MS;
      open();
    }
  });
  // A browser allows six connections to one server: six open tabs each holding a stream would
  // leave none for fetches. A tab hidden for a while gives its stream up; shown again, it reopens
  // and its hello reloads what it shows.
  document.addEventListener("visibilitychange", () => {
    window.clearTimeout(hiddenTimer);
    if (document.hidden) {
      hiddenTimer = window.setTimeout(close, HIDDEN_CLOSE_MS);
    } else if (source !== null && source.readyState === EventSource.CLOSED) {
      reopenDelay = REOPEN_MIN_MS;
      open();
    }
  });
  return firstFetch;
}

/** Closes the stream for good and clears the status line (a page that could not load at all). */
export function stopLive(): void {
  close();
  source = null;
  release();
  const el = statusElement();
  if (el) {
    el.textContent = "";
    delete el.dataset.state;
    el.classList.remove("connecting", "live", "stale", "down");
  }
}

/** Redraws every `[data-countdown]` element (attributes: data-status, data-post, data-off). */
function tickCountdowns(now: number): void {
  for (const el of document.querySelectorAll<HTMLElement>("[data-countdown]")) {
    const text = countdown(el.dataset.status ?? "", el.dataset.post || null, el.dataset.off || null, now);
    if (el.textContent !== text) el.textContent = text;
  }
}

/** A countdown the page clock keeps current ("MTP 7", "4:32", "off", "official"). */
export function countdownSpan(
  status: string,
  postTime: string | null,
  offAt: string | null,
): HTMLSpanElement {
  return h(
    "span",
    {
      class: "countdown",
      "data-countdown": "",
      "data-status": status,
      "data-post": postTime ?? "",
      "data-off": offAt ?? "",
    },
    countdown(status, postTime, offAt, Date.now()),
  );
}

let clockStarted = false;

/** One timer for the whole page: countdowns every second, the live status with them. */
export function startClock(): void {
  if (clockStarted) return;
  clockStarted = true;
  const tick = (): void => {
    const now = Date.now();
    tickCountdowns(now);
    refreshStatus(now);
  };
  tick();
  window.setInterval(tick, 1000);
}

export interface Refresher<F extends Record<string, boolean>> {
  /** Asks for a refetch of the flagged parts (merged with any request not yet run). */
  request(flags: Partial<F>): void;
  /** From now on requests run `run`; those made before (while the page first loaded) run now. */
  start(run: (flags: F) => Promise<void>): void;
}

/**
 * Debounces and serialises a page's refetches: requests within `delayMs` merge
 * (their flags or'ed), and a request arriving while one runs waits for it, so
 * responses never land out of order. Requests made before start() are kept.
 */
export function createRefresher<F extends Record<string, boolean>>(delayMs = 150): Refresher<F> {
  let run: ((flags: F) => Promise<void>) | null = null;
  let pending: Partial<F> | null = null;
  let timer: number | undefined;
  let running = false;

  const schedule = (): void => {
    if (run && pending && timer === undefined && !running)
      timer = window.setTimeout(() => void fire(), delayMs);
  };

  const fire = async (): Promise<void> => {
    timer = undefined;
    if (running || !pending || !run) return;
    const flags = pending as F;
    pending = null;
    running = true;
    try {
      await run(flags);
    } catch {
      // run() reports its own failures on the page; a throw here must not become unhandled.
    } finally {
      running = false;
      schedule();
    }
  };

  return {
    request(flags) {
      const merged: Record<string, boolean> = {};
      for (const [key, value] of Object.entries(pending ?? {})) merged[key] = value === true;
      for (const [key, value] of Object.entries(flags)) merged[key] = merged[key] === true || value === true;
      pending = merged as Partial<F>;
      schedule();
    },
    start(runner) {
      run = runner;
      schedule();
    },
  };
}
