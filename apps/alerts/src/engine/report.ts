/** Tables the CLI and the demo print (cli-table3). Pure: they return text. */
import type { AlertListing } from "@totewatch/db";
import { localDateTimeOf } from "@totewatch/tote";
import Table from "cli-table3";
import type { BacktestAlert, BacktestResult } from "../backtest/backtest.js";

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

function subjectText(subject: string | null, horse: string | null): string {
  if (subject === null) return "";
  return horse === null ? subject : `#${subject} ${horse}`;
}

function table(head: string[]): Table.Table {
  // No colours: output is read in terminals and in logs alike.
  return new Table({ head, style: { head: [], border: [] } });
}

/** `alerts list`: time, track, race, type, subject, message, sent. */
export function alertListTable(alerts: readonly AlertListing[]): string {
  if (alerts.length === 0) return "No alerts.";
  const out = table(["time (track local)", "track", "race", "type", "subject", "message", "sent"]);
  for (const alert of alerts) {
    out.push([
      localDateTime(alert.triggeredAt, alert.timezone),
      alert.track ?? "",
      alert.raceNumber === null ? "" : String(alert.raceNumber),
      alert.alertType,
      subjectText(alert.subject, alert.horse),
      clip(alert.message),
      alert.sent
        ? alert.sentAt
          ? `yes ${localDateTime(alert.sentAt, alert.timezone).slice(11)}`
          : "yes"
        : "no",
    ]);
  }
  return out.toString();
}

/** Alerts per rule (type), most first, as [type, count]. */
export function countByType(alerts: readonly { type: string }[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const alert of alerts) counts.set(alert.type, (counts.get(alert.type) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** Strongest first; ties by time. */
export function strongest<T extends { strength: number; triggeredAt: Date }>(
  alerts: readonly T[],
  n: number,
): T[] {
  return [...alerts]
    .sort((a, b) => b.strength - a.strength || a.triggeredAt.getTime() - b.triggeredAt.getTime())
    .slice(0, n);
}

function backtestAlertRows(out: Table.Table, alerts: readonly BacktestAlert[]): void {
  for (const alert of alerts) {
    out.push([
      localDateTime(alert.triggeredAt, alert.timezone),
      `${alert.track} R${alert.raceNumber}`,
      subjectText(alert.subject, alert.horse),
      alert.strength.toFixed(2),
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
  const summary = table(["rule", "alerts", "races"]);
  for (const [type, count] of counts) {
    const races = new Set(result.alerts.filter((alert) => alert.type === type).map((alert) => alert.raceId))
      .size;
    summary.push([type, String(count), String(races)]);
  }
  lines.push(summary.toString());
  for (const [type, count] of counts) {
    const top = strongest(
      result.alerts.filter((alert) => alert.type === type),
      options.top,
    );
    lines.push("", `${type}: ${count} alert(s), strongest ${top.length}:`);
    const out = table(["time (track local)", "race", "subject", "strength", "message"]);
    backtestAlertRows(out, top);
    lines.push(out.toString());
  }
  return lines.join("\n");
}

/** The demo's "five strongest alerts" table. */
export function strongestAlertsTable(alerts: readonly AlertListing[]): string {
  if (alerts.length === 0) return "No alerts.";
  const out = table(["time (track local)", "race", "type", "subject", "strength", "message"]);
  for (const alert of alerts) {
    out.push([
      localDateTime(alert.triggeredAt, alert.timezone),
      alert.track === null ? "" : `${alert.track} R${alert.raceNumber ?? "?"}`,
      alert.alertType,
      subjectText(alert.subject, alert.horse),
      alert.strength === null ? "" : alert.strength.toFixed(2),
      clip(alert.message),
    ]);
  }
  return out.toString();
}

/** Two-column table of (label, value) rows. */
export function keyValueTable(
  head: [string, string] | null,
  rows: ReadonlyArray<[string, string | number]>,
): string {
  const out = table(head ?? []);
  for (const [label, value] of rows) out.push([label, String(value)]);
  return out.toString();
}
