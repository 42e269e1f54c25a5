/**
 * Per alert and channel delivery bookkeeping (`alert_delivery`): which
 * channel still owes which alert, how often it was tried, the last error, and
 * when to try again. `alert.sent` turns true in the same transaction as the
 * last channel's success, so "sent" never disagrees with the delivery rows.
 */
import type { Db } from "../client.js";
import { parseAlertDetails } from "./alerts.js";
import { InvalidInputError } from "../errors.js";
import { readRaw, statement, writeTransaction } from "../sql.js";
import { fromDbTime, toDbTime } from "../time.js";

/** A stored error text is capped: a receiver's HTML error page is not worth keeping whole. */
const MAX_ERROR_LENGTH = 1000;

/** The alert a due delivery carries, with the race and runner a notification names. */
export interface DeliveryAlert {
  alertId: number;
  dedupeKey: string;
  alertType: string;
  triggeredAt: Date;
  message: string;
  /** Program number ("3") or exacta combination ("1-2"). */
  subject: string | null;
  thresholdValue: number | null;
  actualValue: number | null;
  /** The alert's details JSON, parsed; `{ unparsed }` when the stored text is not JSON; null when none. */
  details: Record<string, unknown> | null;
  race: {
    raceId: number;
    track: string;
    /** IANA zone of the track. */
    timezone: string;
    raceDate: string;
    raceNumber: number;
    postTime: Date | null;
  } | null;
  runner: { entryId: number; programNumber: string; horse: string } | null;
}

/** One channel that still owes one alert, and may be tried now. */
export interface DueDelivery {
  /** 0 for a row not created yet (`withMissing`). */
  deliveryId: number;
  channel: string;
  /** Attempts made before this one. */
  attempts: number;
  lastError: string | null;
  alert: DeliveryAlert;
}

export interface DueDeliveriesOptions {
  /** Only these channels (the ones enabled now). */
  channels: readonly string[];
  now: Date;
  /** Rows that already used this many attempts are given up on and not returned. */
  maxAttempts: number;
  /** Default 100. */
  limit?: number;
  /**
   * Skip this many due rows first (paging through a backlog without claiming
   * it, e.g. a dry run that writes nothing). Default 0.
   */
  offset?: number;
  /**
   * Also return the rows ensurePendingDeliveries would create (an unsent
   * alert without a row for one of `channels`), with deliveryId 0 and no
   * attempts: what a pass would send, read without writing (a dry run).
   */
  withMissing?: boolean;
}

export interface DeliveryState {
  deliveryId: number;
  channel: string;
  attempts: number;
  lastError: string | null;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
}

export interface DeliveryStatus {
  alertId: number;
  sent: boolean;
  sentAt: Date | null;
  /** By channel name. */
  deliveries: DeliveryState[];
}

/**
 * Creates the delivery rows of an unsent alert for `channels` (one per
 * channel; existing rows are kept as they are). Returns how many were new.
 * A sent alert gets no new rows: enabling a channel later does not re-deliver
 * history.
 */
export async function ensureDeliveries(
  db: Db,
  alertId: number,
  channels: readonly string[],
): Promise<number> {
  validateChannels(channels, "ensureDeliveries");
  return writeTransaction(db, (sql) => {
    const alert = statement(sql, `SELECT sent FROM alert WHERE alert_id = ?`).get(alertId) as
      { sent: number } | undefined;
    if (!alert) throw new InvalidInputError(`ensureDeliveries: no alert with id ${alertId}`);
    if (alert.sent) return 0;
    const insert = statement(
      sql,
      `INSERT INTO alert_delivery (alert_id, channel, created_at) VALUES (?, ?, ?)
       ON CONFLICT (alert_id, channel) DO NOTHING`,
    );
    const now = toDbTime(new Date());
    let created = 0;
    for (const channel of new Set(channels)) created += insert.run(alertId, channel, now).changes;
    return created;
  });
}

/**
 * Creates the missing delivery rows for every unsent alert, so an alert
 * stored by a process that died before `ensureDeliveries` is still delivered.
 * Looks first and writes only when something is missing (no write lock taken
 * on the common, nothing-to-do path). Returns how many rows were created.
 */
export async function ensurePendingDeliveries(db: Db, channels: readonly string[]): Promise<number> {
  validateChannels(channels, "ensurePendingDeliveries");
  if (channels.length === 0) return 0;
  const channelsJson = JSON.stringify([...new Set(channels)]);
  const missingSql = `
    FROM alert a JOIN json_each(?) c
    WHERE a.sent = 0
      AND NOT EXISTS (SELECT 1 FROM alert_delivery d WHERE d.alert_id = a.alert_id AND d.channel = c.value)`;
  const anyMissing = await readRaw(db, (sql) =>
    statement(sql, `SELECT 1 ${missingSql} LIMIT 1`).get(channelsJson),
  );
  if (!anyMissing) return 0;
  return writeTransaction(
    db,
    (sql) =>
      statement(
        sql,
        `INSERT INTO alert_delivery (alert_id, channel, created_at)
         SELECT a.alert_id, c.value, ? ${missingSql}
         ON CONFLICT (alert_id, channel) DO NOTHING`,
      ).run(toDbTime(new Date()), channelsJson).changes,
  );
}

interface DueRow {
  delivery_id: number;
  channel: string;
  attempts: number;
  last_error: string | null;
  alert_id: number;
  dedupe_key: string;
  alert_type: string;
  triggered_at: string;
  message: string;
  subject: string | null;
  threshold_value: number | null;
  actual_value: number | null;
  details: string | null;
  race_id: number | null;
  track: string | null;
  timezone: string | null;
  race_date: string | null;
  race_number: number | null;
  post_time: string | null;
  entry_id: number | null;
  program_number: string | null;
  horse: string | null;
}

/** The delivery rows, plus (as delivery_id 0) the missing ones of unsent alerts for the channels in `?`. */
const ROWS_WITH_MISSING = `(
    SELECT delivery_id, alert_id, channel, attempts, last_error, next_attempt_at, delivered_at
    FROM alert_delivery
    UNION ALL
    SELECT 0, a.alert_id, c.value, 0, NULL, NULL, NULL
    FROM alert a JOIN json_each(?) c
    WHERE a.sent = 0
      AND NOT EXISTS (SELECT 1 FROM alert_delivery x WHERE x.alert_id = a.alert_id AND x.channel = c.value))`;

const dueSql = (rows: string) => `
  SELECT d.delivery_id, d.channel, d.attempts, d.last_error,
         a.alert_id, a.dedupe_key, a.alert_type, a.triggered_at, a.message, a.subject,
         a.threshold_value, a.actual_value, a.details,
         r.race_id, t.name AS track, t.timezone, r.race_date, r.race_number, r.post_time,
         e.entry_id, e.program_number, h.name AS horse
  FROM ${rows} d
  JOIN alert a ON a.alert_id = d.alert_id
  LEFT JOIN race r ON r.race_id = a.race_id
  LEFT JOIN track t ON t.track_id = r.track_id
  LEFT JOIN entry e ON e.entry_id = a.entry_id
  LEFT JOIN horse h ON h.horse_id = e.horse_id
  WHERE d.delivered_at IS NULL
    AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= ?)
    AND d.attempts < ?
    AND d.channel IN (SELECT value FROM json_each(?))
  ORDER BY a.triggered_at, a.alert_id, d.channel
  LIMIT ? OFFSET ?`;
const DUE_SQL = dueSql("alert_delivery");
const DUE_WITH_MISSING_SQL = dueSql(ROWS_WITH_MISSING);

/**
 * Undelivered rows of `channels` that may be tried at `now` (never tried, or
 * their backoff has passed) and have attempts left, with their alert, oldest
 * alert first.
 */
export async function dueDeliveries(db: Db, options: DueDeliveriesOptions): Promise<DueDelivery[]> {
  validateChannels(options.channels, "dueDeliveries");
  if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1) {
    throw new InvalidInputError(
      `dueDeliveries: maxAttempts must be a whole number >= 1, got ${options.maxAttempts}`,
    );
  }
  const limit = options.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InvalidInputError(`dueDeliveries: limit must be a whole number >= 1, got ${limit}`);
  }
  const offset = options.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) {
    throw new InvalidInputError(`dueDeliveries: offset must be a whole number >= 0, got ${offset}`);
  }
  if (options.channels.length === 0) return [];
  const params = [
    toDbTime(options.now),
    options.maxAttempts,
    JSON.stringify([...options.channels]),
    limit,
    offset,
  ];
  if (options.withMissing) {
    const channelsJson = JSON.stringify([...new Set(options.channels)]);
    return readRaw(db, (sql) =>
      (statement(sql, DUE_WITH_MISSING_SQL).all(channelsJson, ...params) as DueRow[]).map(toDueDelivery),
    );
  }
  // Reads only: a deliverer claims each row with claimDelivery right before sending it.
  return readRaw(db, (sql) => (statement(sql, DUE_SQL).all(...params) as DueRow[]).map(toDueDelivery));
}

function toDueDelivery(row: DueRow): DueDelivery {
  return {
    deliveryId: row.delivery_id,
    channel: row.channel,
    attempts: row.attempts,
    lastError: row.last_error,
    alert: {
      alertId: row.alert_id,
      dedupeKey: row.dedupe_key,
      alertType: row.alert_type,
      triggeredAt: fromDbTime(row.triggered_at),
      message: row.message,
      subject: row.subject,
      thresholdValue: row.threshold_value,
      actualValue: row.actual_value,
      details: parseAlertDetails(row.details),
      race:
        row.race_id === null
          ? null
          : {
              raceId: row.race_id,
              track: row.track ?? "",
              timezone: row.timezone ?? "UTC",
              raceDate: row.race_date ?? "",
              raceNumber: row.race_number ?? 0,
              postTime: row.post_time === null ? null : fromDbTime(row.post_time),
            },
      runner:
        row.entry_id === null
          ? null
          : { entryId: row.entry_id, programNumber: row.program_number ?? "", horse: row.horse ?? "" },
    },
  };
}

export interface ClaimDeliveryOptions {
  /** The claimer's clock: the row must be due at this instant. */
  now: Date;
  /** The claim lasts this long from `now`: longer than one send can take. */
  forMs: number;
  /** The attempts the caller read with the row: a row tried meanwhile (by another process) is not claimed. */
  attempts: number;
}

/**
 * Claims one due delivery just before it is sent (compare-and-set in one
 * write transaction): next_attempt_at = now + forMs, only while the row is
 * undelivered, due at `now` and still at `attempts`. Returns whether this
 * caller got it; false means another deliverer holds it (or already tried or
 * delivered it), so the caller must not send. A claimer that dies mid-send
 * only delays the row until the claim expires; then it is due again and
 * re-sent under the same idempotency key.
 */
export async function claimDelivery(
  db: Db,
  deliveryId: number,
  options: ClaimDeliveryOptions,
): Promise<boolean> {
  if (!Number.isInteger(options.forMs) || options.forMs < 1) {
    throw new InvalidInputError(`claimDelivery: forMs must be a whole number >= 1, got ${options.forMs}`);
  }
  const nowText = toDbTime(options.now);
  const until = toDbTime(options.now.getTime() + options.forMs);
  return writeTransaction(
    db,
    (sql) =>
      statement(
        sql,
        `UPDATE alert_delivery SET next_attempt_at = ?
         WHERE delivery_id = ? AND delivered_at IS NULL AND attempts = ?
           AND (next_attempt_at IS NULL OR next_attempt_at <= ?)`,
      ).run(until, deliveryId, options.attempts, nowText).changes === 1,
  );
}

export interface DeliverySuccess {
  /** This call marked the row delivered; false: it already was (another deliverer recorded it first). */
  recorded: boolean;
  /** Every channel of the alert has delivered (alert.sent). */
  alertSent: boolean;
}

/**
 * Records that a channel delivered: delivered_at, one more attempt, no next
 * attempt; when that was the alert's last undelivered channel, also
 * `alert.sent`/`sent_at` - all in one transaction. Recording an already
 * delivered row again changes nothing (`recorded: false`).
 */
export async function recordDeliverySuccess(db: Db, deliveryId: number, at: Date): Promise<DeliverySuccess> {
  const atText = toDbTime(at);
  return writeTransaction(db, (sql) => {
    const row = statement(sql, `SELECT alert_id, delivered_at FROM alert_delivery WHERE delivery_id = ?`).get(
      deliveryId,
    ) as { alert_id: number; delivered_at: string | null } | undefined;
    if (!row) throw new InvalidInputError(`recordDeliverySuccess: no delivery with id ${deliveryId}`);
    const recorded =
      statement(
        sql,
        `UPDATE alert_delivery
         SET delivered_at = ?, attempts = attempts + 1, last_attempt_at = ?, next_attempt_at = NULL
         WHERE delivery_id = ? AND delivered_at IS NULL`,
      ).run(atText, atText, deliveryId).changes === 1;
    const pending = statement(
      sql,
      `SELECT count(*) AS n FROM alert_delivery WHERE alert_id = ? AND delivered_at IS NULL`,
    ).get(row.alert_id) as { n: number };
    if (pending.n > 0) return { recorded, alertSent: false };
    statement(sql, `UPDATE alert SET sent = 1, sent_at = ? WHERE alert_id = ? AND sent = 0`).run(
      atText,
      row.alert_id,
    );
    return { recorded, alertSent: true };
  });
}

/**
 * Records a failed attempt: one more attempt, the error, and when to try
 * again (null: not again). Returns the attempts made so far.
 */
export async function recordDeliveryFailure(
  db: Db,
  deliveryId: number,
  failure: { at: Date; error: string; nextAttemptAt: Date | null },
): Promise<{ attempts: number }> {
  const error =
    failure.error.length > MAX_ERROR_LENGTH ? `${failure.error.slice(0, MAX_ERROR_LENGTH)}…` : failure.error;
  return writeTransaction(db, (sql) => {
    const row = statement(
      sql,
      `UPDATE alert_delivery
       SET attempts = attempts + 1, last_error = ?, last_attempt_at = ?, next_attempt_at = ?
       WHERE delivery_id = ? AND delivered_at IS NULL
       RETURNING attempts`,
    ).get(
      error,
      toDbTime(failure.at),
      failure.nextAttemptAt === null ? null : toDbTime(failure.nextAttemptAt),
      deliveryId,
    ) as { attempts: number } | undefined;
    if (row) return { attempts: row.attempts };
    const existing = statement(sql, `SELECT attempts FROM alert_delivery WHERE delivery_id = ?`).get(
      deliveryId,
    ) as { attempts: number } | undefined;
    if (!existing) throw new InvalidInputError(`recordDeliveryFailure: no delivery with id ${deliveryId}`);
    // Already delivered (by another process): a late failure report must not undo that.
    return { attempts: existing.attempts };
  });
}

/** An alert's sent flag and its delivery rows by channel, or null when there is no such alert. */
export async function deliveryStatus(db: Db, alertId: number): Promise<DeliveryStatus | null> {
  return db.exclusive(async () => {
    const alert = await db.prisma.alert.findUnique({
      where: { id: alertId },
      include: { deliveries: { orderBy: { channel: "asc" } } },
    });
    if (!alert) return null;
    return {
      alertId: alert.id,
      sent: alert.sent,
      sentAt: alert.sentAt,
      deliveries: alert.deliveries.map((delivery) => ({
        deliveryId: delivery.id,
        channel: delivery.channel,
        attempts: delivery.attempts,
        lastError: delivery.lastError,
        lastAttemptAt: delivery.lastAttemptAt,
        nextAttemptAt: delivery.nextAttemptAt,
        deliveredAt: delivery.deliveredAt,
      })),
    };
  });
}

function validateChannels(channels: readonly string[], where: string): void {
  for (const channel of channels) {
    if (typeof channel !== "string" || channel.trim() === "") {
      throw new InvalidInputError(
        `${where}: channel names must be non-empty strings, got ${JSON.stringify(channel)}`,
      );
    }
  }
}
