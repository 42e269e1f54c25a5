/**
 * The tracks totewatch.yaml names, stored before any message is applied:
 * a card whose post time is a local "HH:MM" without a zone is then read in
 * the track's own zone, not the America/New_York default (docs/feed.md,
 * "Times and zones"). Replay and poll both do this first.
 */
import type { TrackConfig } from "@totewatch/config";
import { registerTrack, type Db } from "@totewatch/db";
import { isIanaTimeZone, type BoardOddsFormat } from "@totewatch/tote";

/** A track as the config names it; without `oddsFormat` its board is odds-to-1. */
export type ConfiguredTrack = Pick<TrackConfig, "name" | "code" | "timezone"> &
  Partial<Pick<TrackConfig, "oddsFormat" | "dividendUnit">>;

/**
 * How each configured track's board quotes win odds, by name, for win
 * messages that do not say (docs/feed.md, "Decimal odds"); a track the
 * config does not name, or names without `oddsFormat`, is odds-to-1.
 */
export function oddsFormatLookup(
  tracks: readonly ConfiguredTrack[],
): (track: string) => BoardOddsFormat | undefined {
  const formats = new Map<string, BoardOddsFormat>();
  for (const track of tracks) {
    if (track.oddsFormat === undefined) continue;
    formats.set(track.name, { oddsFormat: track.oddsFormat, dividendUnit: track.dividendUnit ?? 1 });
  }
  return (track) => formats.get(track);
}

/**
 * Stores each configured track's code and zone. Re-registering changes
 * nothing. Refuses a zone Intl does not know (a caller may pass tracks that
 * did not come through config validation).
 */
export async function registerConfiguredTracks(db: Db, tracks: readonly ConfiguredTrack[]): Promise<void> {
  for (const track of tracks) {
    if (!isIanaTimeZone(track.timezone)) {
      throw new Error(
        `track ${JSON.stringify(track.name)}: timezone ${JSON.stringify(track.timezone)} is not an IANA time zone`,
      );
    }
    await registerTrack(db, { name: track.name, code: track.code, timezone: track.timezone });
  }
}
