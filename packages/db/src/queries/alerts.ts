import type { Db } from "../client.js";
import { Prisma, type Alert } from "../generated/prisma/client.js";

export type { Alert };

export interface AlertInput {
  triggeredAt: Date;
  raceId?: number | null;
  entryId?: number | null;
  alertType: string;
  thresholdValue?: number | null;
  actualValue?: number | null;
  message: string;
  /** Identity of the event; a known key makes this a no-op. */
  dedupeKey: string;
  subject?: string | null;
  details?: Record<string, unknown> | null;
}

/** Stores an alert unless one with the same dedupe key exists; returns the stored row either way. */
export async function createAlert(db: Db, input: AlertInput): Promise<{ alert: Alert; created: boolean }> {
  return db.exclusive(async () => {
    try {
      const alert = await db.prisma.alert.create({
        data: {
          triggeredAt: input.triggeredAt,
          raceId: input.raceId ?? null,
          entryId: input.entryId ?? null,
          alertType: input.alertType,
          thresholdValue: input.thresholdValue ?? null,
          actualValue: input.actualValue ?? null,
          message: input.message,
          dedupeKey: input.dedupeKey,
          subject: input.subject ?? null,
          details: input.details ? JSON.stringify(input.details) : null,
        },
      });
      return { alert, created: true };
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
        const alert = await db.prisma.alert.findUniqueOrThrow({ where: { dedupeKey: input.dedupeKey } });
        return { alert, created: false };
      }
      throw error;
    }
  });
}

/** Alerts not yet delivered on every channel, oldest first. */
export async function unsentAlerts(db: Db, opts: { limit?: number } = {}): Promise<Alert[]> {
  return db.exclusive(() =>
    db.prisma.alert.findMany({
      where: { sent: false },
      orderBy: [{ triggeredAt: "asc" }, { id: "asc" }],
      take: opts.limit ?? 500,
    }),
  );
}

/** Marks an alert delivered (every channel done). */
export async function markAlertSent(db: Db, alertId: number, sentAt: Date = new Date()): Promise<void> {
  await db.exclusive(() => db.prisma.alert.update({ where: { id: alertId }, data: { sent: true, sentAt } }));
}

/** The newest alerts first, optionally only the undelivered. */
export async function recentAlerts(
  db: Db,
  opts: { limit?: number; unsentOnly?: boolean } = {},
): Promise<Alert[]> {
  return db.exclusive(() =>
    db.prisma.alert.findMany({
      where: opts.unsentOnly ? { sent: false } : {},
      orderBy: [{ triggeredAt: "desc" }, { id: "desc" }],
      take: opts.limit ?? 50,
    }),
  );
}

/** An alert's `details` JSON text as an object (tolerating rows written by hand). */
export function parseAlertDetails(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : { value };
  } catch {
    return { unparsed: text };
  }
}
