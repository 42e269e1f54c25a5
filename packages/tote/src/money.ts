/**
 * Money as a track's board writes it: the track's currency (ISO 4217, config
 * tracks[].currency), the symbol English-language boards use ("$", "£", "€",
 * "HK$", "A$"), thousands separators. Pure; one formatter per currency and
 * precision, made once.
 */

/** A track nobody gave a currency: North American dollars. */
export const DEFAULT_CURRENCY = "USD";

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(currency: string, cents: boolean): Intl.NumberFormat {
  const key = `${currency}:${cents}`;
  let format = formatters.get(key);
  if (format === undefined) {
    const digits = cents ? 2 : 0;
    format = new Intl.NumberFormat("en", {
      style: "currency",
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    formatters.set(key, format);
  }
  return format;
}

/** "$12.40", "£12.40", "HK$12.40": a payout, to the cent. */
export function moneyCentsText(amount: number, currency: string = DEFAULT_CURRENCY): string {
  return formatter(currency, true).format(amount);
}

/** "$49,000", "-£1,200": a pool or an amount bet, in whole units (halves away from zero). */
export function wholeMoneyText(amount: number, currency: string = DEFAULT_CURRENCY): string {
  const whole = Math.round(Math.abs(amount));
  return formatter(currency, false).format(amount < 0 ? -whole : whole);
}

/** True for a currency code Intl knows ("USD", "GBP", "HKD"); the config refuses others. */
export function isCurrencyCode(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && Intl.supportedValuesOf("currency").includes(code);
}
