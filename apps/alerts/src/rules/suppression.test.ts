import { describe, expect, it } from "vitest";
import { dedupeKeyFor, shouldSuppress } from "./suppression.js";
import { at } from "../../test/rules.js";

const limits = { duplicateWindowMinutes: 30, maxPerRace: 20, maxPerRacePerRule: 5 };
/** The race's counts when its one earlier alert is the steam alert in `recent`: under both caps. */
const oneSteam = { total: 1, ofType: 1 };
const candidate = { type: "steam" as const, raceId: 7, subject: "3", triggeredAt: at("11:50") };

describe("dedupeKeyFor", () => {
  it("names type, race, subject and the snapshot instant", () => {
    expect(dedupeKeyFor(candidate)).toBe("steam:7:3:2025-06-01T11:50:00.000Z");
    expect(dedupeKeyFor({ ...candidate, type: "exacta_overlay", subject: "1-2" })).toBe(
      "exacta_overlay:7:1-2:2025-06-01T11:50:00.000Z",
    );
  });

  it("is the same for a re-evaluated snapshot and differs for the next one", () => {
    expect(dedupeKeyFor({ ...candidate, triggeredAt: at("11:50") })).toBe(dedupeKeyFor(candidate));
    expect(dedupeKeyFor({ ...candidate, triggeredAt: at("11:51") })).not.toBe(dedupeKeyFor(candidate));
  });

  it("names the occasion instead of the snapshot when the candidate has one", () => {
    // A late change seen on the 12:03 and 12:04 boards: one event of the race, one key.
    const late = { type: "late_change" as const, raceId: 7, subject: "3", occasion: "race" as const };
    const first = dedupeKeyFor({ ...late, triggeredAt: at("12:03") });
    expect(first).toBe("late_change:7:3:race");
    expect(dedupeKeyFor({ ...late, triggeredAt: at("12:04") })).toBe(first);
  });
});

describe("shouldSuppress", () => {
  it("calls the same type and subject within the window a duplicate", () => {
    // 11:25 -> 11:50 is 25 min < 30.
    expect(
      shouldSuppress(
        candidate,
        [{ alertType: "steam", subject: "3", triggeredAt: at("11:25") }],
        oneSteam,
        limits,
      ),
    ).toBe("duplicate");
  });

  it("lets it through once the window has passed (30 min exactly is outside)", () => {
    expect(
      shouldSuppress(
        candidate,
        [{ alertType: "steam", subject: "3", triggeredAt: at("11:20") }],
        oneSteam,
        limits,
      ),
    ).toBeNull();
  });

  it("does not mix types or subjects", () => {
    const recent = [
      { alertType: "odds_change", subject: "3", triggeredAt: at("11:45") },
      { alertType: "steam", subject: "4", triggeredAt: at("11:45") },
    ];
    expect(shouldSuppress(candidate, recent, { total: 2, ofType: 1 }, limits)).toBeNull();
  });

  it("catches duplicates straddling a window-bucket edge", () => {
    // floor(t / 30 min) puts 11:29:50 and 11:30:10 in different buckets; 20 s apart is still a duplicate.
    const late = { ...candidate, triggeredAt: at("11:30:10") };
    const recent = [{ alertType: "steam", subject: "3", triggeredAt: at("11:29:50") }];
    expect(shouldSuppress(late, recent, oneSteam, limits)).toBe("duplicate");
  });

  it("treats a newer alert as a duplicate of an older snapshot evaluated late", () => {
    expect(
      shouldSuppress(
        candidate,
        [{ alertType: "steam", subject: "3", triggeredAt: at("11:55") }],
        oneSteam,
        limits,
      ),
    ).toBe("duplicate");
  });

  it("measures the window both ways: an alert 40 min later is not a duplicate", () => {
    expect(
      shouldSuppress(
        candidate,
        [{ alertType: "steam", subject: "3", triggeredAt: at("12:30") }],
        oneSteam,
        limits,
      ),
    ).toBeNull();
  });

  it("never suppresses duplicates with a 0-minute window", () => {
    const recent = [{ alertType: "steam", subject: "3", triggeredAt: at("11:50") }];
    expect(shouldSuppress(candidate, recent, oneSteam, { ...limits, duplicateWindowMinutes: 0 })).toBeNull();
  });

  it("caps alerts per race, duplicates reported first", () => {
    expect(shouldSuppress(candidate, [], { total: 19, ofType: 0 }, limits)).toBeNull();
    expect(shouldSuppress(candidate, [], { total: 20, ofType: 0 }, limits)).toBe("race_limit");
    const recent = [{ alertType: "steam", subject: "3", triggeredAt: at("11:49") }];
    expect(shouldSuppress(candidate, recent, { total: 20, ofType: 1 }, limits)).toBe("duplicate");
  });

  it("caps each rule per race, so a noisy rule leaves room for the others", () => {
    // The race has 5 steam alerts of its 20: a 6th steam is over the rule's cap...
    expect(shouldSuppress(candidate, [], { total: 5, ofType: 4 }, limits)).toBeNull();
    expect(shouldSuppress(candidate, [], { total: 5, ofType: 5 }, limits)).toBe("race_limit");
    // ...while another rule's first alert, with the same race total, still gets through.
    const overlay = { ...candidate, type: "exacta_overlay" as const, subject: "1-2" };
    expect(shouldSuppress(overlay, [], { total: 5, ofType: 0 }, limits)).toBeNull();
  });
});
