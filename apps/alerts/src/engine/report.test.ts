import { describe, expect, it } from "vitest";
import { localDateTime } from "./report.js";

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
