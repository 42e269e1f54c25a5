/**
 * The poll tests' race: race 1 at Test Downs (code TST, America/Chicago) on 2025-09-12,
 * post 18:00Z, two runners, and the feed messages a tote serves for it.
 */
export const DATE = "2025-09-12";
export const TRACK = "Test Downs";
export const POST = Date.parse("2025-09-12T18:00:00Z");

export const cardMessage = {
  kind: "card",
  track: TRACK,
  date: DATE,
  race: 1,
  timezone: "America/Chicago",
  post_time: new Date(POST).toISOString(),
  entries: [
    { program_number: "1", horse: "First Light" },
    { program_number: "2", horse: "Second Wind" },
  ],
};

/** The race's win board as fetched at `at` (ms). */
export const winAt = (at: number) => ({
  kind: "win",
  track: TRACK,
  date: DATE,
  race: 1,
  fetched_at: new Date(at).toISOString(),
  horses: [
    { program_number: "1", win_odds: "5-2" },
    { program_number: "2", win_odds: "3-5" },
  ],
});

/** Every 20 s from `from` down to `to` seconds before post (both included). */
export const every20 = (from: number, to: number) =>
  Array.from({ length: (from - to) / 20 + 1 }, (_, i) => from - i * 20);
