// The alert_delivery bookkeeping (deliveries.ts, due-deliveries.ts) on a real migrated SQLite file.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../client.js";
import { InvalidInputError } from "../errors.js";
import { createTestDb, STEAM_ALERT_POST_TIME, storeSteamAlert } from "../../testing/index.js";
import {
  claimDeliveries,
  claimDelivery,
  channelHeldUntil,
  deferChannelDeliveries,
  markDigest,
} from "./delivery-claims.js";
import {
  recordDeliveriesFailure,
  recordDeliveryFailure,
  recordDeliveriesSuccess,
  recordDeliverySuccess,
} from "./deliveries.js";
import { dropUnroutedDeliveries, ensurePendingDeliveries, routeTakes } from "./delivery-routes.js";
import { deliveryStatus, dueDeliveries } from "./due-deliveries.js";
import { listAlerts } from "./listings.js";

const T0 = new Date("2024-08-01T17:43:00.000Z");
const ALL = ["console", "email", "webhook"];

let db: Db;
beforeEach(() => {
  db = createTestDb("deliveries");
});
afterEach(async () => {
  await db.close();
});

describe("delivery rows: created with the alert, or later for a channel enabled since", () => {
  it("a new alert gets one row per channel, once", async () => {
    const { alertId } = await storeSteamAlert(db, { channels: ["webhook", "email", "webhook"] });
    // Storing it again (a known dedupe key) adds nothing.
    expect(await storeSteamAlert(db, { channels: ["webhook", "email", "console"] })).toMatchObject({
      alertId,
    });
    const status = await deliveryStatus(db, alertId);
    expect(status?.deliveries.map((row) => [row.channel, row.attempts, row.deliveredAt])).toEqual([
      ["email", 0, null],
      ["webhook", 0, null],
    ]);
  });

  it("refuses an empty channel name", async () => {
    await expect(storeSteamAlert(db, { channels: [""] })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(ensurePendingDeliveries(db, [" "])).rejects.toBeInstanceOf(InvalidInputError);
  });

  it("adds no rows to an alert that is already sent", async () => {
    await storeSteamAlert(db, { channels: ["console"] });
    const [row] = await dueDeliveries(db, { channels: ["console"], now: T0, maxAttempts: 3 });
    await recordDeliverySuccess(db, row!.deliveryId, T0);
    expect(await ensurePendingDeliveries(db, ["webhook"])).toBe(0);
  });

  it("ensurePendingDeliveries fills in rows for unsent alerts that have none", async () => {
    const { alertId } = await storeSteamAlert(db);
    expect(await ensurePendingDeliveries(db, ["webhook", "email"])).toBe(2);
    expect(await ensurePendingDeliveries(db, ["webhook", "email"])).toBe(0);
    expect((await deliveryStatus(db, alertId))?.deliveries).toHaveLength(2);
  });
});

describe("dueDeliveries", () => {
  it("returns the row with its alert, race and runner, details parsed", async () => {
    const { alertId, dedupeKey } = await storeSteamAlert(db, { channels: ["webhook"] });
    const [row, ...rest] = await dueDeliveries(db, { channels: ["webhook"], now: T0, maxAttempts: 3 });
    expect(rest).toEqual([]);
    expect(row).toMatchObject({
      channel: "webhook",
      attempts: 0,
      lastError: null,
      alert: {
        alertId,
        dedupeKey,
        alertType: "steam",
        subject: "3",
        details: { before: 5, after: 2.5, minutesToPost: 8 },
        race: { track: "Saratoga", timezone: "America/New_York", raceDate: "2024-08-01", raceNumber: 5 },
        runner: { programNumber: "3", horse: "Thunder Road" },
      },
    });
    expect(row?.alert.race?.postTime?.toISOString()).toBe(STEAM_ALERT_POST_TIME.toISOString());
    expect(row?.alert.triggeredAt.toISOString()).toBe("2024-08-01T17:42:00.000Z");
  });

  it("only the asked channels, oldest alert first, within the limit", async () => {
    await storeSteamAlert(db, {
      dedupeKey: "later",
      triggeredAt: new Date("2024-08-01T17:44:00Z"),
      channels: ALL,
    });
    await storeSteamAlert(db, {
      dedupeKey: "earlier",
      triggeredAt: new Date("2024-08-01T17:40:00Z"),
      channels: ALL,
    });
    const due = await dueDeliveries(db, { channels: ["webhook", "email"], now: T0, maxAttempts: 3 });
    expect(due.map((row) => [row.alert.dedupeKey, row.channel])).toEqual([
      ["earlier", "email"],
      ["earlier", "webhook"],
      ["later", "email"],
      ["later", "webhook"],
    ]);
    expect(await dueDeliveries(db, { channels: ALL, now: T0, maxAttempts: 3, limit: 1 })).toHaveLength(1);
    expect(await dueDeliveries(db, { channels: [], now: T0, maxAttempts: 3 })).toEqual([]);
  });

  it("skips rows waiting for their backoff, out of attempts, or delivered", async () => {
    await storeSteamAlert(db, { channels: ALL });
    const rows = await dueDeliveries(db, { channels: ALL, now: T0, maxAttempts: 2 });
    const id = (channel: string) => rows.find((row) => row.channel === channel)!.deliveryId;
    const retryAt = new Date(T0.getTime() + 60_000);
    await recordDeliveryFailure(db, id("webhook"), { at: T0, error: "HTTP 500", nextAttemptAt: retryAt });
    await recordDeliveryFailure(db, id("email"), { at: T0, error: "550", nextAttemptAt: T0 });
    await recordDeliveryFailure(db, id("email"), { at: T0, error: "550 again", nextAttemptAt: null });
    await recordDeliverySuccess(db, id("console"), T0);

    expect(await dueDeliveries(db, { channels: ALL, now: T0, maxAttempts: 2 })).toEqual([]);
    const afterBackoff = await dueDeliveries(db, { channels: ALL, now: retryAt, maxAttempts: 2 });
    expect(afterBackoff.map((row) => [row.channel, row.attempts, row.lastError])).toEqual([
      ["webhook", 1, "HTTP 500"],
    ]);
    // Raising maxAttempts brings the given-up email row back.
    const raised = await dueDeliveries(db, { channels: ALL, now: retryAt, maxAttempts: 5 });
    expect(raised.map((row) => row.channel)).toEqual(["email", "webhook"]);
  });

  it("offset pages through the due rows in order", async () => {
    for (const minute of [40, 41, 42]) {
      await storeSteamAlert(db, {
        dedupeKey: `m${minute}`,
        triggeredAt: new Date(`2024-08-01T17:${minute}:00Z`),
        channels: ["webhook"],
      });
    }
    const page = async (offset: number) =>
      (await dueDeliveries(db, { channels: ["webhook"], now: T0, maxAttempts: 3, limit: 2, offset })).map(
        (row) => row.alert.dedupeKey,
      );
    expect([await page(0), await page(2), await page(4)]).toEqual([["m40", "m41"], ["m42"], []]);
    await expect(
      dueDeliveries(db, { channels: ["webhook"], now: T0, maxAttempts: 3, offset: -1 }),
    ).rejects.toThrow(/offset/);
  });

  it("withMissing also returns, unwritten, the rows a pass would create for an unsent alert", async () => {
    const { alertId, dedupeKey } = await storeSteamAlert(db, { channels: ["webhook"] });
    const due = await dueDeliveries(db, {
      channels: ["webhook", "email"],
      now: T0,
      maxAttempts: 3,
      withMissing: true,
    });
    expect(due.map((row) => [row.alert.dedupeKey, row.channel, row.deliveryId === 0])).toEqual([
      [dedupeKey, "email", true],
      [dedupeKey, "webhook", false],
    ]);
    // Nothing was written.
    expect((await deliveryStatus(db, alertId))?.deliveries.map((row) => row.channel)).toEqual(["webhook"]);
  });

  it("refuses a maxAttempts or limit that is not a whole number >= 1", async () => {
    await expect(dueDeliveries(db, { channels: ALL, now: T0, maxAttempts: 0 })).rejects.toThrow(
      /maxAttempts/,
    );
    await expect(dueDeliveries(db, { channels: ALL, now: T0, maxAttempts: 1, limit: 0.5 })).rejects.toThrow(
      /limit/,
    );
  });
});

describe("claimDelivery", () => {
  it("one claimer wins; the row is due again when the claim expires, not before", async () => {
    await storeSteamAlert(db, { channels: ["webhook"] });
    const [row] = await dueDeliveries(db, { channels: ["webhook"], now: T0, maxAttempts: 3 });
    const claim = (now: Date) => claimDelivery(db, row!.deliveryId, { now, forMs: 30_000, attempts: 0 });
    expect(await claim(T0)).toBe(true);
    expect(await claim(T0)).toBe(false);
    expect(await claim(new Date(T0.getTime() + 29_999))).toBe(false);
    expect(await dueDeliveries(db, { channels: ["webhook"], now: T0, maxAttempts: 3 })).toEqual([]);
    // The claimer died mid-send: once the claim has run out, another deliverer takes the row.
    const expired = new Date(T0.getTime() + 30_000);
    expect(await dueDeliveries(db, { channels: ["webhook"], now: expired, maxAttempts: 3 })).toHaveLength(1);
    expect(await claim(expired)).toBe(true);
  });

  it("refuses a row tried or delivered since it was read", async () => {
    await storeSteamAlert(db, { channels: ["webhook", "email"] });
    const rows = await dueDeliveries(db, { channels: ALL, now: T0, maxAttempts: 3 });
    const id = (channel: string) => rows.find((row) => row.channel === channel)!.deliveryId;
    // Tried by another process (failure, retry due at once): the caller's copy is stale.
    await recordDeliveryFailure(db, id("webhook"), { at: T0, error: "HTTP 500", nextAttemptAt: T0 });
    expect(await claimDelivery(db, id("webhook"), { now: T0, forMs: 1000, attempts: 0 })).toBe(false);
    expect(await claimDelivery(db, id("webhook"), { now: T0, forMs: 1000, attempts: 1 })).toBe(true);
    await recordDeliverySuccess(db, id("email"), T0);
    expect(await claimDelivery(db, id("email"), { now: T0, forMs: 1000, attempts: 0 })).toBe(false);
    await expect(claimDelivery(db, id("email"), { now: T0, forMs: 0, attempts: 0 })).rejects.toThrow(/forMs/);
  });
});

describe("claimDeliveries (a digest's rows, in one transaction)", () => {
  it("claims every free row given, returns their ids; a second claimer gets none; stale or held rows are left out", async () => {
    await storeSteamAlert(db, { channels: ["ntfy"], triggeredAt: new Date("2024-08-01T17:41:00.000Z") });
    await storeSteamAlert(db, { channels: ["ntfy"], triggeredAt: new Date("2024-08-01T17:42:00.000Z") });
    await storeSteamAlert(db, { channels: ["ntfy"], triggeredAt: new Date("2024-08-01T17:42:30.000Z") });
    const [a, b, c] = await dueDeliveries(db, { channels: ["ntfy"], now: T0, maxAttempts: 3 });
    // c is claimed alone by someone else first; b was tried since it was read (its attempts moved on).
    expect(await claimDelivery(db, c!.deliveryId, { now: T0, forMs: 30_000, attempts: 0 })).toBe(true);
    await recordDeliveryFailure(db, b!.deliveryId, { at: T0, error: "HTTP 500", nextAttemptAt: T0 });
    const claim = () => claimDeliveries(db, [a!, b!, c!], { now: T0, forMs: 30_000 });
    expect(await claim()).toEqual([a!.deliveryId]);
    // The second claimer of the same digest gets nothing: it must send nothing.
    expect(await claim()).toEqual([]);
    // Nothing of the three is due until the claims run out.
    expect(await dueDeliveries(db, { channels: ["ntfy"], now: T0, maxAttempts: 3 })).toEqual([
      expect.objectContaining({ deliveryId: b!.deliveryId, attempts: 1 }),
    ]);
    expect(await claimDeliveries(db, [], { now: T0, forMs: 1 })).toEqual([]);
    await expect(claimDeliveries(db, [a!], { now: T0, forMs: 0 })).rejects.toThrow(/forMs/);
  });
});

describe("recordDeliverySuccess / recordDeliveryFailure", () => {
  it("marks the alert sent only with its last channel, at that time", async () => {
    const { alertId } = await storeSteamAlert(db, { channels: ["email", "webhook"] });
    const [email, webhook] = await dueDeliveries(db, { channels: ALL, now: T0, maxAttempts: 3 });
    const t1 = new Date(T0.getTime() + 1000);
    const t2 = new Date(T0.getTime() + 2000);

    expect(await recordDeliverySuccess(db, email!.deliveryId, t1)).toEqual({
      recorded: true,
      alertSent: false,
    });
    expect((await deliveryStatus(db, alertId))?.sent).toBe(false);
    expect((await listAlerts(db, { unsentOnly: true })).map((alert) => alert.alertId)).toEqual([alertId]);

    expect(await recordDeliverySuccess(db, webhook!.deliveryId, t2)).toEqual({
      recorded: true,
      alertSent: true,
    });
    const status = await deliveryStatus(db, alertId);
    expect(status?.sent).toBe(true);
    expect(status?.sentAt?.toISOString()).toBe(t2.toISOString());
    expect(
      status?.deliveries.map((row) => [row.channel, row.attempts, row.deliveredAt?.toISOString()]),
    ).toEqual([
      ["email", 1, t1.toISOString()],
      ["webhook", 1, t2.toISOString()],
    ]);
    expect(await listAlerts(db, { unsentOnly: true })).toEqual([]);
  });

  it("is idempotent, and a late failure report does not undo a delivery", async () => {
    const { alertId } = await storeSteamAlert(db, { channels: ["webhook"] });
    const [row] = await dueDeliveries(db, { channels: ["webhook"], now: T0, maxAttempts: 3 });
    expect(await recordDeliverySuccess(db, row!.deliveryId, T0)).toEqual({ recorded: true, alertSent: true });
    // A second deliverer's success changes nothing, and says so.
    expect(await recordDeliverySuccess(db, row!.deliveryId, new Date(T0.getTime() + 5000))).toEqual({
      recorded: false,
      alertSent: true,
    });
    expect(
      await recordDeliveryFailure(db, row!.deliveryId, { at: T0, error: "late", nextAttemptAt: null }),
    ).toEqual({
      attempts: 1,
    });
    const [state] = (await deliveryStatus(db, alertId))!.deliveries;
    expect(state).toMatchObject({ attempts: 1, lastError: null });
    expect(state?.deliveredAt?.toISOString()).toBe(T0.toISOString());
  });

  it("recordDeliveriesSuccess: a digest's rows in ONE transaction, each alert sent as recordDeliverySuccess decides", async () => {
    const one = await storeSteamAlert(db, { channels: ["email", "webhook"], triggeredAt: T0 });
    const two = await storeSteamAlert(db, {
      channels: ["webhook"],
      triggeredAt: new Date(T0.getTime() + 1000),
    });
    const rows = await dueDeliveries(db, { channels: ["webhook"], now: T0, maxAttempts: 3 });
    expect(rows).toHaveLength(2);
    const ids = rows.map((row) => row.deliveryId);
    const t1 = new Date(T0.getTime() + 5000);
    // An unknown id partway: nothing at all is recorded (all or none, never the first half).
    await expect(recordDeliveriesSuccess(db, [ids[0]!, 4242, ids[1]!], t1)).rejects.toThrow(
      /recordDeliveriesSuccess: no delivery with id 4242/,
    );
    for (const { alertId } of [one, two]) {
      const status = await deliveryStatus(db, alertId);
      expect(status?.deliveries.find((row) => row.channel === "webhook")?.deliveredAt).toBeNull();
    }
    // Both recorded at t1; alert two (webhook only) is sent, alert one still waits for email.
    expect(await recordDeliveriesSuccess(db, ids, t1)).toEqual([
      { recorded: true, alertSent: false },
      { recorded: true, alertSent: true },
    ]);
    expect(await deliveryStatus(db, one.alertId)).toMatchObject({ sent: false });
    expect(await deliveryStatus(db, two.alertId)).toMatchObject({ sent: true, sentAt: t1 });
    // Again: nothing changes, and it says so.
    expect(await recordDeliveriesSuccess(db, ids, new Date(T0.getTime() + 9000))).toEqual([
      { recorded: false, alertSent: false },
      { recorded: false, alertSent: true },
    ]);
    expect(await recordDeliveriesSuccess(db, [], t1)).toEqual([]);
  });

  it("names an unknown delivery id", async () => {
    await expect(recordDeliverySuccess(db, 4242, T0)).rejects.toThrow(/no delivery with id 4242/);
    await expect(
      recordDeliveryFailure(db, 4242, { at: T0, error: "x", nextAttemptAt: null }),
    ).rejects.toThrow(/no delivery with id 4242/);
  });

  it("deliveryStatus is null for an unknown alert", async () => {
    expect(await deliveryStatus(db, 31337)).toBeNull();
  });
});

describe("routes: a channel's `only`", () => {
  // The sample race is Saratoga R5. Steam has strength 0.8, the overlay 0.2.
  const PHONE = { channel: "ntfy", types: ["steam"], minStrength: 0.5 };
  const store = async () => ({
    steam: await storeSteamAlert(db, { strength: 0.8 }),
    overlay: await storeSteamAlert(db, { alertType: "overlay", strength: 0.2 }),
  });

  it("rows are created only where the route takes the alert; due rows only for it", async () => {
    const { steam, overlay } = await store();
    // steam: email + ntfy; overlay: email only (type and strength both exclude it) = 3 rows.
    expect(await ensurePendingDeliveries(db, ["email", PHONE])).toBe(3);
    expect(await ensurePendingDeliveries(db, ["email", PHONE])).toBe(0);
    expect((await deliveryStatus(db, steam.alertId))?.deliveries.map((row) => row.channel)).toEqual([
      "email",
      "ntfy",
    ]);
    expect((await deliveryStatus(db, overlay.alertId))?.deliveries.map((row) => row.channel)).toEqual([
      "email",
    ]);
    // A dry run reads the same: the routes decide the missing rows too.
    const fresh = createTestDb("deliveries-dry");
    try {
      await storeSteamAlert(fresh, { strength: 0.8 });
      await storeSteamAlert(fresh, { alertType: "overlay", strength: 0.2 });
      const would = await dueDeliveries(fresh, {
        channels: ["email", PHONE],
        now: T0,
        maxAttempts: 3,
        withMissing: true,
      });
      // Same trigger time: by alert id (steam stored first), then channel.
      expect(would.map((row) => [row.alert.alertType, row.channel])).toEqual([
        ["steam", "email"],
        ["steam", "ntfy"],
        ["overlay", "email"],
      ]);
    } finally {
      await fresh.close();
    }
  });

  it("tracks: the alert's track must be listed; minStrength: an alert without strength does not reach it", async () => {
    const { alertId } = await storeSteamAlert(db);
    expect(await ensurePendingDeliveries(db, [{ channel: "discord", tracks: ["Belmont Park"] }])).toBe(0);
    expect(await ensurePendingDeliveries(db, [{ channel: "slack", minStrength: 0 }])).toBe(0);
    expect(await ensurePendingDeliveries(db, [{ channel: "telegram", tracks: ["Saratoga"] }])).toBe(1);
    expect((await deliveryStatus(db, alertId))?.deliveries.map((row) => row.channel)).toEqual(["telegram"]);
  });

  it("routeTakes (JS) decides as the SQL does", async () => {
    await store();
    const routes = [
      "email",
      PHONE,
      { channel: "a", tracks: ["Saratoga"] },
      { channel: "b", tracks: ["Belmont Park"] },
      { channel: "c", minStrength: 0.2 },
      { channel: "d", types: ["overlay", "drift"], minStrength: 0.3 },
    ];
    const all = await dueDeliveries(db, {
      channels: routes.map((route) => (typeof route === "string" ? route : route.channel)),
      now: T0,
      maxAttempts: 3,
      withMissing: true,
    });
    const routed = await dueDeliveries(db, { channels: routes, now: T0, maxAttempts: 3, withMissing: true });
    const key = (row: (typeof all)[number]) => `${row.alert.alertType}/${row.channel}`;
    const byJs = all.filter((row) =>
      routeTakes(
        routes.find((route) => (typeof route === "string" ? route : route.channel) === row.channel)!,
        row.alert,
      ),
    );
    expect(routed.map(key)).toEqual(byJs.map(key));
    // steam: email, ntfy, a, c; overlay (0.2): email, a, c (0.2 >= 0.2); d needs 0.3.
    expect(routed.map(key).sort()).toEqual([
      "overlay/a",
      "overlay/c",
      "overlay/email",
      "steam/a",
      "steam/c",
      "steam/email",
      "steam/ntfy",
    ]);
  });

  it("rows a route does not take are dropped, and the alert is sent when every row left delivered", async () => {
    const { steam, overlay } = await store();
    // Stored the way the engine stores them: a row for every enabled channel.
    await ensurePendingDeliveries(db, ["email", "ntfy"]);
    const [email] = (await dueDeliveries(db, { channels: ["email"], now: T0, maxAttempts: 3 })).filter(
      (row) => row.alert.alertId === overlay.alertId,
    );
    await recordDeliverySuccess(db, email!.deliveryId, T0);
    // The overlay's ntfy row is not for the phone: dropped, and its email delivery makes it sent.
    expect(await dropUnroutedDeliveries(db, ["email", PHONE])).toEqual({ dropped: 1, sent: 1, unrouted: [] });
    expect(await dropUnroutedDeliveries(db, ["email", PHONE])).toEqual({ dropped: 0, sent: 0, unrouted: [] });
    const status = await deliveryStatus(db, overlay.alertId);
    expect(status?.deliveries.map((row) => row.channel)).toEqual(["email"]);
    expect(status?.sent).toBe(true);
    expect(status?.sentAt?.toISOString()).toBe(T0.toISOString());
    // The steam keeps both rows and stays unsent.
    expect((await deliveryStatus(db, steam.alertId))?.deliveries).toHaveLength(2);
    expect((await deliveryStatus(db, steam.alertId))?.sent).toBe(false);
  });

  it("an alert left with no rows stays unsent (nothing took it), as with no channel enabled; reported once", async () => {
    const { alertId } = await storeSteamAlert(db, { channels: ["ntfy"] });
    expect(await dropUnroutedDeliveries(db, [{ channel: "ntfy", types: ["overlay"] }])).toEqual({
      dropped: 1,
      sent: 0,
      unrouted: [{ alertId, alertType: "steam" }],
    });
    expect(await dropUnroutedDeliveries(db, [{ channel: "ntfy", types: ["overlay"] }])).toEqual({
      dropped: 0,
      sent: 0,
      unrouted: [],
    });
    expect(await deliveryStatus(db, alertId)).toMatchObject({ sent: false, deliveries: [] });
  });
});

describe("deferChannelDeliveries (a 429 holds the whole channel back)", () => {
  it("moves the channel's earlier rows to `until`, keeps later ones, counts no attempt, leaves others", async () => {
    const first = await storeSteamAlert(db, { channels: ["discord", "email"] });
    const second = await storeSteamAlert(db, {
      channels: ["discord"],
      triggeredAt: new Date("2024-08-01T17:42:30.000Z"),
    });
    const later = new Date(T0.getTime() + 600_000);
    const [row] = await dueDeliveries(db, { channels: ["discord"], now: T0, maxAttempts: 3 });
    await recordDeliveryFailure(db, row!.deliveryId, { at: T0, error: "x", nextAttemptAt: later });
    const until = new Date(T0.getTime() + 30_000);
    // first's discord row is due later than until (kept); second's is due now (held back).
    expect(await deferChannelDeliveries(db, "discord", { until, maxAttempts: 3 })).toBe(1);
    const discordOf = async (alertId: number) =>
      (await deliveryStatus(db, alertId))?.deliveries.find((each) => each.channel === "discord");
    expect((await discordOf(first.alertId))?.nextAttemptAt?.toISOString()).toBe(later.toISOString());
    expect(await discordOf(second.alertId)).toMatchObject({ attempts: 0, nextAttemptAt: until });
    expect(
      (await deliveryStatus(db, first.alertId))?.deliveries.find((each) => each.channel === "email"),
    ).toMatchObject({ nextAttemptAt: null });
    // With one attempt allowed first's discord row (1 attempt) is given up on: never touched.
    const much = new Date(until.getTime() + 3_600_000);
    expect(await deferChannelDeliveries(db, "discord", { until: much, maxAttempts: 1 })).toBe(1);
    expect((await discordOf(first.alertId))?.nextAttemptAt?.toISOString()).toBe(later.toISOString());
  });
});

describe("a channel's hold (429) covers every row, stored before it or during it", () => {
  it("no row of a held channel is due or claimable until the hold ends, a new one included", async () => {
    const until = new Date(T0.getTime() + 30_000);
    await deferChannelDeliveries(db, "discord", { until, maxAttempts: 3 });
    expect(await channelHeldUntil(db, "discord")).toEqual(until);
    // A shorter hold asked for later does not cut the longer one short.
    await deferChannelDeliveries(db, "discord", { until: new Date(T0.getTime() + 5_000), maxAttempts: 3 });
    expect(await channelHeldUntil(db, "discord")).toEqual(until);
    // Stored during the hold: its row has no next_attempt_at of its own (nothing to move).
    const { alertId } = await storeSteamAlert(db, { channels: ["discord", "email"] });
    const during = new Date(T0.getTime() + 10_000);
    const dueDuring = await dueDeliveries(db, {
      channels: ["discord", "email"],
      now: during,
      maxAttempts: 3,
    });
    expect(dueDuring.map((row) => row.channel)).toEqual(["email"]);
    const discordRow = (await deliveryStatus(db, alertId))!.deliveries.find(
      (row) => row.channel === "discord",
    )!;
    expect(discordRow.nextAttemptAt).toBeNull();
    // A deliverer that read the row before the hold cannot claim it during the hold either.
    const claim = { now: during, forMs: 60_000, attempts: 0 };
    expect(await claimDelivery(db, discordRow.deliveryId, claim)).toBe(false);
    // At the hold's end (held_until > now is the test: at `until` exactly it is over) both are due.
    const after = await dueDeliveries(db, { channels: ["discord", "email"], now: until, maxAttempts: 3 });
    expect(after.map((row) => row.channel)).toEqual(["discord", "email"]);
    expect(await claimDelivery(db, discordRow.deliveryId, { ...claim, now: until })).toBe(true);
    // Another channel was never held.
    expect(await channelHeldUntil(db, "email")).toBeNull();
  });

  it("a 429 is recorded but not counted as an attempt (counted: false)", async () => {
    const { alertId } = await storeSteamAlert(db, { channels: ["discord"] });
    const [row] = await dueDeliveries(db, { channels: ["discord"], now: T0, maxAttempts: 1 });
    const next = new Date(T0.getTime() + 30_000);
    const failure = { at: T0, error: "HTTP 429 Too Many Requests", nextAttemptAt: next, counted: false };
    expect(await recordDeliveryFailure(db, row!.deliveryId, failure)).toEqual({ attempts: 0 });
    expect((await deliveryStatus(db, alertId))!.deliveries[0]).toMatchObject({
      attempts: 0,
      lastError: "HTTP 429 Too Many Requests",
      lastAttemptAt: T0,
      nextAttemptAt: next,
    });
    // With maxAttempts 1 it is still due once the wait is over: a 429 used up nothing.
    expect(await dueDeliveries(db, { channels: ["discord"], now: next, maxAttempts: 1 })).toHaveLength(1);
    // A counted failure (the default) does use the one attempt.
    await recordDeliveryFailure(db, row!.deliveryId, { at: next, error: "HTTP 500", nextAttemptAt: null });
    expect(await dueDeliveries(db, { channels: ["discord"], now: next, maxAttempts: 1 })).toEqual([]);
  });
});

describe("markDigest: a digest's rows stay one message", () => {
  it("marks each row with the smallest id of the message's new rows; a row already in one keeps its own", async () => {
    const alerts = [];
    for (const seconds of [0, 10, 20]) {
      alerts.push(
        await storeSteamAlert(db, {
          channels: ["telegram"],
          triggeredAt: new Date(T0.getTime() - 60_000 + seconds * 1000),
        }),
      );
    }
    const rows = await dueDeliveries(db, { channels: ["telegram"], now: T0, maxAttempts: 3 });
    expect(rows.map((row) => row.digestId)).toEqual([null, null, null]);
    const [a, b, c] = rows.map((row) => row.deliveryId) as [number, number, number];
    expect(await markDigest(db, [b, a])).toBe(Math.min(a, b));
    // c with b again: b stays in a's message, c starts its own (the smallest id not yet marked: c).
    expect(await markDigest(db, [c, b])).toBe(c);
    // Nothing left to mark: no new digest.
    expect(await markDigest(db, [a, c])).toBeNull();
    const after = await dueDeliveries(db, { channels: ["telegram"], now: T0, maxAttempts: 3 });
    expect(after.map((row) => [row.deliveryId, row.digestId])).toEqual([
      [a, Math.min(a, b)],
      [b, Math.min(a, b)],
      [c, c],
    ]);
    await expect(markDigest(db, [])).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe("a digest is one unit: claimed and marked together, failed together", () => {
  const threeRows = async () => {
    for (const seconds of [0, 10, 20]) {
      await storeSteamAlert(db, {
        channels: ["webhook"],
        triggeredAt: new Date(T0.getTime() - 60_000 + seconds * 1000),
      });
    }
    return dueDeliveries(db, { channels: ["webhook"], now: T0, maxAttempts: 3 });
  };

  it("claimDeliveries digest 'new' claims only unmarked rows and marks them in the same transaction", async () => {
    const [a, b, c] = await threeRows();
    // b was marked by a deliverer that died after marking: not ours to send in a new digest.
    await markDigest(db, [b!.deliveryId]);
    const claimed = await claimDeliveries(db, [a!, b!, c!], { now: T0, forMs: 60_000, digest: "new" });
    expect(claimed).toEqual([a!.deliveryId, c!.deliveryId]);
    const later = new Date(T0.getTime() + 60_000);
    const rows = await dueDeliveries(db, { channels: ["webhook"], now: later, maxAttempts: 3 });
    // Grouped rows first, each digest together: b's own digest (id b), then a and c's (id a).
    expect(rows.map((row) => [row.deliveryId, row.digestId])).toEqual([
      [a!.deliveryId, a!.deliveryId],
      [c!.deliveryId, a!.deliveryId],
      [b!.deliveryId, b!.deliveryId],
    ]);
    // A retry claim (digest a) takes only that digest's rows.
    const retry = await claimDeliveries(db, rows, { now: later, forMs: 60_000, digest: a!.deliveryId });
    expect(retry).toEqual([a!.deliveryId, c!.deliveryId]);
  });

  it("recordDeliveriesFailure gives every row the most attempts plus one, in one transaction", async () => {
    const [a, b] = await threeRows();
    // a failed twice before (as the code before digests left it), b never.
    for (let i = 0; i < 2; i++) {
      await recordDeliveryFailure(db, a!.deliveryId, { at: T0, error: "x", nextAttemptAt: T0 });
    }
    const next = new Date(T0.getTime() + 1000);
    const ids = [a!.deliveryId, b!.deliveryId];
    // max(2, 0) + 1 = 3 for both: with maxAttempts 3 both are given up together, not a split digest.
    expect(
      await recordDeliveriesFailure(db, ids, { at: T0, error: "HTTP 500", nextAttemptAt: next }),
    ).toEqual({
      attempts: 3,
    });
    const due = await dueDeliveries(db, { channels: ["webhook"], now: next, maxAttempts: 3 });
    expect(due.map((row) => row.deliveryId)).not.toContain(a!.deliveryId);
    expect(due.map((row) => row.deliveryId)).not.toContain(b!.deliveryId);
    // Not counted (a 429): the same attempts, the new error.
    const more = await recordDeliveriesFailure(db, ids, {
      at: next,
      error: "HTTP 429",
      nextAttemptAt: next,
      counted: false,
    });
    expect(more).toEqual({ attempts: 3 });
    await expect(
      recordDeliveriesFailure(db, [], { at: T0, error: "x", nextAttemptAt: null }),
    ).rejects.toBeInstanceOf(InvalidInputError);
  });

  it("a hold more than a day ahead (a clock gone wrong) is not believed, and is replaced by the next", async () => {
    const { alertId } = await storeSteamAlert(db, { channels: ["discord"] });
    const yearAhead = new Date(T0.getTime() + 365 * 24 * 3_600_000);
    await deferChannelDeliveries(db, "discord", { until: yearAhead, maxAttempts: 3 });
    // The row itself was moved a year ahead by that deliverer; a new alert's row was not.
    const second = await storeSteamAlert(db, {
      channels: ["discord"],
      triggeredAt: new Date(T0.getTime() - 1000),
    });
    const due = await dueDeliveries(db, { channels: ["discord"], now: T0, maxAttempts: 3 });
    expect(due.map((row) => row.alert.alertId)).toEqual([second.alertId]);
    expect(due.map((row) => row.alert.alertId)).not.toContain(alertId);
    // The next hold (30 s) replaces the unbelievable one instead of being swallowed by max().
    const until = new Date(T0.getTime() + 30_000);
    await deferChannelDeliveries(db, "discord", { until, maxAttempts: 3 });
    expect(await channelHeldUntil(db, "discord")).toEqual(until);
  });
});
