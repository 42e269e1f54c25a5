/**
 * The alerts page (data-page="alerts"): a GET form of filters (date, track,
 * type, delivery state) whose values live in the URL, the filtered log, and an
 * "Older" link that pages with `before`. Refetched when a change event says
 * alerts (or a delivery attempt) changed.
 */
import type { AlertsResponse } from "../api/types.js";
import { type AlertsQuery, describeError, fetchAlerts, queryString } from "./api.js";
import { alertsTable, deliveryCaption, deliveryLabel } from "./alerts-table.js";
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
import { alertTypeLabel, dateLabel } from "./format.js";
import { createRefresher, startLive, stopLive } from "./live.js";

/** The delivery filter (state=none: alerts no channel was configured to send). */
const STATES = ["delivered", "pending", "failing", "none"] as const;
const FILTERS = ["date", "track", "type", "state"] as const;

interface AlertsView {
  filters: HTMLElement;
  error: HTMLElement;
  list: HTMLElement;
  pager: HTMLElement;
  filtersKey: string;
}

function readQuery(): AlertsQuery {
  const params = new URLSearchParams(location.search);
  const get = (key: string): string | null => params.get(key) || null;
  return {
    date: get("date"),
    track: get("track"),
    type: get("type"),
    state: get("state"),
    before: get("before"),
  };
}

function select(
  name: string,
  label: string,
  anyLabel: string,
  values: string[],
  current: string | null,
  text: (value: string) => string = alertTypeLabel,
) {
  // The value asked for stays choosable even when this page of results no longer offers it.
  const options = current && !values.includes(current) ? [current, ...values] : values;
  return h(
    "div",
    { class: "field" },
    h("label", { for: `filter-${name}` }, label),
    h(
      "select",
      { id: `filter-${name}`, name },
      h("option", { value: "" }, anyLabel),
      options.map((v) => h("option", { value: v, selected: v === current }, text(v))),
    ),
  );
}

function filterForm(query: AlertsQuery, response: AlertsResponse): HTMLFormElement {
  const form = h(
    "form",
    { method: "get", action: "/alerts", class: "filters", "aria-label": "Filter alerts" },
    h(
      "div",
      { class: "field" },
      h("label", { for: "filter-date" }, "Date"),
      h("input", { id: "filter-date", type: "date", name: "date", value: query.date ?? "" }),
    ),
    select("track", "Track", "All tracks", response.tracks, query.track ?? null),
    select("type", "Type", "All types", response.types, query.type ?? null),
    select("state", "Delivery", "Any state", [...STATES], query.state ?? null, deliveryLabel),
    h(
      "div",
      { class: "field actions" },
      h("button", { type: "submit" }, "Filter"),
      h("a", { href: "/alerts" }, "Clear"),
    ),
  );
  // Without script the form submits empty fields too (the API ignores them); with it, the URL stays clean.
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const params: Record<string, string> = {};
    for (const key of FILTERS) {
      const value = data.get(key);
      if (typeof value === "string" && value) params[key] = value;
    }
    location.assign(`/alerts${queryString(params)}`);
  });
  return form;
}

function pager(query: AlertsQuery, response: AlertsResponse): HTMLElement[] {
  const base = { date: query.date, track: query.track, type: query.type, state: query.state };
  const links: HTMLElement[] = [];
  if (query.before) links.push(h("a", { href: `/alerts${queryString(base)}`, rel: "first" }, "← Newest"));
  if (response.nextBefore !== null) {
    links.push(
      h(
        "a",
        { href: `/alerts${queryString({ ...base, before: response.nextBefore })}`, rel: "next" },
        "Older →",
      ),
    );
  }
  return links;
}

function caption(query: AlertsQuery): string {
  const parts = [query.date ? dateLabel(query.date) : "All dates"];
  if (query.track) parts.push(query.track);
  if (query.type) parts.push(alertTypeLabel(query.type));
  if (query.state) parts.push(deliveryCaption(query.state));
  return `Alerts: ${parts.join(", ")}${query.before ? " (older)" : ""}`;
}

function render(view: AlertsView, query: AlertsQuery, response: AlertsResponse): void {
  const key = JSON.stringify([response.tracks, response.types]);
  // Rebuilt only when the menus change: a refresh must not reset a half-edited form.
  if (key !== view.filtersKey) {
    swapChildren(view.filters, filterForm(query, response));
    view.filtersKey = key;
  }
  swapChildren(
    view.list,
    tableWrap("alerts", alertsTable(response.alerts, { caption: caption(query), withRace: true })),
  );
  swapChildren(view.pager, pager(query, response));
  markUpdated();
}

export async function startAlertsPage(): Promise<void> {
  const query = readQuery();
  const main = mainElement();
  swapChildren(main, note("Loading alerts…"));
  // The stream first: a commit after its hello is announced, so the fetch below misses none.
  const refresh = createRefresher<{ alerts: boolean }>();
  await startLive((change) => {
    if (change.alerts || change.all) refresh.request({ alerts: true });
  });
  let response: AlertsResponse;
  try {
    response = await fetchAlerts(query);
  } catch (error) {
    stopLive();
    showPageError("Could not load the alerts", describeError(error));
    return;
  }
  const view: AlertsView = {
    filters: h("div", { class: "filters-slot" }),
    error: h("div", { class: "refresh-error" }),
    list: h("div", { class: "alerts-list" }),
    pager: h("nav", { class: "pager", "aria-label": "Pages of alerts" }),
    filtersKey: "",
  };
  swapChildren(
    main,
    h(
      "section",
      { class: "alerts-page" },
      h("h1", null, "Alerts"),
      view.filters,
      view.error,
      view.list,
      view.pager,
    ),
  );
  render(view, query, response);

  refresh.start(async () => {
    try {
      render(view, query, await fetchAlerts(query));
      setRefreshError(view.error, null);
    } catch (error) {
      setRefreshError(view.error, describeError(error));
    }
  });
}
