/**
 * A simulated day of any size written to a JSON Lines feed file, for the benches that replay a
 * large day (apps/ingest scripts/replay-rss.ts, apps/alerts scripts/bench/nation-day.ts). A
 * nationwide day is more tracks than the built-in ones: the rest are made up, in one zone.
 */
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { BUILT_IN_TRACKS, simulateRaceDay, type TrackSpec } from "./generate/day.js";
import { snapshotOffsetsMs } from "./generate/schedule.js";

export interface SimulatedDaySize {
  tracks: number;
  races: number;
  /** Entries per race: a fixed count or a [min, max] range. */
  runners: number | readonly [number, number];
  seed: number;
  /** Poll every this many seconds through the last hour (30: 120 polls a race); default 24 polls. */
  pollEverySeconds?: number;
}

/** "35 tracks x 10 races x 12-14 runners, 120 polls a race": a size in words, for progress and figures. */
export function describeDaySize(size: SimulatedDaySize): string {
  const runners = typeof size.runners === "number" ? `${size.runners}` : size.runners.join("-");
  const polls = snapshotOffsetsMs(size.pollEverySeconds).length;
  return `${size.tracks} tracks x ${size.races} races x ${runners} runners, ${polls} polls a race`;
}

/** The built-in tracks, then made-up ones (one zone) past them. */
export function simulatedTracks(count: number): TrackSpec[] {
  const tracks = BUILT_IN_TRACKS.slice(0, count);
  for (let i = tracks.length; i < count; i++) {
    tracks.push({ name: `Simulated Downs ${i + 1}`, code: `SD${i + 1}`, timezone: "America/Chicago" });
  }
  return tracks;
}

/** Writes the day (exacta grids included) to `file`, one message a line; resolves to the message count. */
export async function writeSimulatedDay(file: string, size: SimulatedDaySize): Promise<number> {
  const out = createWriteStream(file);
  let messages = 0;
  const day = simulateRaceDay({
    date: "2025-09-12",
    tracks: simulatedTracks(size.tracks),
    racesPerTrack: size.races,
    runners: typeof size.runners === "number" ? size.runners : [size.runners[0], size.runners[1]],
    seed: size.seed,
    pollEverySeconds: size.pollEverySeconds,
    // Early and close enough that 25 races a track end before midnight.
    firstPostLocal: "09:00",
    minutesBetweenRaces: 25,
    exacta: true,
  });
  for (const message of day) {
    if (!out.write(`${JSON.stringify(message)}\n`)) await once(out, "drain");
    messages++;
  }
  out.end();
  await once(out, "close");
  return messages;
}
