import type { Db } from "../client.js";

/** A named high-water mark (0 when never written). */
export async function readCursor(db: Db, name: string): Promise<number> {
  return db.exclusive(async () => (await db.prisma.cursor.findUnique({ where: { name } }))?.position ?? 0);
}

/** Moves a named high-water mark. */
export async function writeCursor(db: Db, name: string, position: number): Promise<void> {
  await db.exclusive(() =>
    db.prisma.cursor.upsert({ where: { name }, create: { name, position }, update: { position } }),
  );
}
