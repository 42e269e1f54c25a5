/**
 * What a raw message says before it is validated, read leniently: its kind,
 * the race it names and when it was observed. Replay orders messages by these
 * (docs/feed.md, "Replay order") before any is parsed; anything missing or
 * unreadable is null here, and validation reports it when the message is
 * written. Beside the schema so both read the same fields the same way.
 */
import { parseIsoInstant } from "@totewatch/tote";

function fieldsOf(raw: unknown): Record<string, unknown> | null {
  return typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : null;
}

/** The `kind` a raw message names, if it names one as text. */
export function peekKind(raw: unknown): string | null {
  const kind = fieldsOf(raw)?.kind;
  return typeof kind === "string" ? kind : null;
}

/**
 * When a raw message was observed (epoch ms): `fetched_at` of a win or exacta
 * snapshot, `at` of a status; null for a card, a status without `at`, or a
 * time that is not a strict instant.
 */
export function peekObservedAt(raw: unknown): number | null {
  const fields = fieldsOf(raw);
  if (fields === null) return null;
  const { kind, fetched_at: fetchedAt, at } = fields;
  const text = kind === "status" ? at : kind === "win" || kind === "exacta" ? fetchedAt : undefined;
  if (typeof text !== "string") return null;
  try {
    return parseIsoInstant(text).getTime();
  } catch {
    return null;
  }
}

/** The race a raw message names, as a map key (equal for equal races); null when it names none. */
export function peekRaceKey(raw: unknown): string | null {
  const fields = fieldsOf(raw);
  if (fields === null) return null;
  const { track, date, race } = fields;
  if (typeof track !== "string" || typeof date !== "string" || typeof race !== "number") return null;
  // Trimmed as the schema trims it, so " Belmont Park" and "Belmont Park" are one race.
  return JSON.stringify([track.trim(), date, race]);
}
