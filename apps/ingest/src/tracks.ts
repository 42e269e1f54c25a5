/**
 * The tracks totewatch.yaml names, stored before any message is applied:
 * a card whose post time is a local "HH:MM" without a zone is then read in
 * the track's own zone, not the America/New_York default (docs/feed.md,
 * "Times and zones"). Replay and poll both do this first.
 */
import type { TrackConfig } from "@totewatch/config";
import { registerTrack, type Db } from "@totewatch/db";
import { isIanaTimeZone } from "@totewatch/tote";

/** A track as the config names it. */
export type ConfiguredTrack = Pick<TrackConfig, "name" | "code" | "timezone">;

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
