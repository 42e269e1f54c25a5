import { describe, expect, it } from "vitest";
import { isCurrencyCode, moneyCentsText, wholeMoneyText } from "./money.js";

describe("money as boards write it", () => {
  it("dollars by default, as the alerts always wrote them", () => {
    expect(moneyCentsText(12.4)).toBe("$12.40");
    // 49,000.4 rounds to 49,000; 1234.5 rounds half away from zero to 1,235.
    expect(wholeMoneyText(49_000.4)).toBe("$49,000");
    expect(wholeMoneyText(1234.5)).toBe("$1,235");
    expect(wholeMoneyText(-1200)).toBe("-$1,200");
    expect(wholeMoneyText(-1234.5)).toBe("-$1,235");
  });

  it("a track's own currency: pounds, euros, Hong Kong dollars", () => {
    expect(moneyCentsText(45.4, "GBP")).toBe("£45.40");
    expect(wholeMoneyText(12_345, "EUR")).toBe("€12,345");
    expect(moneyCentsText(35, "HKD")).toBe("HK$35.00");
    expect(wholeMoneyText(7_000_000, "AUD")).toBe("A$7,000,000");
  });

  it("knows currency codes, and nothing else", () => {
    expect(isCurrencyCode("GBP")).toBe(true);
    expect(isCurrencyCode("gbp")).toBe(false);
    expect(isCurrencyCode("XYZ")).toBe(false);
    expect(isCurrencyCode("£")).toBe(false);
  });
});
