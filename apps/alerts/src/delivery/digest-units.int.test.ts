// A digest is one unit, and only a 429 is "not now": the review's scenarios of the digest and
// rate-limit fixes, each failing before them, on real SQLite or PostgreSQL with real receivers on
// 127.0.0.1 and an injected clock. Digests here are the webhook's (digestMinutes: 5), keyed by
// digestKey over the alerts' dedupe keys, so "the same message" is checkable as "the same key".
import { captureLogs, freshTestDatabaseUrl, storeSteamAlert } from "@totewatch/test-utils";
import { parseConfig } from "@totewatch/config";
import {
  createDb,
  deliveryStatus,
  markDigest,
  recordDeliveryFailure,
  dueDeliveries,
  type Db,
} from "@totewatch/db";
import { afterEach, describe, expect, it } from "vitest";
import { createChannels } from "./channels.js";
import { deliverDue } from "./deliver.js";
import { digestKey } from "./digest-format.js";
import { startChatReceiver, startWebhookReceiver } from "../../test/delivery.js";
import type { Channel } from "./types.js";

const MIN = 60_000;
const T0 = new Date("2024-08-01T17:30:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
function open(url: string): Db {
  const db = createDb({ url });
  cleanups.push(() => db.close());
  return db;
}
const channelsFrom = (yaml: string): Channel[] =>
  createChannels(parseConfig(yaml, "<r>", {}).alerts.channels, { logger: captureLogs().logger } as never);
const hook = (url: string, digest = true) => `alerts:
  channels:
    console: { enabled: false }
    webhook: { enabled: true, url: ${url}, secret: review-secret-xyz${digest ? ", digestMinutes: 5" : ""} }
`;
const pass = (
  db: Db,
  ch: readonly Channel[],
  now: Date,
  extra: { limit?: number; maxAttempts?: number } = {},
) =>
  deliverDue(db, ch, {
    now,
    delivery: { maxAttempts: extra.maxAttempts ?? 5, backoffBaseMs: 1000, backoffMaxMs: 60_000 },
    logger: captureLogs().logger,
    random: () => 0,
    ...(extra.limit === undefined ? {} : { limit: extra.limit }),
  });
const alertAt = (db: Db, minutes: number) =>
  storeSteamAlert(db, { triggeredAt: at(minutes * MIN), channels: ["webhook"] });

describe("digests and rate limits: the review's scenarios", () => {
  it("D1: a retry group filling the page makes round 2 send a fresh alert before its window", async () => {
    const webhook = await startWebhookReceiver((n) => (n === 1 ? 500 : 200));
    cleanups.push(() => webhook.close());
    const db = open(await freshTestDatabaseUrl("r-d1"));
    const ch = channelsFrom(hook(webhook.url));
    await alertAt(db, 0);
    await alertAt(db, 1);
    expect(await pass(db, ch, at(5 * MIN), { limit: 2 })).toMatchObject({ failed: 2 });
    await alertAt(db, 5 + 200 / MIN); // C stored at +5:00.2: its window ends at +10:00.2
    const r = await pass(db, ch, at(5 * MIN + 500), { limit: 2 });
    // Promised: the old digest re-sent (2), C waits for its own window.
    expect(r.delivered).toBe(2);
    expect(webhook.requests).toHaveLength(2);
  });

  it("D2: a retry group cut by the page (an alert with an older triggered_at stored meanwhile) is re-sent under another key", async () => {
    const webhook = await startWebhookReceiver((n) => (n === 1 ? 500 : 200));
    cleanups.push(() => webhook.close());
    const db = open(await freshTestDatabaseUrl("r-d2"));
    const ch = channelsFrom(hook(webhook.url));
    for (const m of [0, 1, 2]) await alertAt(db, m);
    // The first page holds 3 rows: the failed digest fills it (before: the late alert came first by
    // triggered_at and pushed C to the next page, so [A, B] and then [C] went under new keys).
    expect(await pass(db, ch, at(5 * MIN), { limit: 3 })).toMatchObject({ failed: 3 });
    // A replayed / late alert: triggered before the digest's alerts, stored now.
    await storeSteamAlert(db, { triggeredAt: at(-10 * MIN), channels: ["webhook"] });
    await pass(db, ch, at(5 * MIN + 500), { limit: 3 });
    await pass(db, ch, at(5 * MIN + 600), { limit: 3 });
    // Every message carrying A, B or C is the first one again (one key); the late alert D (its
    // window long past by its created_at) goes in a digest of its own.
    const bodies = webhook.requests.map((r) =>
      (JSON.parse(r.body) as Array<{ id: string }>).map((x) => x.id),
    );
    const keys = webhook.requests.map((r) => r.idempotencyKey);
    expect(bodies.map((ids) => ids.length)).toEqual([3, 3, 1]);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it("D3: rows mid-retry from before the migration (attempts > 0, digest_id null): one gives up, the digest's retry is a different message", async () => {
    const webhook = await startWebhookReceiver((n) => (n === 1 ? 500 : 200));
    cleanups.push(() => webhook.close());
    const db = open(await freshTestDatabaseUrl("r-d3"));
    const ch = channelsFrom(hook(webhook.url));
    const a = await alertAt(db, 0);
    const [rowA] = await dueDeliveries(db, { channels: ["webhook"], now: T0, maxAttempts: 3 });
    // As the old code left it: tried twice, due again.
    for (let i = 0; i < 2; i++)
      await recordDeliveryFailure(db, rowA!.deliveryId, { at: T0, error: "HTTP 500", nextAttemptAt: T0 });
    const b = await alertAt(db, 1);
    // One message of [A, B]; its 500 is recorded on both as one unit: max(2, 0) + 1 = 3 attempts,
    // so both are given up together (before: A gave up, B went on alone under digestKey([b])).
    const r = await pass(db, ch, at(6 * MIN), { maxAttempts: 3 });
    expect(r).toMatchObject({ failed: 0, gaveUp: 2 });
    await pass(db, ch, at(7 * MIN), { maxAttempts: 3 });
    expect(webhook.requests.map((q) => q.idempotencyKey)).toEqual([digestKey([a, b])]);
  });

  it("D4: a crash while recording a digest's failure (rows recorded one transaction each) splits it", async () => {
    const webhook = await startWebhookReceiver(() => 200);
    cleanups.push(() => webhook.close());
    const db = open(await freshTestDatabaseUrl("r-d4"));
    const ch = channelsFrom(hook(webhook.url));
    const a = await alertAt(db, 0);
    const b = await alertAt(db, 1);
    const rows = await dueDeliveries(db, { channels: ["webhook"], now: at(5 * MIN), maxAttempts: 5 });
    // State left by sendDigestPart: marked, sent (receiver maybe acted), failure recorded for A only, then death.
    await markDigest(
      db,
      rows.map((r) => r.deliveryId),
    );
    await recordDeliveryFailure(db, rows[0]!.deliveryId, {
      at: at(5 * MIN),
      error: "timeout",
      nextAttemptAt: at(5 * MIN + 500),
    });
    await pass(db, ch, at(5 * MIN + 100));
    await pass(db, ch, at(5 * MIN + 600));
    expect(webhook.requests.map((q) => q.idempotencyKey)).toEqual([digestKey([a, b])]);
  });

  it("D5: a webhook answering 503 + Retry-After forever is never given up (503 is not a 429)", async () => {
    const rx = await startChatReceiver("/hook", () => ({
      status: 503,
      headers: { "retry-after": "1" },
      body: "down",
    }));
    cleanups.push(() => rx.close());
    const db = open(await freshTestDatabaseUrl("r-d5"));
    const ch = channelsFrom(hook(`${rx.url}/hook`, false));
    const a = await alertAt(db, 0);
    let gaveUp = 0;
    for (let i = 0; i < 10; i++) gaveUp += (await pass(db, ch, at(i * MIN), { maxAttempts: 2 })).gaveUp;
    const row = (await deliveryStatus(db, a.alertId))!.deliveries[0]!;
    // maxAttempts 2 holds for anything but a 429: two requests, then given up.
    expect(gaveUp).toBe(1);
    expect(row.attempts).toBe(2);
    expect(rx.requests).toHaveLength(2);
  });

  it("D6: one 429 seen by a deliverer whose clock ran ahead holds the channel (new alerts too) long after", async () => {
    const rx = await startChatReceiver("/hook", (n) =>
      n === 1 ? { status: 429, headers: { "retry-after": "30" } } : { status: 200 },
    );
    cleanups.push(() => rx.close());
    const db = open(await freshTestDatabaseUrl("r-d6"));
    const ch = channelsFrom(hook(`${rx.url}/hook`, false));
    await alertAt(db, 0);
    await pass(db, ch, at(365 * 24 * 60 * MIN)); // clock a year ahead (bad RTC, injected clock)
    const b = await alertAt(db, 1);
    // An hour later on a correct clock: the year-long hold is not believed (over a day), so the
    // alert stored since goes. (The first alert's own next attempt was moved a year ahead by that
    // deliverer's clock: that row waits, as any row a wrong clock backed off does.)
    const r = await pass(db, ch, at(60 * MIN));
    expect(r.delivered).toBe(1);
    expect((await deliveryStatus(db, b.alertId))?.sent).toBe(true);
  });
});
