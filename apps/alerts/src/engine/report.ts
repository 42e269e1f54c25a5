/**
 * Tables the CLI and the demo print (cli-kit's createTable). Pure: they
 * return text. Every row is a StoredAlert, stored or (backtest) would-be:
 * one alert shape, so the same columns read the same way everywhere.
 *
 * `alerts list` and `alerts backtest` at a terminal fit its width (terminalWidth): the race is
 * named once, the message wraps whole, times are the track's clock named ("13:42:05 EDT"). On a
 * pipe or into a file they print the wide one-line-per-alert tables they always have.
 */
import { createTable, fittedTable, wrapLine, type Table } from "@totewatch/cli-kit";
import { alertStrength, type StoredAlert } from "@totewatch/db";
import { localDateTimeOf } from "@totewatch/tote";
import type { BacktestResult } from "../backtest/backtest.js";
import { zonedTime } from "../delivery/console-format.js";
import { raceLabel } from "../delivery/format.js";
import { runnerLabel } from "../rules/common.js";

/** "2025-06-01 13:42:05" in the track's zone (UTC when unknown or invalid). */
export function localDateTime(instant: Date, timeZone: string | null): string {
  try {
    return localDateTimeOf(instant, timeZone ?? "UTC");
  } catch {
    return instant.toISOString().slice(0, 19).replace("T", " ");
  }
}

const MESSAGE_WIDTH = 70;

function clip(text: string, width = MESSAGE_WIDTH): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** "#3 Thunder Road", "1-2" (a combination names no runner), or "". */
function subjectText(alert: StoredAlert): string {
  if (alert.subject === null) return "";
  return alert.runner === null ? alert.subject : runnerLabel(alert.subject, alert.runner.horse);
}

/** When the alert fired, on its track's clock. */
const firedAt = (alert: StoredAlert) => localDateTime(alert.triggeredAt, alert.race?.timezone ?? null);

/** How wide the tables may be: a terminal's width; undefined for the wide tables a pipe or file gets. */
export interface TableLayout {
  width?: number;
}

/** The widest line the terminal shows when it does not say (and the demo's tables). */
export const TERMINAL_WIDTH = 100;

/** The columns of `out` when it is a terminal (100 when it does not say); undefined otherwise. */
export function terminalWidth(
  out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
): number | undefined {
  if (out.isTTY !== true) return undefined;
  return out.columns !== undefined && out.columns > 0 ? out.columns : TERMINAL_WIDTH;
}

/** The message column keeps at least this many characters, even if the table then stays wider. */
const MIN_MESSAGE_WIDTH = 20;
const PADDING = 2;

/** Code points of a cell's widest line. */
const cellWidth = (text: string): number => Math.max(0, ...text.split("\n").map((line) => [...line].length));

/**
 * A table at most `width` wide: every column as wide as its widest line (cells may hold several
 * lines), but `flex` (the message), which wraps at word boundaries into the width left.
 */
function terminalTable(head: string[], rows: string[][], width: number, flex: number): string {
  const colWidths = head.map(
    (title, column) =>
      Math.max(cellWidth(title), ...rows.map((row) => cellWidth(row[column] ?? ""))) + PADDING,
  );
  // A line is its columns plus one border before each and one at the end.
  const others = colWidths.reduce((sum, each, column) => (column === flex ? sum : sum + each), 0);
  const room = width - others - (head.length + 1);
  colWidths[flex] = Math.min(colWidths[flex]!, Math.max(room, MIN_MESSAGE_WIDTH + PADDING));
  const table = createTable(head, { colWidths, wordWrap: true });
  for (const row of rows) table.push(row);
  return table.toString();
}

/** "2026-12-02" over "16:25:00 PST": the date and the track's clock, named. */
function stackedTime(instant: Date, timeZone: string | null): string {
  return `${localDateTime(instant, timeZone).slice(0, 10)}\n${zonedTime(instant, timeZone)}`;
}

/** "Santa Anita Park R8" over "exacta_underlay". */
function raceAndType(alert: StoredAlert): string {
  return [raceLabel(alert), alert.alertType].filter((part) => part !== "").join("\n");
}

/** `alerts list` at a terminal: time, race and type, the message after the race, sent. */
function fittedAlertList(alerts: readonly StoredAlert[], width: number): string {
  const rows = alerts.map((alert) => {
    const zone = alert.race?.timezone ?? null;
    const sent = alert.sentAt ? `yes\n${zonedTime(alert.sentAt, zone)}` : "yes";
    return [
      stackedTime(alert.triggeredAt, zone),
      raceAndType(alert),
      messageAfterRace(alert),
      alert.sent ? sent : "no",
    ];
  });
  return terminalTable(["time", "race, type", "alert", "sent"], rows, width, 2);
}

/**
 * `alerts list`: time, track, race, type, subject, message, sent; with a width (a terminal),
 * time, race and type, message, sent, fitted to it.
 */
export function alertListTable(alerts: readonly StoredAlert[], layout: TableLayout = {}): string {
  if (alerts.length === 0) return "No alerts.";
  if (layout.width !== undefined) return fittedAlertList(alerts, layout.width);
  const out = createTable(["time (track local)", "track", "race", "type", "subject", "message", "sent"]);
  for (const alert of alerts) {
    const zone = alert.race?.timezone ?? null;
    out.push([
      firedAt(alert),
      alert.race?.track ?? "",
      alert.race === null ? "" : String(alert.race.raceNumber),
      alert.alertType,
      subjectText(alert),
      clip(alert.message),
      alert.sent ? (alert.sentAt ? `yes ${localDateTime(alert.sentAt, zone).slice(11)}` : "yes") : "no",
    ]);
  }
  return out.toString();
}

/** Alerts per rule (type), most first, as [type, count]. */
export function countByType(alerts: ReadonlyArray<Pick<StoredAlert, "alertType">>): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const alert of alerts) counts.set(alert.alertType, (counts.get(alert.alertType) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** Strongest first (details.strength); ties by time. */
export function strongest(alerts: readonly StoredAlert[], n: number): StoredAlert[] {
  const strength = (alert: StoredAlert) => alertStrength(alert) ?? 0;
  return [...alerts]
    .sort((a, b) => strength(b) - strength(a) || a.triggeredAt.getTime() - b.triggeredAt.getTime())
    .slice(0, n);
}

/** Rows of the backtest's strongest-alerts tables: time, race, subject, strength, message. */
function strongestRows(out: Table.Table, alerts: readonly StoredAlert[]): void {
  for (const alert of alerts) {
    out.push([
      firedAt(alert),
      raceLabel(alert),
      subjectText(alert),
      alertStrength(alert)?.toFixed(2) ?? "",
      clip(alert.message),
    ]);
  }
}

/** A backtest's strongest alerts of one rule, fitted to `width`: time, race, strength, message. */
function fittedStrongest(alerts: readonly StoredAlert[], width: number): string {
  const rows = alerts.map((alert) => [
    stackedTime(alert.triggeredAt, alert.race?.timezone ?? null),
    raceLabel(alert),
    alertStrength(alert)?.toFixed(2) ?? "",
    messageAfterRace(alert),
  ]);
  return terminalTable(["time", "race", "strength", "alert"], rows, width, 3);
}

/**
 * `alerts backtest`: a count per rule, then each rule's strongest alerts; with a width (a
 * terminal), the summary wrapped and the strongest alerts fitted to it.
 */
export function backtestReport(result: BacktestResult, options: { top: number } & TableLayout): string {
  const lines: string[] = [];
  const counts = countByType(result.alerts);
  const summaryLine =
    `${result.races} race(s), ${result.stats.winSnapshots} win snapshot(s), ${result.stats.exactaGrids} exacta grid(s) evaluated; ` +
    `${result.alerts.length} alert(s) would have fired ` +
    `(suppressed: ${result.stats.suppressed.duplicate} duplicate, ${result.stats.suppressed.race_limit} over a per-race limit).`;
  lines.push(...(options.width === undefined ? [summaryLine] : wrapLine(summaryLine, options.width, "")));
  if (counts.length === 0) return lines.join("\n");
  const summary = createTable(["rule", "alerts", "races"]);
  for (const [type, count] of counts) {
    const ofType = result.alerts.filter((alert) => alert.alertType === type);
    summary.push([type, String(count), String(new Set(ofType.map((alert) => alert.race?.raceId)).size)]);
  }
  lines.push(summary.toString());
  for (const [type, count] of counts) {
    const top = strongest(
      result.alerts.filter((alert) => alert.alertType === type),
      options.top,
    );
    lines.push("", `${type}: ${count} alert(s), strongest ${top.length}:`);
    if (options.width !== undefined) {
      lines.push(fittedStrongest(top, options.width));
      continue;
    }
    const out = createTable(["time (track local)", "race", "subject", "strength", "message"]);
    strongestRows(out, top);
    lines.push(out.toString());
  }
  return lines.join("\n");
}

/** The widest line of the demo's tables: a terminal's 100 columns. */
export const DEMO_WIDTH = TERMINAL_WIDTH;

/** The message without the race it starts with (the race has its own column): "#3 Thunder Road: 5-1 -> 5-2 ...". */
function messageAfterRace(alert: StoredAlert): string {
  const race = raceLabel(alert);
  return race !== "" && alert.message.startsWith(`${race} `)
    ? alert.message.slice(race.length + 1)
    : alert.message;
}

/**
 * The demo's "five strongest alerts" table, at most DEMO_WIDTH wide: one race day, so the time is
 * the track's clock named ("16:20:00 EDT", no date), and the message, which names the runner or
 * combination, wraps in the last column instead of repeating the race.
 */
export function strongestAlertsTable(alerts: readonly StoredAlert[]): string {
  if (alerts.length === 0) return "No alerts.";
  return fittedTable(
    ["time", "race", "type", "strength", "alert"],
    alerts.map((alert) => [
      zonedTime(alert.triggeredAt, alert.race?.timezone ?? null),
      raceLabel(alert),
      alert.alertType,
      alertStrength(alert)?.toFixed(2) ?? "",
      messageAfterRace(alert),
    ]),
    { maxWidth: DEMO_WIDTH, flex: 4, overflow: "wrap" },
  );
}

/** Two-column table of (label, value) rows. */
export function keyValueTable(
  head: [string, string] | null,
  rows: ReadonlyArray<[string, string | number]>,
): string {
  const out = createTable(head ?? []);
  for (const [label, value] of rows) out.push([label, String(value)]);
  return out.toString();
}
