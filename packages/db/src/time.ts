/**
 * How instants are stored: integer milliseconds since the Unix epoch (UTC),
 * the Prisma better-sqlite3 adapter's `unixepoch-ms` format (client.ts), so
 * rows written by the raw hot path and by Prisma compare and sort as numbers
 * and read back as the same Date. Six bytes a value where the ISO text took
 * 29, in every row and again in every index on it (issue 13).
 *
 * Databases made before that stored ISO-8601 text; the migration
 * 20261202100000_compact_storage converts every instant. A text it could not
 * read is kept as it was (nothing stored is lost), so fromDbTime still reads text.
 * Internal to packages/db (benches that insert rows directly get toDbTime
 * from @totewatch/db/testing).
 */
export type DbTime = number;

export function toDbTime(instant: Date | string | number): DbTime {
  const ms = instant instanceof Date ? instant.getTime() : new Date(instant).getTime();
  if (Number.isNaN(ms)) throw new RangeError(`not a valid instant: ${String(instant)}`);
  return ms;
}

export function fromDbTime(stored: DbTime | string): Date {
  return new Date(stored);
}

/**
 * The earlier of two stored instants; null only when both are. Off times and scratch times
 * keep the earliest observation this way, so replays and repeats in any order leave the same value.
 */
export function earliestDbTime(stored: DbTime | null, seen: DbTime | null): DbTime | null {
  if (stored === null) return seen;
  if (seen === null) return stored;
  return seen < stored ? seen : stored;
}
