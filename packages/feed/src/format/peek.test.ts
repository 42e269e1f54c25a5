import { describe, expect, it } from "vitest";
import { peekKind, peekObservedAt, peekRaceKey } from "../index.js";

const race = { track: "Belmont Park", date: "2025-09-12", race: 5 };

describe("peeking at raw messages", () => {
  it("reads the observation time of snapshots and statuses, and none for cards or bad times", () => {
    const t = Date.parse("2025-09-12T22:30:00Z");
    expect(peekObservedAt({ kind: "win", ...race, fetched_at: "2025-09-12T22:30:00Z" })).toBe(t);
    expect(peekObservedAt({ kind: "exacta", ...race, fetched_at: "2025-09-12T18:30:00-04:00" })).toBe(t);
    expect(peekObservedAt({ kind: "status", ...race, status: "off", at: "2025-09-12T22:30:00Z" })).toBe(t);
    expect(peekObservedAt({ kind: "status", ...race, status: "off" })).toBeNull();
    expect(peekObservedAt({ kind: "card", ...race, fetched_at: "2025-09-12T22:30:00Z" })).toBeNull();
    expect(peekObservedAt({ kind: "win", ...race, fetched_at: "2025-02-30T10:00:00Z" })).toBeNull();
    expect(peekObservedAt({ kind: "win", ...race, fetched_at: 1757716200000 })).toBeNull();
    expect(peekObservedAt("not an object")).toBeNull();
  });

  it("names one race for both spellings the schema accepts, and none for a message without one", () => {
    expect(peekRaceKey({ ...race, track: "  Belmont Park " })).toBe(peekRaceKey(race));
    expect(peekRaceKey({ ...race, race: 6 })).not.toBe(peekRaceKey(race));
    expect(peekRaceKey({ ...race, race: "5" })).toBeNull();
    expect(peekRaceKey(null)).toBeNull();
  });

  it("reads the kind only when it is text", () => {
    expect(peekKind({ kind: "card" })).toBe("card");
    expect(peekKind({ kind: 3 })).toBeNull();
    expect(peekKind([])).toBeNull();
  });
});
