/**
 * The alerts table both the alerts page and the race page show (id="alerts",
 * one per page): time on the track's clock, race (alerts page only), type,
 * subject, message and delivery state with each channel's details. Rows carry
 * id="alert-<id>" so the board's badges can link to them.
 */
import type { AlertRow, DeliveryState } from "../api/types.js";
import { h } from "./dom.js";
import { alertTypeLabel, clockDateTime, clockTime, clockTimeSeconds, tries, zoneName } from "./format.js";

/** The zone of the browser, for an alert that names no race. */
const LOCAL_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

type Delivery = AlertRow["deliveries"][number];

const DELIVERY_LABELS: Record<DeliveryState, string> = {
  delivered: "delivered",
  pending: "pending",
  failing: "failing",
  none: "no channel",
};

/** A delivery state as the table and the filter menu say it ("none" is "no channel"). */
export function deliveryLabel(state: string): string {
  return (DELIVERY_LABELS as Record<string, string | undefined>)[state] ?? state.replaceAll("_", " ");
}

/** A delivery filter in a caption: "delivery failing", "no delivery channel". */
export function deliveryCaption(state: string): string {
  return state === "none" ? "no delivery channel" : `delivery ${deliveryLabel(state)}`;
}

/** "email: failing (3 tries: timeout)", "webhook: delivered 1:05 PM", "push: pending". */
export function channelText(d: Delivery, timeZone: string): string {
  if (d.deliveredAt) return `${d.channel}: delivered ${clockTime(d.deliveredAt, timeZone)}`;
  if (d.lastError) return `${d.channel}: failing (${tries(d.attempts)}: ${d.lastError})`;
  const parts: string[] = [];
  if (d.attempts > 0) parts.push(tries(d.attempts));
  if (d.nextAttemptAt) parts.push(`next ${clockTime(d.nextAttemptAt, timeZone)}`);
  return `${d.channel}: pending${parts.length ? ` (${parts.join(", ")})` : ""}`;
}

function deliveryCell(alert: AlertRow, timeZone: string): HTMLTableCellElement {
  return h(
    "td",
    { class: "delivery" },
    h("span", { class: `state state-${alert.delivery}` }, deliveryLabel(alert.delivery)),
    alert.deliveries.length > 0
      ? h(
          "ul",
          { class: "channels" },
          alert.deliveries.map((d) => h("li", null, channelText(d, timeZone))),
        )
      : null,
  );
}

function subjectText(alert: AlertRow): string {
  if (alert.runner) return `#${alert.runner.programNumber} ${alert.runner.horse}`;
  return alert.subject ?? "—";
}

export interface AlertsTableOptions {
  caption: string;
  /** The alerts page lists many races (a race column, dates in the time); the race page one. */
  withRace: boolean;
}

function alertRow(alert: AlertRow, withRace: boolean): HTMLTableRowElement {
  const timeZone = alert.race?.timezone ?? LOCAL_ZONE;
  const time = withRace
    ? clockDateTime(alert.triggeredAt, timeZone)
    : clockTimeSeconds(alert.triggeredAt, timeZone);
  const race = alert.race;
  return h(
    "tr",
    {
      id: `alert-${alert.alertId}`,
      "data-alert-id": alert.alertId,
      // :target does not match a row built after the page loaded with #alert-N, so say it with a class.
      class: `delivery-${alert.delivery}${location.hash === `#alert-${alert.alertId}` ? " is-target" : ""}`,
    },
    h(
      "td",
      { class: "nowrap" },
      h("time", { datetime: alert.triggeredAt }, time),
      withRace ? h("span", { class: "zone" }, ` ${zoneName(alert.triggeredAt, timeZone)}`) : null,
    ),
    withRace
      ? h(
          "td",
          { class: "nowrap" },
          race ? h("a", { href: `/race/${race.raceId}` }, `${race.track} R${race.raceNumber}`) : "—",
          race ? h("span", { class: "sub" }, race.raceDate) : null,
        )
      : null,
    h("td", null, h("span", { class: "alert-type" }, alertTypeLabel(alert.alertType))),
    h("th", { scope: "row" }, subjectText(alert)),
    h("td", { class: "message" }, alert.message),
    deliveryCell(alert, timeZone),
  );
}

export function alertsTable(alerts: AlertRow[], options: AlertsTableOptions): HTMLTableElement {
  const headers = ["Time", ...(options.withRace ? ["Race"] : []), "Type", "Subject", "Message", "Delivery"];
  return h(
    "table",
    { id: "alerts", class: "alerts" },
    h("caption", null, options.caption),
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        headers.map((label) => h("th", { scope: "col" }, label)),
      ),
    ),
    h(
      "tbody",
      null,
      alerts.length > 0
        ? alerts.map((alert) => alertRow(alert, options.withRace))
        : h("tr", { class: "empty" }, h("td", { colspan: headers.length }, "No alerts.")),
    ),
  );
}
