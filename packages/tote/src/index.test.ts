import { describe, expect, it } from "vitest";
import * as tote from "./index.js";

describe("@totewatch/tote public face", () => {
  it("exports the names other packages code against", () => {
    const functions = [
      "parseBoardOdds",
      "oddsToDecimal",
      "impliedProbability",
      "boardOdds",
      "formatBoardOdds",
      "dividendText",
      "boardOddsText",
      "winOddsFromPool",
      "exactaPayoutFromPool",
      "normalizedWinProbabilities",
      "harvilleExactaProbability",
      "fairExactaPayout",
      "harvilleExactaGrid",
      "isCalendarDate",
      "isIanaTimeZone",
      "resolvePostTime",
      "minutesToPost",
      "localDateOf",
      "localDateTimeOf",
      "zoneOffsetMs",
      "compareProgramNumbers",
      "runnerLabel",
      "interestKeyOf",
      "interestsOf",
      "interestsByKey",
      "interestsOfRunners",
      "poolAmountsOf",
      "sharesOfAmounts",
      "sharesOfOdds",
      "winProbabilities",
      "interestCombinationOf",
      "probablesByCombination",
      "fairExactaOf",
      "percentOverFair",
      "exactaValueGrid",
    ] as const;
    for (const name of functions) expect(typeof tote[name], name).toBe("function");
    expect(tote.DEFAULT_WIN_TAKEOUT).toBe(0.16);
    expect(tote.DEFAULT_EXACTA_TAKEOUT).toBe(0.2);
    expect(tote.DEFAULT_TIME_ZONE).toBe("America/New_York");
    expect(tote.RACE_STATUSES).toEqual(["scheduled", "open", "off", "official", "cancelled"]);
  });
});
