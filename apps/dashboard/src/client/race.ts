/**
 * The race page (data-page="race", data-race-id): fetches the race and board,
 * its history, the exacta grid and its alerts, lays out the page once, and
 * re-renders each part in place on change events (a change naming this race
 * refetches everything; an alerts-only change refetches the alerts).
 */
import type { AlertsResponse, ExactaResponse, RaceHistoryResponse, RaceResponse } from "../api/types.js";
import {
  ApiError,
  describeError,
  fetchAlerts,
  fetchExacta,
  fetchHistory,
  fetchRace,
  queryString,
} from "./api.js";
import { alertsTable } from "./alerts-table.js";
import {
  h,
  mainElement,
  markUpdated,
  note,
  setRefreshError,
  showPageError,
  swapChildren,
  tableWrap,
} from "./dom.js";
import { renderExacta } from "./exacta.js";
import { clockTime, clockTimeSeconds, dateLabel, money, zoneName } from "./format.js";
import { countdownSpan, createRefresher, startLive, stopLive } from "./live.js";
import { renderBoard } from "./race-board.js";
import { RaceCharts } from "./race-charts.js";

/** How many of the race's alerts its table lists (the server links board badges to as many). */
const RACE_ALERTS = 200;

interface RaceView {
  head: HTMLElement;
  error: HTMLElement;
  board: HTMLTableElement;
  charts: RaceCharts;
  exacta: HTMLTableElement;
  exactaLegend: HTMLElement;
  alerts: HTMLElement;
  /** The track's zone, for the parts rendered without the race (alerts, exacta). */
  timeZone: string;
  /** The race's track's currency (its display), for the exacta grid's payouts. */
  currency: string;
}

/** A dt/dd pair, grouped in a div (valid inside dl) so the pair wraps as one. */
function fact(label: string, ...value: Array<Node | string>): HTMLElement {
  return h("div", { class: "fact" }, h("dt", null, label), h("dd", null, ...value));
}

function renderHead(view: RaceView, data: RaceResponse): void {
  const race = data.race;
  const title = `${race.track} — Race ${race.raceNumber}`;
  document.title = `${title} · Totewatch`;
  const post = race.postTime
    ? `${clockTime(race.postTime, race.timezone)} ${zoneName(race.postTime, race.timezone)}`
    : "—";
  swapChildren(
    view.head,
    h(
      "p",
      { class: "crumbs" },
      h("a", { href: `/${queryString({ date: race.raceDate })}` }, `← ${race.raceDate} race day`),
    ),
    h("h1", null, title),
    h(
      "dl",
      { class: "facts" },
      fact("Date", dateLabel(race.raceDate)),
      fact("Post", post),
      fact("To post", countdownSpan(race.status, race.postTime, race.offAt)),
      fact("Status", h("span", { class: `status status-${race.status}` }, race.status)),
      race.offAt ? fact("Off", clockTimeSeconds(race.offAt, race.timezone)) : null,
      fact("Runners", `${race.runners}${race.scratched ? ` (${race.scratched} scratched)` : ""}`),
      fact("Win pool", money(race.totalWinPool, race.display.currency)),
      fact("Exacta pool", money(race.totalExactaPool, race.display.currency)),
    ),
  );
}

function renderAlerts(view: RaceView, data: AlertsResponse): void {
  swapChildren(
    view.alerts,
    tableWrap("alerts", alertsTable(data.alerts, { caption: "Alerts raised on this race", withRace: false })),
  );
}

function layout(raceId: string): RaceView {
  const view: RaceView = {
    head: h("header", { class: "race-head" }),
    error: h("div", { class: "refresh-error" }),
    board: h("table", { id: "board", class: "board" }),
    charts: new RaceCharts(),
    exacta: h("table", { id: "exacta", class: "exacta" }),
    exactaLegend: h("div", { class: "exacta-legend-slot" }),
    alerts: h("div", { class: "race-alerts" }),
    timeZone: "UTC",
    currency: "USD",
  };
  swapChildren(
    mainElement(),
    h(
      "article",
      { class: "race", "data-race-id": raceId },
      view.head,
      view.error,
      h(
        "section",
        { "aria-labelledby": "board-heading" },
        h("h2", { id: "board-heading" }, "Win board"),
        tableWrap("board", view.board),
      ),
      view.charts.element,
      h(
        "section",
        { "aria-labelledby": "exacta-heading" },
        h("h2", { id: "exacta-heading" }, "Exacta value"),
        view.exactaLegend,
        tableWrap("exacta", view.exacta),
      ),
      h(
        "section",
        { "aria-labelledby": "alerts-heading" },
        h("h2", { id: "alerts-heading" }, "Alerts"),
        view.alerts,
      ),
    ),
  );
  return view;
}

type Settled<T> = PromiseSettledResult<T>;

/** A promise that never rejects: its outcome, so one failed part does not sink the others. */
function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ status: "fulfilled", value }),
    (reason: unknown) => ({ status: "rejected", reason }),
  );
}

/** Renders whatever arrived; returns the failures as "part: message" for the error line. */
function renderParts(
  view: RaceView,
  parts: {
    race?: Settled<RaceResponse>;
    history?: Settled<RaceHistoryResponse>;
    exacta?: Settled<ExactaResponse>;
    alerts?: Settled<AlertsResponse>;
  },
): string[] {
  const failures: string[] = [];
  const failed = (name: string, result: PromiseRejectedResult): void => {
    failures.push(`${name}: ${describeError(result.reason)}`);
  };
  if (parts.race?.status === "fulfilled") {
    view.timeZone = parts.race.value.race.timezone;
    view.currency = parts.race.value.race.display.currency;
    renderHead(view, parts.race.value);
    renderBoard(view.board, parts.race.value);
  } else if (parts.race) failed("board", parts.race);
  if (parts.history?.status === "fulfilled") view.charts.update(parts.history.value, view.timeZone);
  else if (parts.history) failed("history", parts.history);
  if (parts.exacta?.status === "fulfilled") {
    renderExacta(view.exacta, view.exactaLegend, parts.exacta.value, view.timeZone, view.currency);
  } else if (parts.exacta) failed("exacta", parts.exacta);
  if (parts.alerts?.status === "fulfilled") renderAlerts(view, parts.alerts.value);
  else if (parts.alerts) failed("alerts", parts.alerts);
  return failures;
}

/** The element the URL's fragment names (#alert-12), or null; a malformed fragment names none. */
function fragmentTarget(): HTMLElement | null {
  if (location.hash.length <= 1) return null;
  try {
    return document.getElementById(decodeURIComponent(location.hash.slice(1)));
  } catch {
    return null;
  }
}

export async function startRacePage(): Promise<void> {
  const raceId = document.body.dataset.raceId ?? "";
  if (!/^\d+$/.test(raceId)) {
    showPageError("No such race", "This page's address names no race.");
    return;
  }
  swapChildren(mainElement(), note("Loading the race…"));
  // Board badges link to #alert-N of the newest 200 alerts of the race: the table must hold them all.
  const fetchRaceAlerts = () => fetchAlerts({ race: raceId, limit: RACE_ALERTS });
  const fetchRest = () => Promise.allSettled([fetchHistory(raceId), fetchExacta(raceId), fetchRaceAlerts()]);

  // The stream first: a commit after its hello is announced, so the fetches below miss none.
  const refresh = createRefresher<{ board: boolean; alerts: boolean }>();
  const id = Number(raceId);
  await startLive((change) => {
    if (change.all || change.raceIds.includes(id)) refresh.request({ board: true, alerts: true });
    else if (change.alerts) refresh.request({ alerts: true });
  });

  // The race first, alone: an unknown race is one 404 (one console line), not four.
  let race: RaceResponse;
  try {
    race = await fetchRace(raceId);
  } catch (reason) {
    stopLive();
    const missing = reason instanceof ApiError && reason.status === 404;
    showPageError(missing ? `Race ${raceId} not found` : "Could not load the race", describeError(reason));
    return;
  }
  const view = layout(raceId);
  // The board shows as soon as it is here; charts, grid and alerts follow.
  renderParts(view, { race: { status: "fulfilled", value: race } });
  const [history, exacta, alerts] = await fetchRest();
  const failures = renderParts(view, { history, exacta, alerts });
  setRefreshError(view.error, failures.length ? failures.join("; ") : null);
  markUpdated();
  // The page was empty when the browser looked for #alert-12: go there now that it exists.
  fragmentTarget()?.scrollIntoView();

  // A badge clicked later moves :target; the class marking the first target must not linger.
  window.addEventListener("hashchange", () => {
    for (const row of document.querySelectorAll(".is-target")) row.classList.remove("is-target");
  });

  refresh.start(async (flags) => {
    let failures: string[];
    if (flags.board) {
      const [race, [history, exacta, alerts]] = await Promise.all([settle(fetchRace(raceId)), fetchRest()]);
      failures = renderParts(view, { race, history, exacta, alerts });
    } else {
      failures = renderParts(view, { alerts: await settle(fetchRaceAlerts()) });
    }
    setRefreshError(view.error, failures.length ? failures.join("; ") : null);
    markUpdated();
  });
}
