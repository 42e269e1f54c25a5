import { registerTrack, type Db } from "@totewatch/db";
import { isIanaTimeZone } from "@totewatch/tote";

/** A track as the config names it. */
export interface ConfiguredTrack {
  name: string;
  code?: string | null;
  /** IANA zone, e.g. America/Los_Angeles. */
  timezone: string;
}

/**
 * Stores each configured track's code and zone before any message is
 * applied, so a card's local "HH:MM" post time is read in the track's own
 * zone. Refuses a zone Intl does not know (callers may not have validated).
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
