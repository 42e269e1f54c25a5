/**
 * The text every channel sends: pure functions of a StoredAlert (the one read
 * shape of an alert, @totewatch/db), no I/O. An alert not tied to a race is
 * shown in UTC; a runner's alert without a subject names the runner.
 */
import type { StoredAlert } from "@totewatch/db";
import { isCurrencyCode, localDateTimeOf, minutesToPost, type BoardOddsFormat } from "@totewatch/tote";
// The rules write each alert's message with these; the channels name race and runner the same way.
import { boardOddsText, dollars, raceLabel as raceContextLabel, runnerLabel } from "../rules/common.js";

/** The facts a rule recorded with the alert, with the common ones typed. */
export interface DeliverableDetails {
  /** Odds-to-1 (or $2 payout, for exacta alerts) the comparison started from. */
  before?: number;
  /** Odds-to-1 (or $2 payout) when the alert fired. */
  after?: number;
  /** Minutes to post when the alert fired (negative after post); null when post time is unknown. */
  minutesToPost?: number | null;
  [key: string]: unknown;
}

/** Details are JSON text written by rules: keep the known fields only when they are numbers. */
export function deliverableDetails(alert: Pick<StoredAlert, "details">): DeliverableDetails {
  const normalized: DeliverableDetails = { ...alert.details };
  for (const key of ["before", "after"] as const) {
    if (typeof normalized[key] !== "number" || !Number.isFinite(normalized[key])) delete normalized[key];
  }
  const minutes = normalized.minutesToPost;
  if (minutes !== null && (typeof minutes !== "number" || !Number.isFinite(minutes)))
    delete normalized.minutesToPost;
  return normalized;
}

/** Program number ("3") or exacta combination ("1-2"); the runner's program number when none was stored. */
export function subjectOf(alert: StoredAlert): string | null {
  return alert.subject ?? alert.runner?.programNumber ?? null;
}

/** IANA zone of the alert's track (UTC when it names no race). */
const zoneOf = (alert: StoredAlert): string => alert.race?.timezone ?? "UTC";

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
  drift: "drift",
  scratch: "scratch",
  late_change: "late odds change",
};

/** "steam", "odds change"; unknown types readable as they are. */
export function alertTypeLabel(alertType: string): string {
  return TYPE_LABELS[alertType] ?? alertType.replaceAll("_", " ");
}

/** Exacta alerts compare $2 payouts; every other rule compares win odds. */
function isPayoutAlert(alert: StoredAlert): boolean {
  return alert.alertType.startsWith("exacta");
}

/** "Saratoga R5" as the rules write it, or "" for an alert not tied to a race. */
export function raceLabel(alert: Pick<StoredAlert, "race">): string {
  return alert.race === null ? "" : raceContextLabel(alert.race);
}

/** "#3 Thunder Road", "exacta 1-2", or "" when the alert names no subject. */
export function subjectLabel(alert: StoredAlert): string {
  const subject = subjectOf(alert);
  if (subject === null) return "";
  if (alert.runner !== null) return runnerLabel(subject, alert.runner.horse);
  return isPayoutAlert(alert) ? `exacta ${subject}` : `#${subject}`;
}

/** Minutes to post when the alert fired: as the rule recorded it, else from the race's post time. */
export function minutesToPostOf(alert: StoredAlert): number | null {
  const { minutesToPost: recorded } = deliverableDetails(alert);
  if (typeof recorded === "number") return recorded;
  const postTime = alert.race?.postTime ?? null;
  return postTime === null ? null : minutesToPost(postTime, alert.triggeredAt);
}

/** The board a decimal tote's alert recorded in its details (see the rules' evaluate.ts); else none. */
function decimalBoardOf(alert: Pick<StoredAlert, "details">): BoardOddsFormat | null {
  const { oddsFormat, dividendUnit } = alert.details ?? {};
  if (oddsFormat !== "decimal") return null;
  const unit = typeof dividendUnit === "number" && Number.isFinite(dividendUnit) && dividendUnit > 0;
  return { oddsFormat, dividendUnit: unit ? dividendUnit : 1 };
}

/** One value as the board or the payout shows it: "5-2", "3.50" (a decimal tote), "$12.40", "£12.40". */
function valueText(alert: StoredAlert, value: number): string {
  if (isPayoutAlert(alert)) {
    const { currency } = alert.details ?? {};
    return dollars(
      value,
      typeof currency === "string" && isCurrencyCode(currency) ? { currency } : undefined,
    );
  }
  return value >= 0 ? boardOddsText(value, decimalBoardOf(alert) ?? undefined) : String(value);
}

/** "5-1 -> 5-2", "-> $12.40" (no before), or "" when the alert recorded neither. */
export function valueMove(alert: StoredAlert): string {
  const { before, after } = deliverableDetails(alert);
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
export function messageBody(alert: StoredAlert): string {
  let text = alert.message;
  const race = raceLabel(alert);
  if (race !== "" && text.startsWith(`${race} `)) text = text.slice(race.length + 1);
  const subject = subjectLabel(alert);
  // As the rules write them: a runner is followed by ": ", a combination by a space.
  const lead = `${subject}${isPayoutAlert(alert) ? " " : ": "}`;
  if (subject !== "" && text.startsWith(lead)) text = text.slice(lead.length);
  return text;
}

/**
 * `13:42:05 Saratoga R5 #3 Thunder Road [steam] 5-1 -> 5-2 (-50.0%), 8 min to post`; `clock`
 * writes the time (the console channel names the zone too: console-format.ts).
 */
export function consoleLine(
  alert: StoredAlert,
  clock: (alert: StoredAlert) => string = (each) => localTime(each.triggeredAt, zoneOf(each)),
): string {
  const parts = [clock(alert), raceLabel(alert), subjectLabel(alert)];
  parts.push(`[${alert.alertType}]`, messageBody(alert));
  return parts.filter((part) => part !== "").join(" ");
}

/** `[Totewatch] Saratoga R5: #3 Thunder Road steam 5-1 -> 5-2` */
export function emailSubject(alert: StoredAlert, subjectPrefix: string): string {
  const race = raceLabel(alert) || "Totewatch alert";
  const short = [subjectLabel(alert), alertTypeLabel(alert.alertType), valueMove(alert)]
    .filter((part) => part !== "")
    .join(" ");
  return [subjectPrefix.trim(), `${race}: ${short}`].filter((part) => part !== "").join(" ");
}

/** The plain-text email: race, runner, values before and after, minutes to post, the rule's message. */
export function emailText(alert: StoredAlert): string {
  const lines: string[] = [];
  const { race } = alert;
  const zone = zoneOf(alert);
  if (race !== null) {
    const post =
      race.postTime === null ? "post time unknown" : `post ${localTime(race.postTime, zone).slice(0, 5)}`;
    lines.push(`Race: ${race.track} race ${race.raceNumber}, ${race.raceDate} (${post})`);
  }
  if (subjectOf(alert) !== null)
    lines.push(`${isPayoutAlert(alert) ? "Combination" : "Runner"}: ${subjectLabel(alert)}`);
  lines.push(`Alert: ${alertTypeLabel(alert.alertType)}`);
  const { before, after } = deliverableDetails(alert);
  const labels = valueLabels(alert);
  if (before !== undefined)
    lines.push(`${labels.before}: ${valueText(alert, before)}${rawOdds(alert, before)}`);
  if (after !== undefined) lines.push(`${labels.after}: ${valueText(alert, after)}${rawOdds(alert, after)}`);
  const minutes = minutesToPostOf(alert);
  lines.push(`Minutes to post: ${minutes === null ? "unknown" : String(Math.round(minutes))}`);
  lines.push(`Triggered: ${localTime(alert.triggeredAt, zone)} ${zone} (${alert.triggeredAt.toISOString()})`);
  lines.push("", alert.message, "", `Alert key: ${alert.dedupeKey}`);
  return `${lines.join("\n")}\n`;
}

/**
 * What details.before/after are: an overlay compares the win odds with the
 * morning line (its `before`), not with earlier win odds.
 */
function valueLabels(alert: StoredAlert): { before: string; after: string } {
  if (isPayoutAlert(alert)) return { before: "Probable payout before", after: "Probable payout after" };
  if (alert.alertType === "overlay") return { before: "Morning line", after: "Win odds" };
  return { before: "Win odds before", after: "Win odds after" };
}

/** Board prices are rounded down; the exact odds-to-1 are shown beside them (a dividend is exact). */
function rawOdds(alert: StoredAlert, value: number): string {
  if (isPayoutAlert(alert) || decimalBoardOf(alert) !== null) return "";
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

export function webhookPayload(alert: StoredAlert, sentAt: Date): WebhookPayload {
  const { race } = alert;
  return {
    id: alert.dedupeKey,
    type: alert.alertType,
    triggeredAt: alert.triggeredAt.toISOString(),
    message: alert.message,
    race:
      race === null
        ? null
        : {
            track: race.track,
            date: race.raceDate,
            number: race.raceNumber,
            postTime: race.postTime?.toISOString() ?? null,
          },
    subject: subjectOf(alert),
    horse: alert.runner?.horse ?? null,
    minutesToPost: minutesToPostOf(alert),
    details: deliverableDetails(alert),
    sentAt: sentAt.toISOString(),
  };
}
