/**
 * The race-day page (data-page="day"): date navigation and, per track, a table
 * of its races with post time on the track's clock, a live countdown, the
 * favourite, pools, alert counts and the newest board's time. Refetched on
 * every change event (debounced): the response is small and a card change
 * can add races this page has not seen yet.
 */
import type { RaceDayResponse, RaceRow } from "../api/types.js";
import { describeError, fetchRaceDay, queryString } from "./api.js";
import {
  h,
  mainElement,
  markUpdated,
  note,
  setRefreshError,
  showPageError,
  srOnly,
  swapChildren,
  tableWrap,
} from "./dom.js";
import { clockTime, clockTimeSeconds, dateLabel, money, oddsText, toMs, zoneName } from "./format.js";
import { countdownSpan, createRefresher, startLive, stopLive } from "./live.js";

interface DayView {
  heading: HTMLHeadingElement;
  nav: HTMLElement;
  error: HTMLElement;
  tracks: HTMLElement;
  /** The dates the nav was built for, so a refresh leaves an open <select> alone. */
  navKey: string;
}

function dayLink(date: string): string {
  return `/${queryString({ date })}`;
}

/** The nearest dates with races before and after `date` (dates come newest first). */
function neighbours(date: string, dates: string[]): { older: string | null; newer: string | null } {
  const older = dates.find((d) => d < date) ?? null;
  const newer = dates.filter((d) => d > date).at(-1) ?? null;
  return { older, newer };
}

function dateNav(day: RaceDayResponse): HTMLElement[] {
  const { older, newer } = neighbours(day.date, day.dates);
  const all = day.dates.includes(day.date) ? day.dates : [day.date, ...day.dates].sort().reverse();
  // A plain GET form: choosing a date and pressing Go (or Enter) loads ?date=, with or without script.
  const form = h(
    "form",
    { method: "get", action: "/", class: "date-pick" },
    h("label", { for: "date-select" }, "Date"),
    h(
      "select",
      { id: "date-select", name: "date" },
      all.map((d) => h("option", { value: d, selected: d === day.date }, dateLabel(d))),
    ),
    h("button", { type: "submit" }, "Go"),
  );
  return [
    older
      ? h("a", { href: dayLink(older), class: "date-step", rel: "prev" }, `← ${dateLabel(older)}`)
      : h("span", { class: "date-step disabled" }, "← no older day"),
    form,
    newer
      ? h("a", { href: dayLink(newer), class: "date-step", rel: "next" }, `${dateLabel(newer)} →`)
      : h("span", { class: "date-step disabled" }, "no newer day →"),
  ];
}

function favourite(race: RaceRow): Node | string {
  const fav = race.favourite;
  if (!fav) return "—";
  return h(
    "span",
    { class: "fav" },
    h("span", { class: "prog" }, `#${fav.programNumber}`),
    " ",
    fav.horse,
    " ",
    h("span", { class: "odds" }, oddsText(fav.oddsText, fav.winOdds, race.display)),
  );
}

function alertsCell(race: RaceRow): Node | string {
  if (race.alerts <= 0) return "0";
  const href = `/alerts${queryString({ date: race.raceDate, track: race.track })}`;
  return h("a", { href }, String(race.alerts), srOnly(` alerts at ${race.track} on ${race.raceDate}`));
}

function raceRow(race: RaceRow): HTMLTableRowElement {
  return h(
    "tr",
    { "data-race-id": race.raceId, class: `race-${race.status}` },
    h("th", { scope: "row" }, h("a", { href: `/race/${race.raceId}` }, `Race ${race.raceNumber}`)),
    h("td", { class: "num" }, race.postTime ? clockTime(race.postTime, race.timezone) : "—"),
    h("td", { class: "num" }, countdownSpan(race.status, race.postTime, race.offAt)),
    h("td", null, h("span", { class: `status status-${race.status}` }, race.status)),
    h("td", null, favourite(race)),
    h("td", { class: "num" }, money(race.totalWinPool, race.display.currency)),
    h("td", { class: "num" }, money(race.totalExactaPool, race.display.currency)),
    h("td", { class: "num" }, alertsCell(race)),
    h("td", { class: "num" }, race.lastBoardAt ? clockTimeSeconds(race.lastBoardAt, race.timezone) : "—"),
  );
}

/** Column headings, and whether the column holds numbers (right-aligned, heading too). */
const COLUMNS: Array<[string, boolean]> = [
  ["Race", false],
  ["Post", true],
  ["To post", true],
  ["Status", false],
  ["Favourite", false],
  ["Win pool", true],
  ["Exacta pool", true],
  ["Alerts", true],
  ["Last board", true],
];

function trackTable(track: string, races: RaceRow[]): HTMLElement {
  const first = races[0];
  const timezone = first?.timezone ?? "UTC";
  const zone = `${timezone} (${zoneName(first?.postTime ?? null, timezone)})`;
  const table = h(
    "table",
    { class: "races" },
    h("caption", null, track, " ", h("span", { class: "zone" }, zone)),
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        COLUMNS.map(([label, numeric]) => h("th", { scope: "col", class: numeric ? "num" : null }, label)),
      ),
    ),
    h("tbody", null, races.map(raceRow)),
  );
  return h("section", { class: "track" }, tableWrap(`track:${track}`, table));
}

/** Tracks in order of their first post, races in race order. */
function byTrack(races: RaceRow[]): Array<[string, RaceRow[]]> {
  const groups = new Map<string, RaceRow[]>();
  for (const race of races) {
    const list = groups.get(race.track) ?? [];
    list.push(race);
    groups.set(race.track, list);
  }
  const firstPost = (list: RaceRow[]): number =>
    Math.min(...list.map((r) => toMs(r.postTime) ?? Number.POSITIVE_INFINITY));
  for (const list of groups.values()) list.sort((a, b) => a.raceNumber - b.raceNumber);
  return [...groups.entries()].sort(
    ([a, la], [b, lb]) => firstPost(la) - firstPost(lb) || a.localeCompare(b),
  );
}

function render(view: DayView, day: RaceDayResponse): void {
  const heading = `Race day — ${dateLabel(day.date)}`;
  if (view.heading.textContent !== heading) view.heading.textContent = heading;
  document.title = `${heading} · Totewatch`;
  const navKey = `${day.date}|${day.dates.join(",")}`;
  if (navKey !== view.navKey) {
    swapChildren(view.nav, dateNav(day));
    view.navKey = navKey;
  }
  const groups = byTrack(day.races);
  swapChildren(
    view.tracks,
    groups.length === 0
      ? note(`No races on ${dateLabel(day.date)}.`)
      : groups.map(([track, races]) => trackTable(track, races)),
  );
  markUpdated();
}

export async function startDayPage(): Promise<void> {
  const date = new URLSearchParams(location.search).get("date");
  const main = mainElement();
  swapChildren(main, note("Loading races…"));
  // The stream first: a commit after its hello is announced, so the fetch below misses none.
  const refresh = createRefresher<{ any: boolean }>();
  await startLive(() => refresh.request({ any: true }));
  let day: RaceDayResponse;
  try {
    day = await fetchRaceDay(date);
  } catch (error) {
    stopLive();
    showPageError("Could not load the race day", describeError(error));
    return;
  }
  const view: DayView = {
    heading: h("h1", null),
    nav: h("nav", { class: "date-nav", "aria-label": "Race days" }),
    error: h("div", { class: "refresh-error" }),
    tracks: h("div", { class: "tracks" }),
    navKey: "",
  };
  swapChildren(main, h("section", { class: "day" }, view.heading, view.nav, view.error, view.tracks));
  render(view, day);

  // The same question as the URL: "/" left open on a wall follows the server's current race day.
  refresh.start(async () => {
    try {
      render(view, await fetchRaceDay(date));
      setRefreshError(view.error, null);
    } catch (error) {
      setRefreshError(view.error, describeError(error));
    }
  });
}
