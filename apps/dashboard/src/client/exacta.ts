/**
 * The exacta heat map (table id="exacta"): rows are the winner, columns the
 * second; each cell shows the probable payout and its percent against the
 * fair (Harville) price, shaded by a CSS class per bucket and marked "▲"/"▼"
 * when strong, so the colour is never the only signal; a combination that
 * raised an alert carries a "⚑" linking to it in the race's alerts table. The
 * legend explains the buckets, the flag and where "fair" comes from.
 */
import type { AlertMark, ExactaResponse } from "../api/types.js";
import { h, note, srOnly, swapChildren } from "./dom.js";
import { alertTypeLabel, clockTimeSeconds, money, moneyCents, percent, signedPercent } from "./format.js";

interface Bucket {
  cls: string;
  /** Lowest percent in the bucket (inclusive); the first that fits wins. */
  from: number;
  marker: string;
  legend: string;
}

const BUCKETS: Bucket[] = [
  { cls: "heat-o3", from: 50, marker: "▲", legend: "+50% or more over fair" },
  { cls: "heat-o2", from: 25, marker: "▲", legend: "+25% to +50%" },
  { cls: "heat-o1", from: 10, marker: "", legend: "+10% to +25%" },
  { cls: "heat-0", from: -10, marker: "", legend: "within 10% of fair" },
  { cls: "heat-u1", from: -25, marker: "", legend: "−10% to −25%" },
  { cls: "heat-u2", from: -50, marker: "▼", legend: "−25% to −50%" },
  { cls: "heat-u3", from: -Infinity, marker: "▼", legend: "−50% or less (under fair)" },
];

function bucketOf(value: number): Bucket {
  return BUCKETS.find((b) => value >= b.from) ?? (BUCKETS.at(-1) as Bucket);
}

type Cell = ExactaResponse["cells"][number];

/** "⚑" linking to the newest alert raised on this combination (row id="alert-N" of the alerts table). */
function alertFlag(cell: Cell): HTMLAnchorElement | null {
  // Read defensively: a server from before cells carried alerts sends none.
  const alerts = (cell.alerts as Cell["alerts"] | undefined) ?? [];
  const newest = alerts.reduce<AlertMark | null>((a, b) => (a && a.alertId > b.alertId ? a : b), null);
  if (!newest) return null;
  const types = [...new Set(alerts.map((a) => alertTypeLabel(a.alertType)))].join(", ");
  return h(
    "a",
    {
      class: "cell-alert",
      href: `#alert-${newest.alertId}`,
      title: `Alert ${newest.alertId}: ${types}${alerts.length > 1 ? ` (${alerts.length} alerts)` : ""}`,
    },
    h("span", { "aria-hidden": "true" }, alerts.length > 1 ? `⚑${alerts.length}` : "⚑"),
    srOnly(`alert: ${types}, `),
  );
}

function cellOf(
  cell: Cell | undefined,
  rowLabel: string,
  colLabel: string,
  currency: string,
): HTMLTableCellElement {
  const flag = cell ? alertFlag(cell) : null;
  const alerted = flag ? " has-alert" : "";
  if (!cell || cell.payout === null) {
    return h("td", { class: `heat-none${alerted}` }, flag, "—", srOnly(" no probable"));
  }
  const title = [
    `${rowLabel} then ${colLabel}`,
    `probable ${moneyCents(cell.payout, currency)}`,
    cell.fair !== null ? `fair ${moneyCents(cell.fair, currency)}` : null,
    flag ? "alert raised" : null,
  ]
    .filter(Boolean)
    .join(", ");
  const payout = h("span", { class: "payout" }, flag, moneyCents(cell.payout, currency));
  if (cell.percent === null || !Number.isFinite(cell.percent)) {
    return h("td", { class: `heat-none${alerted}`, title }, payout);
  }
  const bucket = bucketOf(cell.percent);
  return h(
    "td",
    { class: `${bucket.cls}${alerted}`, title },
    payout,
    h(
      "span",
      { class: "pct" },
      signedPercent(cell.percent),
      bucket.marker ? ` ${bucket.marker}` : null,
      srOnly(cell.percent >= 0 ? " over fair" : " under fair"),
    ),
  );
}

function legend(data: ExactaResponse, timeZone: string, currency: string): HTMLElement {
  const source =
    data.probabilitySource === "pool"
      ? "pool shares"
      : data.probabilitySource === "odds"
        ? "board odds"
        : "the win board";
  return h(
    "div",
    { class: "exacta-legend" },
    h(
      "p",
      null,
      `Each cell: the probable payout, then its percent against fair. Fair = Harville on the win pool after takeout (${percent(data.takeout, 0)}), with win probabilities from ${source}. `,
      "Green: the pool pays more than fair (overlay); red: less (underlay).",
    ),
    h(
      "ul",
      { class: "heat-key" },
      BUCKETS.map((b) => h("li", null, h("span", { class: `swatch ${b.cls}` }, b.marker || " "), b.legend)),
      h(
        "li",
        null,
        h("span", { class: "swatch has-alert", "aria-hidden": "true" }, "⚑"),
        "an alert was raised on this combination (links to it below)",
      ),
    ),
    h(
      "p",
      { class: "sub" },
      `Probables at ${clockTimeSeconds(data.fetchedAt, timeZone)}, win board at ${clockTimeSeconds(data.winFetchedAt, timeZone)}`,
      data.totalExactaPool !== null ? `, exacta pool ${money(data.totalExactaPool, currency)}.` : ".",
    ),
  );
}

/** Renders the grid into the kept table and its legend into `legendSlot`. */
export function renderExacta(
  table: HTMLTableElement,
  legendSlot: HTMLElement,
  data: ExactaResponse,
  timeZone: string,
  currency = "USD",
): void {
  const interests = data.interests;
  if (interests.length === 0) {
    swapChildren(
      table,
      h("caption", null, "Exacta probables"),
      h("tbody", null, h("tr", null, h("td", null, "—"))),
    );
    table.hidden = true;
    swapChildren(legendSlot, note("No exacta probables yet."));
    return;
  }
  table.hidden = false;
  const cells = new Map(data.cells.map((c) => [`${c.first}|${c.second}`, c]));
  swapChildren(
    table,
    h("caption", null, "Exacta probables: rows finish first, columns second"),
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        h("th", { scope: "col", class: "corner" }, "1st \\ 2nd"),
        interests.map((i) => h("th", { scope: "col", title: i.label }, `#${i.key}`, srOnly(` ${i.label}`))),
      ),
    ),
    h(
      "tbody",
      null,
      interests.map((row) =>
        h(
          "tr",
          { "data-first": row.key },
          h("th", { scope: "row", class: "row-label" }, row.label),
          interests.map((col) =>
            row.key === col.key
              ? h("td", { class: "diag" }, "—", srOnly(" same runner"))
              : cellOf(cells.get(`${row.key}|${col.key}`), row.label, col.label, currency),
          ),
        ),
      ),
    ),
  );
  swapChildren(legendSlot, legend(data, timeZone, currency));
}
