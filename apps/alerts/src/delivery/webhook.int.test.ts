// Webhook delivery against a real HTTP server on 127.0.0.1 that fails first and recovers.
import { PINO_LEVELS, captureLogs, createTestDb, storeSteamAlert } from "@totewatch/test-utils";
import { channelHeldUntil, deliveryStatus, listAlerts, type Db } from "@totewatch/db";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deliverDue } from "./deliver.js";
import type { WebhookPayload } from "./format.js";
import { startChatReceiver, startWebhookReceiver, type WebhookReceiver } from "../../test/delivery.js";
import { createWebhookChannel, verifyWebhookSignature } from "./webhook-channel.js";

const SECRET = "webhook-test-secret";
const DELIVERY = { maxAttempts: 5, backoffBaseMs: 1000, backoffMaxMs: 60_000 };
const T0 = new Date("2024-08-01T17:42:01.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

let db: Db;
let receiver: WebhookReceiver | undefined;
beforeEach(() => {
  db = createTestDb("webhook");
});
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  await db.close();
});

describe("webhook channel", () => {
  it("retries with backoff through two 500s, then delivers once with one key and valid signatures", async () => {
    receiver = await startWebhookReceiver((n) => (n <= 2 ? 500 : 200));
    const channels = [createWebhookChannel({ url: receiver.url, secret: SECRET, timeoutMs: 5000 })];
    const { alertId, dedupeKey } = await storeSteamAlert(db, { channels: ["webhook"] });
    const log = captureLogs();
    const pass = (now: Date) =>
      deliverDue(db, channels, { now, delivery: DELIVERY, logger: log.logger, random: () => 0 });

    expect(await pass(at(0))).toEqual({
      delivered: 0,
      failed: 1,
      gaveUp: 0,
      dryRun: 0,
      skipped: 0,
      alreadyDelivered: 0,
    });
    // First retry after base * 2^0 * 0.5 = 500 ms; not before.
    expect(await pass(at(499))).toEqual({
      delivered: 0,
      failed: 0,
      gaveUp: 0,
      dryRun: 0,
      skipped: 0,
      alreadyDelivered: 0,
    });
    expect(receiver.requests).toHaveLength(1);
    expect(await pass(at(500))).toEqual({
      delivered: 0,
      failed: 1,
      gaveUp: 0,
      dryRun: 0,
      skipped: 0,
      alreadyDelivered: 0,
    });
    let status = await deliveryStatus(db, alertId);
    expect(status?.deliveries[0]).toMatchObject({ attempts: 2, deliveredAt: null });
    expect(status?.deliveries[0]?.lastError).toMatch(/HTTP 500.*receiver is down/);
    // Second retry after base * 2^1 * 0.5 = 1000 ms more.
    expect(status?.deliveries[0]?.nextAttemptAt?.toISOString()).toBe(at(1500).toISOString());
    expect(await pass(at(1500))).toEqual({
      delivered: 1,
      failed: 0,
      gaveUp: 0,
      dryRun: 0,
      skipped: 0,
      alreadyDelivered: 0,
    });
    expect(await pass(at(60_000))).toEqual({
      delivered: 0,
      failed: 0,
      gaveUp: 0,
      dryRun: 0,
      skipped: 0,
      alreadyDelivered: 0,
    });

    status = await deliveryStatus(db, alertId);
    expect(status?.sent).toBe(true);
    expect(status?.sentAt?.toISOString()).toBe(at(1500).toISOString());
    expect(status?.deliveries[0]).toMatchObject({ channel: "webhook", attempts: 3, nextAttemptAt: null });
    expect(status?.deliveries[0]?.lastError).toMatch(/HTTP 500/);
    expect(status?.deliveries[0]?.deliveredAt?.toISOString()).toBe(at(1500).toISOString());

    expect(receiver.requests).toHaveLength(3);
    for (const request of receiver.requests) {
      expect(request.idempotencyKey).toBe(dedupeKey);
      expect(request.contentType).toBe("application/json");
      expect(verifyWebhookSignature(request.body, request.signature, SECRET)).toBe(true);
      expect(verifyWebhookSignature(request.body, request.signature, "wrong-secret")).toBe(false);
      expect(request.timestamp).toMatch(/^\d{10}$/);
      const payload = JSON.parse(request.body) as WebhookPayload;
      expect(payload).toMatchObject({
        id: dedupeKey,
        type: "steam",
        subject: "3",
        horse: "Thunder Road",
        minutesToPost: 8,
        race: { track: "Saratoga", date: "2024-08-01", number: 5 },
        details: { before: 5, after: 2.5 },
      });
    }
    expect(receiver.processed).toEqual([dedupeKey]);

    const warnings = log.records.filter((record) => record.level === PINO_LEVELS.warn);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatchObject({ channel: "webhook", alert: dedupeKey, alertId, attempt: 1 });
    expect(warnings[0]?.error).toMatch(/HTTP 500/);
  });

  it("gives up after maxAttempts with an error log, and the alert stays unsent", async () => {
    receiver = await startWebhookReceiver(() => 503);
    const channels = [createWebhookChannel({ url: receiver.url, secret: SECRET, timeoutMs: 5000 })];
    const { alertId, dedupeKey } = await storeSteamAlert(db, { channels: ["webhook"] });
    const log = captureLogs();
    const delivery = { ...DELIVERY, maxAttempts: 2 };
    const pass = (now: Date) =>
      deliverDue(db, channels, { now, delivery, logger: log.logger, random: () => 0 });

    expect(await pass(at(0))).toMatchObject({ failed: 1, gaveUp: 0 });
    expect(await pass(at(60_000))).toMatchObject({ failed: 0, gaveUp: 1 });
    expect(await pass(at(3_600_000))).toMatchObject({ failed: 0, gaveUp: 0, delivered: 0 });
    expect(receiver.requests).toHaveLength(2);

    const errors = log.records.filter((record) => record.level === PINO_LEVELS.error);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ channel: "webhook", alert: dedupeKey, attempt: 2 });
    expect(errors[0]?.msg).toMatch(/gave up after 2 attempts/);
    expect((await listAlerts(db, { unsentOnly: true })).map((alert) => alert.alertId)).toEqual([alertId]);
    expect((await deliveryStatus(db, alertId))?.deliveries[0]).toMatchObject({
      attempts: 2,
      nextAttemptAt: null,
    });
  });

  it("records a receiver that does not answer in time as a failure", async () => {
    receiver = await startWebhookReceiver(() => "hang");
    const channels = [createWebhookChannel({ url: receiver.url, secret: SECRET, timeoutMs: 150 })];
    const { alertId } = await storeSteamAlert(db, { channels: ["webhook"] });
    const result = await deliverDue(db, channels, {
      now: T0,
      delivery: DELIVERY,
      logger: captureLogs().logger,
    });
    expect(result).toMatchObject({ failed: 1, delivered: 0 });
    expect((await deliveryStatus(db, alertId))?.deliveries[0]?.lastError).toMatch(
      /did not answer within 150 ms/,
    );
  });

  it("sends a URL's user and password as basic auth, and never stores or prints the password", async () => {
    receiver = await startWebhookReceiver(() => 500);
    const url = receiver.url.replace("http://", "http://hook:s3cret-pw@");
    const channels = [createWebhookChannel({ url, secret: SECRET, timeoutMs: 5000 })];
    const { alertId } = await storeSteamAlert(db, { channels: ["webhook"] });
    await deliverDue(db, channels, { now: T0, delivery: DELIVERY, logger: captureLogs().logger });
    const lastError = (await deliveryStatus(db, alertId))?.deliveries[0]?.lastError ?? "";
    expect(lastError).toMatch(/^webhook http:\/\/hook:\*\*\*@127\.0\.0\.1:\d+\/\S+ answered HTTP 500/);
    expect(lastError).not.toContain("s3cret-pw");
    // "hook:s3cret-pw" in base64, as a receiver behind basic auth expects it.
    expect(receiver.requests[0]?.authorization).toBe(
      `Basic ${Buffer.from("hook:s3cret-pw").toString("base64")}`,
    );
  });

  it("records a refused connection with its reason", async () => {
    const closed = await startWebhookReceiver();
    const url = closed.url;
    await closed.close();
    const channels = [createWebhookChannel({ url, secret: SECRET, timeoutMs: 5000 })];
    const { alertId } = await storeSteamAlert(db, { channels: ["webhook"] });
    await deliverDue(db, channels, { now: T0, delivery: DELIVERY, logger: captureLogs().logger });
    expect((await deliveryStatus(db, alertId))?.deliveries[0]?.lastError).toMatch(
      /failed: fetch failed.*ECONNREFUSED/,
    );
  });
});

describe("webhook rate limits (the chat channels' HTTP side, postChat)", () => {
  it("a 429 with Retry-After: 20 is waited out, uses no attempt, holds the channel, then delivers", async () => {
    const chat = await startChatReceiver("/hook", (n) =>
      n === 1 ? { status: 429, headers: { "Retry-After": "20" }, body: "slow down" } : { status: 200 },
    );
    try {
      const channels = [createWebhookChannel({ url: `${chat.url}/hook`, secret: SECRET, timeoutMs: 5000 })];
      const { alertId } = await storeSteamAlert(db, { channels: ["webhook"] });
      const pass = (now: Date) =>
        deliverDue(db, channels, { now, delivery: DELIVERY, logger: captureLogs().logger, random: () => 0 });
      expect(await pass(at(0))).toMatchObject({ failed: 1, delivered: 0 });
      // 20 s asked for, longer than the 500 ms backoff; the 429 counted no attempt.
      const row = (await deliveryStatus(db, alertId))?.deliveries[0];
      expect(row).toMatchObject({ attempts: 0, nextAttemptAt: at(20_000) });
      // The full URL (its path is no secret for a webhook) and the wait are in the error.
      expect(row?.lastError).toBe(
        `webhook ${chat.url}/hook answered HTTP 429 Too Many Requests: slow down (retry after 20 s)`,
      );
      expect(await channelHeldUntil(db, "webhook")).toEqual(at(20_000));
      expect(await pass(at(19_999))).toMatchObject({ failed: 0, delivered: 0 });
      expect(await pass(at(20_000))).toMatchObject({ delivered: 1 });
      expect(chat.requests).toHaveLength(2);
    } finally {
      await chat.close();
    }
  });
});
