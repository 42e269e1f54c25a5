import { describe, expect, it } from "vitest";
import type { StoredAlert } from "@totewatch/db";
import { localDateTime, strongestAlertsTable } from "./report.js";

describe("localDateTime", () => {
  it("is the date and time in the track's zone", () => {
    expect(localDateTime(new Date("2025-06-01T17:42:05.900Z"), "America/New_York")).toBe(
      "2025-06-01 13:42:05",
    );
    expect(localDateTime(new Date("2025-06-01T02:00:00Z"), "America/New_York")).toBe("2025-05-31 22:00:00");
    expect(localDateTime(new Date("2025-06-01T14:00:00Z"), "Australia/Sydney")).toBe("2025-06-02 00:00:00");
  });

  it("is UTC when the zone is unknown or not an IANA zone", () => {
    const instant = new Date("2025-06-01T17:42:05Z");
    expect(localDateTime(instant, null)).toBe("2025-06-01 17:42:05");
    expect(localDateTime(instant, "Mars/Olympus")).toBe("2025-06-01 17:42:05");
    expect(localDateTime(instant, "")).toBe("2025-06-01 17:42:05");
  });
});

describe("strongestAlertsTable (the demo's)", () => {
  const exacta: StoredAlert = {
    alertId: 1,
    dedupeKey: "exacta_overlay:8:4-5:2026-12-02T21:20:00.000Z",
    alertType: "exacta_overlay",
    triggeredAt: new Date("2026-12-02T21:20:00.000Z"),
    message:
      "Santa Anita Park R8 exacta 11-12 (#11 Hank's Empire Of The Sun over #12 Midnight Voyage Home) " +
      "probable $1,228.40 vs fair $526.29 from the win pool (+133.4%, overlay), 10 min to post",
    subject: "11-12",
    thresholdValue: 50,
    actualValue: 133.4,
    details: { strength: 0.48, before: 526.29, after: 1228.4 },
    sent: true,
    sentAt: null,
    race: {
      raceId: 8,
      track: "Santa Anita Park",
      timezone: "America/Los_Angeles",
      raceDate: "2026-12-02",
      raceNumber: 8,
      postTime: null,
    },
    runner: null,
  };
  const steam: StoredAlert = {
    ...exacta,
    alertId: 2,
    alertType: "steam",
    triggeredAt: new Date("2026-12-02T18:24:00.000Z"),
    message: "Belmont Park R2 #5 Prairie Nugget: 5 -> 7-2 in 9 min, win chance 12.7% -> 18.1%",
    subject: "5",
    details: { strength: 0.31 },
    race: { ...exacta.race!, track: "Belmont Park", timezone: "America/New_York", raceNumber: 2 },
    runner: { entryId: 5, programNumber: "5", horse: "Prairie Nugget" },
  };

  it("fits 100 columns, the message wrapped whole, without repeating the race", () => {
    const text = strongestAlertsTable([exacta, steam]);
    for (const line of text.split("\n")) expect([...line].length).toBeLessThanOrEqual(100);
    const lastColumn = text
      .split("\n")
      .filter((line) => line.startsWith("│"))
      .map((line) => line.split("│")[5]!.trim())
      .join(" ");
    expect(lastColumn).toContain("exacta 11-12 (#11 Hank's Empire Of The Sun over #12 Midnight Voyage");
    expect(lastColumn).toContain(
      "probable $1,228.40 vs fair $526.29 from the win pool (+133.4%, overlay), 10",
    );
    expect(lastColumn).toContain("#5 Prairie Nugget: 5 -> 7-2 in 9 min");
    expect(lastColumn).not.toContain("Santa Anita Park R8");
  });

  it("shows each alert's time on its track's clock, named, without the date", () => {
    const text = strongestAlertsTable([exacta, steam]);
    expect(text).toContain("│ 13:20:00 PST │ Santa Anita Park R8 │ exacta_overlay │ 0.48");
    expect(text).toContain("│ 13:24:00 EST │ Belmont Park R2     │ steam          │ 0.31");
    expect(text).not.toContain("2026-12-02");
  });
});
