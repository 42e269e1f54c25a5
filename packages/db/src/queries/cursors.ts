/**
 * Named high-water marks (`cursor`), e.g. the last odds_snapshot id the
 * alerts engine evaluated. These two functions are the table's only reader
 * and writer; they run inside the caller's transaction (the evaluation view),
 * so a mark moves in the same commit as the work it marks.
 */
import { InvalidInputError } from "../errors.js";
import type { Sql } from "../sql.js";
import { toDbTime } from "../time.js";

/** A named high-water mark (0 when never written). */
export async function cursorPosition(sql: Sql, name: string): Promise<number> {
  const row = await sql.get<{ position: number }>(`SELECT position FROM cursor WHERE name = ?`, name);
  return row?.position ?? 0;
}

/** Moves a named high-water mark (a whole number >= 0). */
export async function moveCursor(sql: Sql, name: string, position: number, now: Date): Promise<void> {
  if (!Number.isInteger(position) || position < 0) {
    throw new InvalidInputError(`cursor ${name}: position must be a whole number >= 0, got ${position}`);
  }
  await sql.run(
    `INSERT INTO cursor (name, position, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
    name,
    position,
    toDbTime(now),
  );
}
