/**
 * How instants are stored: as the Prisma better-sqlite3 adapter writes them
 * (ISO-8601, UTC, "+00:00"), so rows written by the raw hot path and by
 * Prisma compare and sort as text, and read back as the same Date.
 * Internal to packages/db (benches that insert rows directly get toDbTime
 * from @totewatch/db/testing).
 */
export function toDbTime(instant: Date | string | number): string {
  const date = instant instanceof Date ? instant : new Date(instant);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a valid instant: ${String(instant)}`);
  return date.toISOString().replace("Z", "+00:00");
}

export function fromDbTime(text: string): Date {
  return new Date(text);
}

/**
 * The earlier of two stored instants (stored text sorts as time, see above); null only when
 * both are. Off times and scratch times keep the earliest observation this way, so replays and
 * repeats in any order leave the same value.
 */
export function earliestDbTime(stored: string | null, seen: string | null): string | null {
  if (stored === null) return seen;
  if (seen === null) return stored;
  return seen < stored ? seen : stored;
}
