/** The text every channel sends: pure functions of a DeliverableAlert, no I/O. */
import { formatBoardOdds, localDateTimeOf, minutesToPost } from "@totewatch/tote";
import type { DeliverableAlert } from "./types.js";

const TYPE_LABELS: Record<string, string> = {
  odds_below: "odds below threshold",
  odds_above: "odds above threshold",
  odds_change: "odds change",
  steam: "steam",
  overlay: "overlay vs morning line",
  exacta_low: "exacta probable low",
  exacta_high: "exacta probable high",
  exacta_overlay: "exacta overlay",
  exacta_underlay: "exacta underlay",
};

/** "steam", "odds change"; unknown types readable as they are. */
export function alertTypeLabel(alertType: string): string {
  return TYPE_LABELS[alertType] ?? alertType.replaceAll("_", " ");
}

/** Exacta alerts compare $2 payouts; every other rule compares win odds. */
function isPayoutAlert(alert: DeliverableAlert): boolean {
  return alert.alertType.startsWith("exacta");
}

/** "Saratoga R5", or "" for an alert not tied to a race. */
export function raceLabel(alert: DeliverableAlert): string {
  if (alert.track === null) return "";
  return alert.raceNumber === null ? alert.track : `${alert.track} R${alert.raceNumber}`;
}

/** "#3 Thunder Road", "exacta 1-2", or "" when the alert names no subject. */
export function subjectLabel(alert: DeliverableAlert): string {
  if (alert.subject === null) return "";
  if (alert.horse !== null) return `#${alert.subject} ${alert.horse}`;
  return isPayoutAlert(alert) ? `exacta ${alert.subject}` : `#${alert.subject}`;
}

/** Minutes to post when the alert fired: as the rule recorded it, else from the race's post time. */
export function minutesToPostOf(alert: DeliverableAlert): number | null {
  if (typeof alert.details.minutesToPost === "number") return alert.details.minutesToPost;
  return alert.postTime === null ? null : minutesToPost(alert.postTime, alert.triggeredAt);
}

/** "8 min to post", "2 min after post", "post time unknown". */
export function postTimeText(minutes: number | null): string {
  if (minutes === null) return "post time unknown";
  const whole = Math.round(minutes);
  return whole >= 0 ? `${whole} min to post` : `${-whole} min after post`;
}

/** One value as the board or the payout shows it: "5-2", "$12.40". */
function valueText(alert: DeliverableAlert, value: number): string {
  if (isPayoutAlert(alert)) return `$${value.toFixed(2)}`;
  return value >= 0 ? formatBoardOdds(value) : String(value);
}

/** "5-1 -> 5-2", "-> $12.40" (no before), or "" when the alert recorded neither. */
export function valueMove(alert: DeliverableAlert): string {
  const { before, after } = alert.details;
  if (before === undefined && after === undefined) return "";
  const from = before === undefined ? "" : valueText(alert, before);
  const to = after === undefined ? "?" : valueText(alert, after);
  return from === "" ? `-> ${to}` : `${from} -> ${to}`;
}

/** HH:MM:SS in the track's zone (UTC when unknown or invalid). */
export function localTime(instant: Date, timeZone: string): string {
  try {
    return localDateTimeOf(instant, timeZone).slice(11);
  } catch {
    return instant.toISOString().slice(11, 19);
  }
}

/**
 * The rule's message without the race and subject it starts with, for lines that name them
 * already: "Saratoga R5 #3 Thunder Road: 5-1 -> 5-2 ..." -> "5-1 -> 5-2 ...", and
 * "Saratoga R5 exacta 1-2 probable $12.00 ..." -> "probable $12.00 ...".
 */
export function messageBody(alert: DeliverableAlert): string {
  let text = alert.message;
  const race = raceLabel(alert);
  if (race !== "" && text.startsWith(`${race} `)) text = text.slice(race.length + 1);
  const subject = subjectLabel(alert);
  // As the rules write them: a runner is followed by ": ", a combination by a space.
  const lead = `${subject}${isPayoutAlert(alert) ? " " : ": "}`;
  if (subject !== "" && text.startsWith(lead)) text = text.slice(lead.length);
  return text;
}

/** `13:42:05 Saratoga R5 #3 Thunder Road [steam] 5-1 -> 5-2 (-50.0%), 8 min to post` */
export function consoleLine(alert: DeliverableAlert): string {
  const parts = [localTime(alert.triggeredAt, alert.timezone), raceLabel(alert), subjectLabel(alert)];
  parts.push(`[${alert.alertType}]`, messageBody(alert));
  return parts.filter((part) => part !== "").join(" ");
}

/** `[Totewatch] Saratoga R5: #3 Thunder Road steam 5-1 -> 5-2` */
export function emailSubject(alert: DeliverableAlert, subjectPrefix: string): string {
  const race = raceLabel(alert) || "Totewatch alert";
  const short = [subjectLabel(alert), alertTypeLabel(alert.alertType), valueMove(alert)]
    .filter((part) => part !== "")
    .join(" ");
  return [subjectPrefix.trim(), `${race}: ${short}`].filter((part) => part !== "").join(" ");
}

/** The plain-text email: race, runner, values before and after, minutes to post, the rule's message. */
export function emailText(alert: DeliverableAlert): string {
  const lines: string[] = [];
  if (alert.track !== null) {
    const post =
      alert.postTime === null
        ? "post time unknown"
        : `post ${localTime(alert.postTime, alert.timezone).slice(0, 5)}`;
    lines.push(
      `Race: ${alert.track} race ${alert.raceNumber ?? "?"}, ${alert.raceDate ?? "date unknown"} (${post})`,
    );
  }
  if (alert.subject !== null)
    lines.push(`${isPayoutAlert(alert) ? "Combination" : "Runner"}: ${subjectLabel(alert)}`);
  lines.push(`Alert: ${alertTypeLabel(alert.alertType)}`);
  const { before, after } = alert.details;
  const labels = valueLabels(alert);
  if (before !== undefined)
    lines.push(`${labels.before}: ${valueText(alert, before)}${rawOdds(alert, before)}`);
  if (after !== undefined) lines.push(`${labels.after}: ${valueText(alert, after)}${rawOdds(alert, after)}`);
  const minutes = minutesToPostOf(alert);
  lines.push(`Minutes to post: ${minutes === null ? "unknown" : String(Math.round(minutes))}`);
  lines.push(
    `Triggered: ${localTime(alert.triggeredAt, alert.timezone)} ${alert.timezone} (${alert.triggeredAt.toISOString()})`,
  );
  lines.push("", alert.message, "", `Alert key: ${alert.dedupeKey}`);
  return `${lines.join("\n")}\n`;
}

/**
 * What details.before/after are: an overlay compares the win odds with the
 * morning line (its `before`), not with earlier win odds.
 */
function valueLabels(alert: DeliverableAlert): { before: string; after: string } {
  if (isPayoutAlert(alert)) return { before: "Probable payout before", after: "Probable payout after" };
  if (alert.alertType === "overlay") return { before: "Morning line", after: "Win odds" };
  return { before: "Win odds before", after: "Win odds after" };
}

/** Board prices are rounded down; the exact odds-to-1 are shown beside them. */
function rawOdds(alert: DeliverableAlert, value: number): string {
  if (isPayoutAlert(alert)) return "";
  const exact = Number(value.toFixed(2));
  return ` (${exact}-1)`;
}

/** The JSON document a webhook receives. */
export interface WebhookPayload {
  /** Same as the Idempotency-Key header: a receiver deduplicates on it. */
  id: string;
  type: string;
  triggeredAt: string;
  message: string;
  race: { track: string; date: string | null; number: number | null; postTime: string | null } | null;
  subject: string | null;
  horse: string | null;
  minutesToPost: number | null;
  details: Record<string, unknown>;
  /** When this attempt was made (also in X-Totewatch-Timestamp, here so it is covered by the signature). */
  sentAt: string;
}

export function webhookPayload(alert: DeliverableAlert, sentAt: Date): WebhookPayload {
  return {
    id: alert.dedupeKey,
    type: alert.alertType,
    triggeredAt: alert.triggeredAt.toISOString(),
    message: alert.message,
    race:
      alert.track === null
        ? null
        : {
            track: alert.track,
            date: alert.raceDate,
            number: alert.raceNumber,
            postTime: alert.postTime?.toISOString() ?? null,
          },
    subject: alert.subject,
    horse: alert.horse,
    minutesToPost: minutesToPostOf(alert),
    details: alert.details,
    sentAt: sentAt.toISOString(),
  };
}
