/**
 * The race's win board table (id="board", rows data-program): odds now and
 * some minutes ago, the move, win probability, pool and share, and alert
 * badges. Scratched runners are greyed and say "SCR"; coupled entries share a
 * bracket and an "Entry" tag; the favourite's row says "★ Fav", not colour
 * alone. The table element is kept across refreshes and only its content
 * replaced, with data-board-fetched-at set after each render.
 */
import type { BoardRunner, OddsDisplay, RaceResponse } from "../api/types.js";
import { h, srOnly, swapChildren } from "./dom.js";
import { alertTypeLabel, clockTimeSeconds, money, oddsText, percent } from "./format.js";

function moveCell(movePercent: number | null): HTMLTableCellElement {
  if (movePercent === null || !Number.isFinite(movePercent)) return h("td", { class: "num move" }, "—");
  const size = Math.round(Math.abs(movePercent));
  if (size === 0) {
    return h("td", { class: "num move" }, h("span", { role: "img", "aria-label": "no change" }, "0%"));
  }
  // Backed in (shorter odds) points down as the price does; the words say it too, not the colour alone.
  const shortened = movePercent < 0;
  return h(
    "td",
    { class: `num move ${shortened ? "move-in" : "move-out"}` },
    h(
      "span",
      { role: "img", "aria-label": `${shortened ? "shortened" : "drifted"} ${size} percent` },
      `${shortened ? "▼" : "▲"} ${size}%`,
    ),
  );
}

function horseCell(runner: BoardRunner): HTMLTableCellElement {
  const people = [runner.jockey && `J: ${runner.jockey}`, runner.trainer && `T: ${runner.trainer}`].filter(
    (p): p is string => Boolean(p),
  );
  return h(
    "td",
    { class: "horse" },
    h(
      "span",
      { class: "horse-name" },
      runner.scratched ? h("s", null, runner.horse) : runner.horse,
      runner.scratched ? h("span", { class: "tag tag-scr" }, "SCR") : null,
    ),
    people.length ? h("span", { class: "sub" }, people.join(" / ")) : null,
  );
}

function badges(runner: BoardRunner): HTMLTableCellElement {
  return h(
    "td",
    { class: "badges" },
    runner.alerts.map((alert) =>
      h(
        "a",
        {
          class: "badge",
          href: `#alert-${alert.alertId}`,
          title: `Alert ${alert.alertId}: ${alertTypeLabel(alert.alertType)}`,
        },
        `⚑ ${alertTypeLabel(alert.alertType)}`,
      ),
    ),
  );
}

/** Where each row sits in its coupled entry (null: a single-runner interest). */
function entryPositions(runners: BoardRunner[]): Array<"first" | "middle" | "last" | null> {
  const counts = new Map<string, number>();
  for (const r of runners) counts.set(r.interest, (counts.get(r.interest) ?? 0) + 1);
  return runners.map((r, i) => {
    if ((counts.get(r.interest) ?? 0) < 2) return null;
    if (runners[i - 1]?.interest !== r.interest) return "first";
    return runners[i + 1]?.interest !== r.interest ? "last" : "middle";
  });
}

/** The minutes of the `earlier` columns present on this board (5, 15), ascending. */
function earlierMinutes(runners: BoardRunner[]): number[] {
  const minutes = new Set<number>();
  for (const r of runners) for (const e of r.earlier) minutes.add(e.minutesAgo);
  return [...minutes].sort((a, b) => a - b);
}

function runnerRow(
  runner: BoardRunner,
  entry: "first" | "middle" | "last" | null,
  minutes: number[],
  display: OddsDisplay,
  favourite: boolean,
): HTMLTableRowElement {
  const classes = [
    runner.scratched && "scratched",
    entry && `entry entry-${entry}`,
    favourite && "favourite",
  ].filter(Boolean);
  return h(
    "tr",
    {
      "data-program": runner.programNumber,
      "data-interest": runner.interest,
      class: classes.join(" ") || null,
    },
    h(
      "th",
      { scope: "row", class: "prog" },
      runner.programNumber,
      entry === "first" ? h("span", { class: "tag tag-entry" }, "Entry") : null,
      entry && entry !== "first" ? srOnly(` (entry ${runner.interest})`) : null,
      favourite
        ? h(
            "span",
            { class: "tag tag-fav", title: "Favourite: the shortest odds" },
            h("span", { "aria-hidden": "true" }, "★ Fav"),
            srOnly(" favourite"),
          )
        : null,
    ),
    horseCell(runner),
    h("td", { class: "num" }, oddsText(runner.morningLineText, runner.morningLine, display)),
    h(
      "td",
      { class: "num odds" },
      runner.scratched ? "SCR" : oddsText(runner.oddsText, runner.winOdds, display),
    ),
    minutes.map((m) => {
      const e = runner.earlier.find((x) => x.minutesAgo === m);
      return h("td", { class: "num earlier" }, e ? oddsText(e.oddsText, e.winOdds, display) : "—");
    }),
    moveCell(runner.movePercent),
    h("td", { class: "num" }, percent(runner.probability)),
    h("td", { class: "num" }, money(runner.poolAmount, display.currency)),
    h("td", { class: "num" }, percent(runner.poolShare)),
    badges(runner),
  );
}

/**
 * The row index of the favourite: the shortest price among runners still in
 * the race. A coupled entry is one betting interest, so its lead row (the
 * first member still running) is marked, never each member.
 */
function favouriteIndex(runners: BoardRunner[]): number {
  let best: BoardRunner | null = null;
  for (const r of runners) {
    if (r.scratched || r.winOdds === null) continue;
    if (!best || r.winOdds < (best.winOdds ?? Infinity)) best = r;
  }
  if (!best) return -1;
  const interest = best.interest;
  return runners.findIndex((r) => r.interest === interest && !r.scratched && r.winOdds !== null);
}

/** Renders `data` into the kept table element. */
export function renderBoard(table: HTMLTableElement, data: RaceResponse): void {
  const { race, board } = data;
  const minutes = earlierMinutes(board.runners);
  const entries = entryPositions(board.runners);
  const fav = favouriteIndex(board.runners);
  const source =
    board.probabilitySource === "pool"
      ? "win % from pool shares"
      : board.probabilitySource === "odds"
        ? "win % from odds"
        : null;
  const headers = [
    "#",
    "Horse",
    "ML",
    "Odds",
    ...minutes.map((m) => `${m} min ago`),
    "Move",
    "Win %",
    "Pool",
    "Share",
    "Alerts",
  ];
  const numeric = new Set([
    "ML",
    "Odds",
    "Move",
    "Win %",
    "Pool",
    "Share",
    ...minutes.map((m) => `${m} min ago`),
  ]);
  // swapChildren, not replaceChildren: a focused badge link keeps its focus across a refresh.
  swapChildren(
    table,
    h(
      "caption",
      null,
      board.fetchedAt
        ? `Win board at ${clockTimeSeconds(board.fetchedAt, race.timezone)}`
        : "No win board yet",
      board.totalWinPool !== null ? ` · pool ${money(board.totalWinPool, race.display.currency)}` : null,
      source ? ` · ${source}` : null,
    ),
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        headers.map((label) => h("th", { scope: "col", class: numeric.has(label) ? "num" : null }, label)),
      ),
    ),
    h(
      "tbody",
      null,
      board.runners.length > 0
        ? board.runners.map((r, i) => runnerRow(r, entries[i] ?? null, minutes, race.display, i === fav))
        : h("tr", { class: "empty" }, h("td", { colspan: headers.length }, "No runners on the card.")),
    ),
  );
  table.dataset.boardFetchedAt = board.fetchedAt ?? "";
}
