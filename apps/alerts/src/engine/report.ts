/**
 * Tables the CLI and the demo print (cli-kit's createTable). Pure: they
 * return text. Every row is a StoredAlert, stored or (backtest) would-be:
 * one alert shape, so the same columns read the same way everywhere.
 */
import { createTable, fittedTable, type Table } from "@totewatch/cli-kit";
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

/** `alerts list`: time, track, race, type, subject, message, sent. */
export function alertListTable(alerts: readonly StoredAlert[]): string {
  if (alerts.length === 0) return "No alerts.";
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

/** `alerts backtest`: a count per rule, then each rule's strongest alerts. */
export function backtestReport(result: BacktestResult, options: { top: number }): string {
  const lines: string[] = [];
  const counts = countByType(result.alerts);
  lines.push(
    `${result.races} race(s), ${result.stats.winSnapshots} win snapshot(s), ${result.stats.exactaGrids} exacta grid(s) evaluated; ` +
      `${result.alerts.length} alert(s) would have fired ` +
      `(suppressed: ${result.stats.suppressed.duplicate} duplicate, ${result.stats.suppressed.race_limit} over a per-race limit).`,
  );
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
    const out = createTable(["time (track local)", "race", "subject", "strength", "message"]);
    strongestRows(out, top);
    lines.push(out.toString());
  }
  return lines.join("\n");
}

/** The widest line of the demo's tables: a terminal's 100 columns. */
export const DEMO_WIDTH = 100;

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
