/**
 * Live updates: the one EventSource on /api/events, the #live-status line
 * ("● Live" / "Stale — last update 1 min ago" / "Reconnecting…"), the
 * once-a-second clock that redraws countdowns, and the debounced refresher
 * pages use so a burst of change events costs one refetch.
 */
import type { ChangeEvent } from "../api/types.js";
import { h } from "./dom.js";
import { ago, countdown } from "./format.js";

/** Quiet for longer than this (the server pings every 15 s) and the page says it is stale. */
const STALE_AFTER_MS = 40_000;
/** A stream the browser gave up on (a non-200 answer) is reopened after this, doubling to the cap. */
const REOPEN_MIN_MS = 5_000;
const REOPEN_MAX_MS = 60_000;

export type ChangeHandler = (change: ChangeEvent) => void;

type LiveState = "connecting" | "live" | "stale" | "down";

let source: EventSource | null = null;
let lastEventAt = 0;
let reopenDelay = REOPEN_MIN_MS;
let reopenTimer: number | undefined;
const handlers: ChangeHandler[] = [];

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

function open(resync: boolean): void {
  const es = new EventSource("/api/events");
  source = es;
  setStatus("connecting", "Connecting…");
  es.addEventListener("open", () => {
    lastEventAt = Date.now();
    reopenDelay = REOPEN_MIN_MS;
    refreshStatus(lastEventAt);
    // A new EventSource sends no Last-Event-ID, so whatever changed while closed is unknown: refetch all.
    if (resync) emit({ raceIds: [], alerts: true, all: true, at: new Date().toISOString() });
    resync = false;
  });
  // "hello" opens each stream, "ping" keeps it alive: both only say the server is there.
  for (const name of ["hello", "ping"]) {
    es.addEventListener(name, () => {
      lastEventAt = Date.now();
      refreshStatus(lastEventAt);
    });
  }
  es.addEventListener("change", (event) => {
    lastEventAt = Date.now();
    refreshStatus(lastEventAt);
    const change = parseChange((event as MessageEvent<string>).data);
    if (change) emit(change);
  });
  es.addEventListener("error", () => {
    refreshStatus(Date.now());
    // CONNECTING: the browser retries by itself (with Last-Event-ID). CLOSED: it gave up; we reopen.
    if (es.readyState === EventSource.CLOSED && reopenTimer === undefined) {
      reopenTimer = window.setTimeout(() => {
        reopenTimer = undefined;
        if (source === es) open(true);
      }, reopenDelay);
      reopenDelay = Math.min(reopenDelay * 2, REOPEN_MAX_MS);
    }
  });
}

/** Starts the stream (once per page) and calls `handler` with every change event. */
export function startLive(handler: ChangeHandler): void {
  handlers.push(handler);
  if (source || typeof EventSource === "undefined") return;
  open(false);
  // Closing on unload keeps Chromium from logging an aborted request as an error.
  window.addEventListener("pagehide", () => source?.close());
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

/**
 * Debounces and serialises a page's refetches: requests within `delayMs` merge
 * (their flags or'ed), and a request arriving while one runs waits for it, so
 * responses never land out of order.
 */
export function createRefresher<F extends Record<string, boolean>>(
  run: (flags: F) => Promise<void>,
  delayMs = 150,
): (flags: Partial<F>) => void {
  let pending: Partial<F> | null = null;
  let timer: number | undefined;
  let running = false;

  const fire = async (): Promise<void> => {
    timer = undefined;
    if (running || !pending) return;
    const flags = pending as F;
    pending = null;
    running = true;
    try {
      await run(flags);
    } catch {
      // run() reports its own failures on the page; a throw here must not become unhandled.
    } finally {
      running = false;
      if (pending && timer === undefined) timer = window.setTimeout(() => void fire(), delayMs);
    }
  };

  return (flags) => {
    const merged: Record<string, boolean> = {};
    for (const [key, value] of Object.entries(pending ?? {})) merged[key] = value === true;
    for (const [key, value] of Object.entries(flags)) merged[key] = merged[key] === true || value === true;
    pending = merged as Partial<F>;
    if (timer === undefined && !running) timer = window.setTimeout(() => void fire(), delayMs);
  };
}
