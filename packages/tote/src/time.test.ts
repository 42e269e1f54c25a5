import { describe, expect, it } from "vitest";
import * as tote from "./index.js";
import {
  isCalendarDate,
  isIanaTimeZone,
  localDateOf,
  localDateTimeOf,
  MAX_POST_TIME_LENGTH,
  minutesToPost,
  parseIsoInstant,
  resolvePostTime,
  zoneOffsetMs,
} from "./time.js";

function iso(postTime: string, raceDate: string, timeZone: string): string {
  return resolvePostTime(postTime, raceDate, timeZone).toISOString();
}

/** The wall clock of an instant in a zone, read independently of the code under test. */
function wallClock(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("sv-SE", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).format(instant);
}

describe("isCalendarDate", () => {
  it.each(["2025-09-12", "2024-02-29", "2000-02-29", "2025-12-31", "2025-01-01", "2025-04-30"])(
    "accepts the real date %s",
    (s) => {
      expect(isCalendarDate(s)).toBe(true);
    },
  );

  it.each([
    "2025-02-30", // February never has 30 days
    "2025-02-29", // 2025 is not a leap year
    "1900-02-29", // centuries are not leap years unless divisible by 400
    "2025-04-31",
    "2025-13-01",
    "2025-00-10",
    "2025-09-00",
    "2025-9-12",
    "25-09-12",
    " 2025-09-12",
    "2025-09-12T00:00",
    "2025/09/12",
    "",
  ])("rejects %j", (s) => {
    expect(isCalendarDate(s)).toBe(false);
  });
});

describe("isIanaTimeZone", () => {
  it.each(["America/New_York", "Australia/Sydney", "Europe/London", "UTC", "Asia/Kolkata"])(
    "accepts %s",
    (tz) => {
      expect(isIanaTimeZone(tz)).toBe(true);
    },
  );

  it.each(["", "  ", "Mars/Olympus", "America/Nowhere", "+05:00", "-04:00", "New York"])(
    "rejects %j",
    (tz) => {
      expect(isIanaTimeZone(tz)).toBe(false);
    },
  );
});

describe("resolvePostTime with an ISO-8601 instant", () => {
  it("reads the offset", () => {
    // 18:42 at UTC-4 is 22:42 UTC
    expect(iso("2025-09-12T18:42:00-04:00", "2025-09-12", "America/New_York")).toBe(
      "2025-09-12T22:42:00.000Z",
    );
    expect(iso("2025-09-12T22:42:00Z", "2025-09-12", "America/New_York")).toBe("2025-09-12T22:42:00.000Z");
    expect(iso("2025-09-12T22:42:00z", "2025-09-12", "America/New_York")).toBe("2025-09-12T22:42:00.000Z");
    // 13:00 at UTC+10:00 is 03:00 UTC; 15:30 at UTC+05:30 is 10:00 UTC
    expect(iso("2025-07-10T13:00:00+10:00", "2025-07-10", "Australia/Sydney")).toBe(
      "2025-07-10T03:00:00.000Z",
    );
    expect(iso("2025-07-10T15:30:00+05:30", "2025-07-10", "Asia/Kolkata")).toBe("2025-07-10T10:00:00.000Z");
  });

  it("accepts a compact offset, no seconds and fractions of a second", () => {
    expect(iso("2025-09-12T18:42-0400", "2025-09-12", "UTC")).toBe("2025-09-12T22:42:00.000Z");
    expect(iso("2025-09-12T18:42:05.25-04:00", "2025-09-12", "UTC")).toBe("2025-09-12T22:42:05.250Z");
    expect(iso("2025-09-12T18:42:05.123456-04:00", "2025-09-12", "UTC")).toBe("2025-09-12T22:42:05.123Z");
  });

  it("does not need the race date or zone to be usable", () => {
    expect(iso("2025-09-12T22:42:00Z", "", "")).toBe("2025-09-12T22:42:00.000Z");
  });

  it("refuses a date-time without an offset as ambiguous", () => {
    expect(() => resolvePostTime("2025-09-12T18:42:00", "2025-09-12", "America/New_York")).toThrow(
      /"2025-09-12T18:42:00" has no UTC offset/,
    );
    expect(() => resolvePostTime("2025-09-12T18:42", "2025-09-12", "America/New_York")).toThrow(RangeError);
  });

  it.each([
    "2025-02-30T18:42:00Z",
    "2025-09-12T24:00:00Z",
    "2025-09-12T18:60:00Z",
    "2025-09-12T18:42:60Z",
    "2025-09-12T18:42:00+25:00",
  ])("refuses the impossible instant %j", (postTime) => {
    expect(() => resolvePostTime(postTime, "2025-09-12", "UTC")).toThrow(
      new RangeError(`post time ${JSON.stringify(postTime)} is not a valid ISO-8601 instant`),
    );
  });
});

describe("parseIsoInstant", () => {
  it("is part of the package's public face", () => {
    expect(tote.parseIsoInstant).toBe(parseIsoInstant);
  });

  it("reads instants with Z, an offset, a compact offset, no seconds and fractions", () => {
    expect(parseIsoInstant("2025-09-12T22:30:00Z").toISOString()).toBe("2025-09-12T22:30:00.000Z");
    expect(parseIsoInstant("2025-09-12T18:42:00-04:00").toISOString()).toBe("2025-09-12T22:42:00.000Z");
    expect(parseIsoInstant("2025-09-12T18:42-0400").toISOString()).toBe("2025-09-12T22:42:00.000Z");
    expect(parseIsoInstant("2024-02-29T23:59:59.5+00:00").toISOString()).toBe("2024-02-29T23:59:59.500Z");
  });

  // Date.parse rolls each of these over to another instant instead of refusing it.
  it.each([
    ["a day February does not have", "2025-02-30T10:00:00Z"],
    ["February 29 outside a leap year", "2025-02-29T10:00:00Z"],
    ["a day September does not have", "2025-09-31T10:00:00Z"],
    ["month 13", "2025-13-01T10:00:00Z"],
    ["hour 24", "2025-09-12T24:00:00Z"],
    ["minute 60", "2025-09-12T18:60:00Z"],
    ["second 60", "2025-09-12T18:42:60Z"],
    ["an offset of 25 hours", "2025-09-12T18:42:00+25:00"],
    ["offset minutes of 60", "2025-09-12T18:42:00-04:60"],
  ])("refuses %s (%s), naming it", (_name, text) => {
    expect(() => parseIsoInstant(text)).toThrow(
      new RangeError(
        `${JSON.stringify(text)} is not an ISO-8601 instant with an offset (e.g. 2025-09-12T22:30:00Z)`,
      ),
    );
  });

  it.each(["2025-09-12T18:42:00", "2025-09-12", "12/09/2025 10:00", " 2025-09-12T22:30:00Z", ""])(
    "refuses %j, which is no instant with an offset",
    (text) => {
      expect(() => parseIsoInstant(text)).toThrow(RangeError);
    },
  );
});

describe("resolvePostTime with a local time", () => {
  it("reads New York summer and winter time", () => {
    // EDT is UTC-4: 18:42 -> 22:42Z; EST is UTC-5: 13:00 -> 18:00Z
    expect(iso("18:42", "2025-09-12", "America/New_York")).toBe("2025-09-12T22:42:00.000Z");
    expect(iso("13:00", "2025-01-10", "America/New_York")).toBe("2025-01-10T18:00:00.000Z");
  });

  it("reads Sydney, whose summer is in January", () => {
    // AEDT is UTC+11: 13:00 -> 02:00Z; AEST is UTC+10: 13:00 -> 03:00Z
    expect(iso("13:00", "2025-01-10", "Australia/Sydney")).toBe("2025-01-10T02:00:00.000Z");
    expect(iso("13:00", "2025-07-10", "Australia/Sydney")).toBe("2025-07-10T03:00:00.000Z");
    // A morning post falls on the previous UTC day: 09:00 AEDT -> 22:00Z the day before
    expect(iso("09:00", "2025-01-10", "Australia/Sydney")).toBe("2025-01-09T22:00:00.000Z");
  });

  it("accepts seconds, a one-digit hour, and surrounding spaces", () => {
    expect(iso("18:42:30", "2025-09-12", "America/New_York")).toBe("2025-09-12T22:42:30.000Z");
    expect(iso("9:05", "2025-09-12", "America/New_York")).toBe("2025-09-12T13:05:00.000Z");
    expect(iso(" 18:42 ", "2025-09-12", "America/New_York")).toBe("2025-09-12T22:42:00.000Z");
    expect(iso("00:00", "2025-09-12", "UTC")).toBe("2025-09-12T00:00:00.000Z");
    expect(iso("23:59:59", "2025-09-12", "UTC")).toBe("2025-09-12T23:59:59.000Z");
  });

  it("uses the offset in force on the day of a DST change", () => {
    // New York springs forward 2025-03-09 02:00 EST -> 03:00 EDT
    expect(iso("01:30", "2025-03-09", "America/New_York")).toBe("2025-03-09T06:30:00.000Z"); // EST
    expect(iso("18:00", "2025-03-09", "America/New_York")).toBe("2025-03-09T22:00:00.000Z"); // EDT
    // and falls back 2025-11-02 02:00 EDT -> 01:00 EST
    expect(iso("00:30", "2025-11-02", "America/New_York")).toBe("2025-11-02T04:30:00.000Z"); // EDT
    expect(iso("18:00", "2025-11-02", "America/New_York")).toBe("2025-11-02T23:00:00.000Z"); // EST
    // Sydney falls back 2025-04-06 03:00 AEDT -> 02:00 AEST, springs forward 2025-10-05 02:00 -> 03:00
    expect(iso("13:00", "2025-04-06", "Australia/Sydney")).toBe("2025-04-06T03:00:00.000Z"); // AEST
    expect(iso("13:00", "2025-10-05", "Australia/Sydney")).toBe("2025-10-05T02:00:00.000Z"); // AEDT
  });

  it("takes the earlier instant in a repeated hour", () => {
    // 01:30 on 2025-11-02 happens twice in New York: 05:30Z (EDT) and 06:30Z (EST)
    expect(iso("01:30", "2025-11-02", "America/New_York")).toBe("2025-11-02T05:30:00.000Z");
    // 02:30 on 2025-04-06 happens twice in Sydney: 15:30Z (AEDT) and 16:30Z (AEST) the day before
    expect(iso("02:30", "2025-04-06", "Australia/Sydney")).toBe("2025-04-05T15:30:00.000Z");
  });

  it("moves a skipped time forward by the gap", () => {
    // 02:30 on 2025-03-09 does not exist in New York; it reads as 03:30 EDT = 07:30Z
    expect(iso("02:30", "2025-03-09", "America/New_York")).toBe("2025-03-09T07:30:00.000Z");
    // 02:30 on 2025-10-05 does not exist in Sydney; it reads as 03:30 AEDT = 16:30Z the day before
    expect(iso("02:30", "2025-10-05", "Australia/Sydney")).toBe("2025-10-04T16:30:00.000Z");
  });

  it("lands on the same wall clock for every quarter hour of DST-change days", () => {
    const days: [string, string][] = [
      ["2025-03-09", "America/New_York"],
      ["2025-11-02", "America/New_York"],
      ["2025-04-06", "Australia/Sydney"],
      ["2025-10-05", "Australia/Sydney"],
      ["2025-03-30", "Europe/London"],
      ["2025-10-26", "Europe/London"],
    ];
    let checked = 0;
    for (const [date, zone] of days) {
      for (let minutes = 0; minutes < 24 * 60; minutes += 15) {
        const hhmm = `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
        const instant = resolvePostTime(hhmm, date, zone);
        const shown = wallClock(instant, zone);
        // Only a time inside a spring-forward gap may read differently (one hour later).
        if (shown !== `${date} ${hhmm}`) {
          const later = new Date(instant.getTime() - 3_600_000);
          expect(wallClock(later, zone)).not.toBe(`${date} ${hhmm}`);
          expect(shown).toBe(
            `${date} ${String(Math.floor(minutes / 60) + 1).padStart(2, "0")}:${hhmm.slice(3)}`,
          );
        } else {
          checked += 1;
        }
      }
    }
    // Each of the three spring-forward days skips four quarter hours.
    expect(checked).toBe(6 * 96 - 3 * 4);
  });

  it("refuses a bad time of day, naming it", () => {
    for (const postTime of ["24:00", "18:60", "18:42:60", "6pm", "1842", "18.42", "", "T18:42"]) {
      expect(() => resolvePostTime(postTime, "2025-09-12", "America/New_York")).toThrow(
        new RegExp(JSON.stringify(postTime).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")),
      );
    }
  });

  it("refuses a post time over 64 characters early, quoting it cut at 60", () => {
    const huge = `${"1".repeat(2 * 1024 * 1024)}:00`;
    let message = "";
    try {
      resolvePostTime(huge, "2025-09-12", "America/New_York");
    } catch (error) {
      expect(error).toBeInstanceOf(RangeError);
      message = (error as Error).message;
    }
    expect(message).toBe(`post time "${"1".repeat(60)}…" is longer than 64 characters (${huge.length})`);
    expect(MAX_POST_TIME_LENGTH).toBe(64);
    // The longest instant with nanoseconds and an offset, padded to 64, still reads.
    const longest = "2025-09-12T18:42:00.123456789-04:00".padEnd(MAX_POST_TIME_LENGTH, " ");
    expect(resolvePostTime(longest, "2025-09-12", "UTC").toISOString()).toBe("2025-09-12T22:42:00.123Z");
  });

  it("quotes every value in its errors cut at 60 characters", () => {
    const zone = `Mars/${"x".repeat(2 * 1024 * 1024)}`;
    expect(() => resolvePostTime("18:42", "2025-09-12", zone)).toThrow(
      new RangeError(`time zone "${zone.slice(0, 60)}…" is not an IANA time zone`),
    );
    const date = `2025-${"9".repeat(100)}`;
    expect(() => resolvePostTime("18:42", date, "UTC")).toThrow(
      new RangeError(`race date "${date.slice(0, 60)}…" is not a real YYYY-MM-DD date`),
    );
    const text = `2025-09-12T18:42:00Z${"z".repeat(100)}`;
    expect(() => parseIsoInstant(text)).toThrow(
      new RangeError(
        `"${text.slice(0, 60)}…" is not an ISO-8601 instant with an offset (e.g. 2025-09-12T22:30:00Z)`,
      ),
    );
    expect(() => localDateOf(new Date(0), zone)).toThrow(
      new RangeError(`localDateOf: time zone "${zone.slice(0, 60)}…" is not an IANA time zone`),
    );
  });

  it("refuses a bad race date or zone, naming it", () => {
    expect(() => resolvePostTime("18:42", "2025-02-30", "America/New_York")).toThrow(
      new RangeError('race date "2025-02-30" is not a real YYYY-MM-DD date'),
    );
    expect(() => resolvePostTime("18:42", "2025-09-12", "Mars/Olympus")).toThrow(
      new RangeError('time zone "Mars/Olympus" is not an IANA time zone'),
    );
  });
});

describe("minutesToPost", () => {
  const post = new Date("2025-09-12T22:42:00Z");

  it("is positive before post, negative after, fractional", () => {
    expect(minutesToPost(post, new Date("2025-09-12T22:30:00Z"))).toBe(12);
    expect(minutesToPost(post, new Date("2025-09-12T22:41:15Z"))).toBe(0.75);
    expect(minutesToPost(post, post)).toBe(0);
    expect(minutesToPost(post, new Date("2025-09-12T22:42:30Z"))).toBe(-0.5);
  });

  it("refuses an invalid Date", () => {
    expect(() => minutesToPost(new Date(Number.NaN), post)).toThrow(/postTime/);
    expect(() => minutesToPost(post, new Date("nope"))).toThrow(/at must be a valid Date/);
  });
});

describe("localDateOf", () => {
  it("gives the calendar date of the instant in the zone", () => {
    // 02:00Z on the 13th is 22:00 EDT on the 12th
    expect(localDateOf(new Date("2025-09-13T02:00:00Z"), "America/New_York")).toBe("2025-09-12");
    expect(localDateOf(new Date("2025-09-13T02:00:00Z"), "UTC")).toBe("2025-09-13");
    // 15:00Z on the 12th is 01:00 AEST on the 13th
    expect(localDateOf(new Date("2025-09-12T15:00:00Z"), "Australia/Sydney")).toBe("2025-09-13");
    expect(localDateOf(new Date("2025-09-12T13:59:59Z"), "Australia/Sydney")).toBe("2025-09-12");
  });

  it("agrees with resolvePostTime for the race date", () => {
    for (const [time, date, zone] of [
      ["23:30", "2025-09-12", "America/New_York"],
      ["00:15", "2025-01-10", "Australia/Sydney"],
      ["12:00", "2024-02-29", "Europe/London"],
    ] as const) {
      expect(localDateOf(resolvePostTime(time, date, zone), zone)).toBe(date);
    }
  });

  it("refuses a bad instant or zone", () => {
    expect(() => localDateOf(new Date(Number.NaN), "UTC")).toThrow(/instant/);
    expect(() => localDateOf(new Date(), "Mars/Olympus")).toThrow(/"Mars\/Olympus"/);
  });
});

describe("localDateTimeOf", () => {
  it("gives the wall-clock date and time (whole seconds, 24-hour) in the zone", () => {
    expect(localDateTimeOf(new Date("2025-06-01T17:42:05.900Z"), "America/New_York")).toBe(
      "2025-06-01 13:42:05",
    );
    expect(localDateTimeOf(new Date("2025-09-13T02:00:00Z"), "America/New_York")).toBe("2025-09-12 22:00:00");
    expect(localDateTimeOf(new Date("2025-09-13T00:00:00Z"), "UTC")).toBe("2025-09-13 00:00:00");
    expect(localDateTimeOf(new Date("2025-09-12T18:30:00Z"), "Asia/Kolkata")).toBe("2025-09-13 00:00:00");
  });

  it("agrees with Intl's own reading, across a DST change", () => {
    for (const zone of ["America/New_York", "Europe/London", "Australia/Sydney"]) {
      for (let ms = Date.UTC(2025, 2, 29); ms < Date.UTC(2025, 3, 8); ms += 37 * 60_000) {
        const instant = new Date(ms);
        expect(localDateTimeOf(instant, zone).slice(0, 16), `${zone} ${instant.toISOString()}`).toBe(
          wallClock(instant, zone),
        );
      }
    }
  });

  it("agrees with localDateOf on the date", () => {
    const instant = new Date("2025-09-12T15:00:00Z");
    expect(localDateTimeOf(instant, "Australia/Sydney").slice(0, 10)).toBe(
      localDateOf(instant, "Australia/Sydney"),
    );
  });

  it("refuses a bad instant or zone", () => {
    expect(() => localDateTimeOf(new Date(Number.NaN), "UTC")).toThrow(/instant/);
    expect(() => localDateTimeOf(new Date(), "Mars/Olympus")).toThrow(/"Mars\/Olympus"/);
    expect(() => localDateTimeOf(new Date(), "+05:00")).toThrow(/not an IANA time zone/);
  });
});

describe("zoneOffsetMs", () => {
  const summer = Date.UTC(2025, 8, 12, 22, 42);
  const winter = Date.UTC(2025, 11, 12, 23, 42);

  it("gives the zone's offset from UTC at the instant", () => {
    const hours = (h: number) => h * 3_600_000;
    expect(zoneOffsetMs(summer, "America/New_York")).toBe(hours(-4));
    expect(zoneOffsetMs(winter, "America/New_York")).toBe(hours(-5));
    expect(zoneOffsetMs(summer, "Asia/Kolkata")).toBe(hours(5.5));
    expect(zoneOffsetMs(summer, "UTC")).toBe(0);
    // Sydney is on daylight time in the southern summer.
    expect(zoneOffsetMs(winter, "Australia/Sydney")).toBe(hours(11));
  });

  it("refuses a zone Intl does not know, naming it", () => {
    expect(() => zoneOffsetMs(summer, "Mars/Olympus")).toThrow(/Mars\/Olympus/);
  });
});
