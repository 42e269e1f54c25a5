/**
 * How numbers, odds and instants read on the page: money, percents, odds in
 * the track's own format, times on the track's clock, the countdown to post
 * and "n min ago". Pure functions over the API's values (no DOM).
 */
import { formatOdds, moneyCentsText, wholeMoneyText } from "@totewatch/tote";
import type { OddsDisplay } from "../api/types.js";

const LOCALE = "en-US";

// Formatters are costly to build and a board asks for dozens of times, so one per zone and style.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${timeZone}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(LOCALE, { ...options, timeZone });
    } catch {
      // A zone this browser does not know: UTC is wrong by hours but never blank.
      f = new Intl.DateTimeFormat(LOCALE, { ...options, timeZone: "UTC" });
    }
    formatters.set(key, f);
  }
  return f;
}

/** Epoch ms of an ISO instant, epoch ms as given, null for nothing or nonsense. */
export function toMs(instant: string | number | null | undefined): number | null {
  if (instant === null || instant === undefined) return null;
  const ms = typeof instant === "number" ? instant : Date.parse(instant);
  return Number.isFinite(ms) ? ms : null;
}

/** "1:05 PM" on the given zone's clock. */
export function clockTime(instant: string | number | null, timeZone: string): string {
  const ms = toMs(instant);
  return ms === null ? "—" : formatter(timeZone, { hour: "numeric", minute: "2-digit" }).format(ms);
}

/** "1:05:10 PM": board times, where seconds tell one board from the next. */
export function clockTimeSeconds(instant: string | number | null, timeZone: string): string {
  const ms = toMs(instant);
  if (ms === null) return "—";
  return formatter(timeZone, { hour: "numeric", minute: "2-digit", second: "2-digit" }).format(ms);
}

/** "Jun 14, 1:05 PM" on the zone's clock (the alerts log spans days). */
export function clockDateTime(instant: string | number | null, timeZone: string): string {
  const ms = toMs(instant);
  if (ms === null) return "—";
  return formatter(timeZone, { month: "short", day: "numeric", hour: "numeric", minute: "2-digit" }).format(
    ms,
  );
}

/** "EDT": the zone's short name at that instant ("GMT+1" where the locale has no abbreviation). */
export function zoneName(instant: string | number | null, timeZone: string): string {
  const ms = toMs(instant) ?? Date.now();
  const part = formatter(timeZone, { timeZoneName: "short" })
    .formatToParts(ms)
    .find((p) => p.type === "timeZoneName");
  return part?.value ?? timeZone;
}

/** "Sat, Jun 14, 2025" for a calendar date "2025-06-14" (read at UTC noon so no zone shifts the day). */
export function dateLabel(date: string): string {
  const ms = Date.parse(`${date}T12:00:00Z`);
  if (!Number.isFinite(ms)) return date;
  return formatter("UTC", { weekday: "short", month: "short", day: "numeric", year: "numeric" }).format(ms);
}

/** "$123,456", "£123,456" (pools) in the track's currency, or "—" when unknown. */
export function money(amount: number | null | undefined, currency = "USD"): string {
  return amount === null || amount === undefined || !Number.isFinite(amount)
    ? "—"
    : wholeMoneyText(amount, currency);
}

/** "$45.40", "HK$45.40" (payouts). */
export function moneyCents(amount: number | null | undefined, currency = "USD"): string {
  return amount === null || amount === undefined || !Number.isFinite(amount)
    ? "—"
    : moneyCentsText(amount, currency);
}

/** A 0..1 fraction as "28.6%". */
export function percent(fraction: number | null | undefined, digits = 1): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return "—";
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** A percent value as "+32%" / "−8%" / "0%". */
export function signedPercent(value: number): string {
  const rounded = Math.round(value);
  if (rounded === 0) return "0%";
  return `${rounded > 0 ? "+" : "−"}${Math.abs(rounded)}%`;
}

/** Odds as the track's board quotes them: "5-2" on a US board, the dividend "3.50" on a decimal one. */
export function oddsLabel(odds: number, display: OddsDisplay | null): string {
  if (display?.oddsFormat === "decimal") return dividendOf(odds, display).toFixed(2);
  return formatOdds(odds);
}

/** The decimal dividend (stake included, per the board's unit) of odds-to-1. */
export function dividendOf(odds: number, display: OddsDisplay): number {
  return (odds + 1) * display.dividendUnit;
}

/** The text a board gave, else odds formatted for the board, else "—". */
export function oddsText(text: string | null, odds: number | null, display: OddsDisplay | null): string {
  if (text) return text;
  return odds === null ? "—" : oddsLabel(odds, display);
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * The countdown a race shows: "official", "off", "MTP 7" from ten minutes
 * out, "4:32" inside them, "at post" once post time passes without the off.
 */
export function countdown(
  status: string,
  postTime: string | null,
  offAt: string | null,
  now: number,
): string {
  if (status === "official" || status === "cancelled") return status;
  if (status === "off" || offAt) return "off";
  const post = toMs(postTime);
  if (post === null) return "—";
  const seconds = Math.floor((post - now) / 1000);
  if (seconds <= 0) return "at post";
  if (seconds >= 3 * 3600) return `in ${Math.floor(seconds / 3600)} h`;
  if (seconds >= 600) return `MTP ${Math.floor(seconds / 60)}`;
  return `${Math.floor(seconds / 60)}:${pad2(seconds % 60)}`;
}

/** "12 s ago", "1 min ago", "3 h ago". */
export function ago(ms: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - ms) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  return `${Math.floor(minutes / 60)} h ago`;
}

/** "steam", "exacta overlay": an alert type as words. */
export function alertTypeLabel(type: string): string {
  return type.replaceAll("_", " ");
}

/** "1 try" / "3 tries". */
export function tries(n: number): string {
  return `${n} ${n === 1 ? "try" : "tries"}`;
}
