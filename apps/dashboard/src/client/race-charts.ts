/**
 * The race page's two uPlot charts: odds over time (log scale; a toggle
 * switches it to win probability) in #odds-chart, and money flow (each
 * runner's share of the win pool) in #flow-chart. Both draw marker lines for
 * post, the off and each alert, put times on the track's clock, follow their
 * container's width, and take new data with setData so a live update keeps
 * the reader's zoom, hidden series and toggle.
 */
import uPlot from "uplot";
import { formatOdds } from "@totewatch/tote";
import type { RaceHistoryResponse } from "../api/types.js";
import {
  type Marker,
  type Values,
  flowSeries,
  hasPoolData,
  markersOf,
  oddsSeries,
  probabilitySeries,
  xRange,
} from "./chart-data.js";
import { markerPlugin } from "./chart-markers.js";
import { h, note, swapChildren } from "./dom.js";
import { clockTimeSeconds } from "./format.js";

const PALETTE = [
  "#1f77b4",
  "#d62728",
  "#2ca02c",
  "#e67e00",
  "#9467bd",
  "#8c564b",
  "#d6389f",
  "#0f8b99",
  "#555555",
  "#8a8a00",
  "#393b79",
  "#637939",
  "#843c39",
  "#7b4173",
];

type Mode = "odds" | "probability";

interface ChartState {
  el: HTMLElement;
  plot: uPlot | null;
  key: string;
  /** The user zoomed in: updates keep that x range instead of resetting it. */
  zoomed: boolean;
}

function chartHeight(width: number): number {
  return width < 560 ? 240 : 320;
}

export class RaceCharts {
  private mode: Mode = "odds";
  private history: RaceHistoryResponse | null = null;
  private timeZone = "UTC";
  private markers: Marker[] = [];
  private readonly odds: ChartState;
  private readonly flow: ChartState;
  private readonly toggle: HTMLButtonElement;
  private readonly oddsNote: HTMLElement;
  private readonly flowNote: HTMLElement;
  private readonly heading: HTMLHeadingElement;
  readonly element: HTMLElement;

  constructor() {
    this.odds = { el: h("div", { id: "odds-chart", class: "chart" }), plot: null, key: "", zoomed: false };
    this.flow = { el: h("div", { id: "flow-chart", class: "chart" }), plot: null, key: "", zoomed: false };
    this.toggle = h(
      "button",
      { type: "button", class: "toggle", "aria-pressed": "false" },
      "Win probability",
    );
    this.toggle.addEventListener("click", () => this.setMode(this.mode === "odds" ? "probability" : "odds"));
    this.oddsNote = h("p", { class: "chart-note" });
    this.flowNote = h("p", { class: "chart-note" });
    this.heading = h("h2", { id: "odds-heading" }, "Odds over time");
    this.element = h(
      "div",
      { class: "charts" },
      h(
        "section",
        { "aria-labelledby": "odds-heading" },
        h("div", { class: "section-head" }, this.heading, this.toggle),
        this.oddsNote,
        this.odds.el,
      ),
      h(
        "section",
        { "aria-labelledby": "flow-heading" },
        h("h2", { id: "flow-heading" }, "Money flow: share of the win pool"),
        this.flowNote,
        this.flow.el,
      ),
    );
    // Charts follow their box; the resize waits a frame so it never re-enters the observer's loop.
    const observer = new ResizeObserver(() => requestAnimationFrame(() => this.resize()));
    observer.observe(this.odds.el);
    observer.observe(this.flow.el);
  }

  update(history: RaceHistoryResponse, timeZone: string): void {
    this.history = history;
    this.timeZone = timeZone;
    this.markers = markersOf(history);
    this.draw();
  }

  private setMode(mode: Mode): void {
    this.mode = mode;
    this.toggle.setAttribute("aria-pressed", String(mode === "probability"));
    this.draw();
  }

  private draw(): void {
    const history = this.history;
    if (!history) return;
    const labels = history.runners.map((r) => `#${r.programNumber} ${r.horse}`);
    const scratched = history.runners.map((r) => r.scratched);
    this.heading.textContent = this.mode === "odds" ? "Odds over time" : "Win probability over time";
    if (history.times.length === 0) {
      this.clear(this.odds, this.oddsNote, "No boards yet.");
      this.clear(this.flow, this.flowNote, "No boards yet.");
      return;
    }
    const decimal = history.display.oddsFormat === "decimal";
    if (this.mode === "odds") {
      this.oddsNote.textContent = decimal
        ? "Decimal dividends as the board shows them, log scale."
        : "Odds-to-1, log scale (shorter odds lower).";
      this.plot(this.odds, oddsSeries(history), labels, scratched, "odds", (v) =>
        decimal ? v.toFixed(2) : formatOdds(v),
      );
    } else {
      const p = probabilitySeries(history);
      this.oddsNote.textContent =
        p.byOdds === 0
          ? "Win probability = each interest's share of the win pool at each board."
          : p.byPool === 0
            ? "Win probability = 1/(odds+1), normalised over the runners at each board."
            : "Win probability = share of the win pool where every interest has an amount, else 1/(odds+1) normalised, at each board.";
      this.plot(this.odds, p.values, labels, scratched, "probability", pct);
    }
    if (hasPoolData(history)) {
      this.flowNote.textContent = "Each runner's win pool amount ÷ the total win pool, at each board.";
      this.plot(this.flow, flowSeries(history), labels, scratched, "share", pct);
    } else {
      this.clear(this.flow, this.flowNote, "No win pool amounts recorded for this race.");
    }
  }

  private clear(state: ChartState, noteEl: HTMLElement, text: string): void {
    state.plot?.destroy();
    state.plot = null;
    state.key = "";
    noteEl.textContent = "";
    swapChildren(state.el, note(text));
  }

  private plot(
    state: ChartState,
    series: Values[],
    labels: string[],
    scratched: boolean[],
    kind: "odds" | "probability" | "share",
    format: (v: number) => string,
  ): void {
    const history = this.history as RaceHistoryResponse;
    const data: uPlot.AlignedData = [history.times.map((t) => t / 1000), ...series];
    const key = JSON.stringify([kind, this.timeZone, labels, scratched]);
    if (state.plot && state.key === key) {
      // Same series: new points only. A zoomed reader keeps the zoom.
      state.plot.setData(data, !state.zoomed);
      return;
    }
    // Series the reader hid stay hidden through a toggle.
    const hidden = new Set(
      state.plot?.series.filter((s) => s.show === false).map((s) => String(s.label)) ?? [],
    );
    state.plot?.destroy();
    state.el.replaceChildren();
    state.zoomed = false;
    const width = state.el.clientWidth || 600;
    const timeZone = this.timeZone;
    const opts: uPlot.Options = {
      width,
      height: chartHeight(width),
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), timeZone),
      scales: {
        // Read through `this`: the range is recomputed on every setData, with the newest history.
        x: {
          time: true,
          range: (_u, min, max) => xRange(this.history?.times ?? [], this.markers) ?? [min, max],
        },
        y:
          kind === "odds"
            ? {
                distr: 3,
                log: 10,
                range: (_u, min, max) => [Math.max(0.05, min / 1.15), Math.max(max * 1.15, 1)],
              }
            : { range: (_u, _min, max) => [0, Math.min(1, Math.max(0.05, max * 1.1))] },
      },
      axes: [
        { stroke: "#333", grid: { stroke: "#e4e4e4" }, ticks: { stroke: "#ccc" } },
        {
          stroke: "#333",
          grid: { stroke: "#e4e4e4" },
          ticks: { stroke: "#ccc" },
          size: 56,
          // On the log scale, 1-2-5 steps: uPlot's default draws every integer of each decade.
          splits: kind === "odds" ? (_u, _i, min, max) => logSplits(min, max) : undefined,
          values: (_u, splits) =>
            splits.map((v) =>
              v === null || v === undefined ? "" : kind === "odds" ? axisOdds(v) : axisPct(v),
            ),
        },
      ],
      series: [
        { label: "Time", value: (_u, v) => (v === null ? "—" : clockTimeSeconds(v * 1000, timeZone)) },
        ...labels.map((label, i) => ({
          label,
          show: !hidden.has(label),
          stroke: PALETTE[i % PALETTE.length] as string,
          width: scratched[i] ? 1 : 1.75,
          dash: scratched[i] ? [3, 4] : i >= PALETTE.length ? [8, 3] : undefined,
          spanGaps: false,
          // Dots only where boards are few enough to tell apart; lines carry the rest.
          points: { show: (_u: uPlot, _s: number, i0: number, i1: number) => i1 - i0 < 24 },
          value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? "—" : format(v)),
        })),
      ],
      cursor: { drag: { x: true, y: false, setScale: true } },
      legend: { live: true },
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width > 0) state.zoomed = true;
          },
        ],
      },
      plugins: [markerPlugin(() => this.markers)],
    };
    state.plot = new uPlot(opts, data, state.el);
    state.key = key;
    // uPlot's double-click resets the zoom; from then on updates rescale again.
    state.plot.over.addEventListener("dblclick", () => {
      state.zoomed = false;
    });
  }

  private resize(): void {
    for (const state of [this.odds, this.flow]) {
      const plot = state.plot;
      if (!plot) continue;
      const width = state.el.clientWidth;
      if (width > 0 && Math.abs(width - plot.width) > 1) plot.setSize({ width, height: chartHeight(width) });
    }
  }
}

/** 0.1, 0.2, 0.5, 1, 2, 5, 10, … within [min, max]. */
function logSplits(min: number, max: number): number[] {
  const out: number[] = [];
  for (let decade = Math.pow(10, Math.floor(Math.log10(min))); decade <= max; decade *= 10) {
    for (const step of [1, 2, 5]) {
      const v = Number((decade * step).toPrecision(3));
      if (v >= min && v <= max) out.push(v);
    }
  }
  return out;
}

/** Legend values: "23.4%". */
function pct(v: number): string {
  return `${(v * 100).toFixed(1)}%`;
}

/** Axis ticks: "5%", "2.5%" (no trailing zeros). */
function axisPct(v: number): string {
  return `${Number((v * 100).toFixed(1))}%`;
}

function axisOdds(v: number): string {
  return v >= 10 ? String(Math.round(v)) : String(Number(v.toFixed(2)));
}
