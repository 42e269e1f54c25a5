// deliverDue across channels and restarts, on real SQLite or PostgreSQL, real receivers on 127.0.0.1.
// One concern (deliverDue's guarantees); its length is the receivers and channel configs each
// scenario needs, which a split would have to share.
import {
  type SmtpReceiver,
  captureLogs,
  captureStream,
  freshTestDatabaseUrl,
  startSmtpReceiver,
  storeSteamAlert,
} from "@totewatch/test-utils";
import { createDb, deliveryStatus, dueDeliveries, type Db } from "@totewatch/db";
import { afterEach, describe, expect, it } from "vitest";
import { createChannels, dryRunChannel, type ChannelsConfig } from "./channels.js";
import { createConsoleChannel } from "./console-channel.js";
import { deliverDue, DryRunShown } from "./deliver.js";
import { alertMessageId, createEmailChannel } from "./email-channel.js";
import { CHAT_CHANNELS_OFF, startWebhookReceiver, type WebhookReceiver } from "../../test/delivery.js";
import type { Channel } from "./types.js";
import { createWebhookChannel, verifyWebhookSignature } from "./webhook-channel.js";

const SECRET = "deliver-test-secret";
const FROM = "Totewatch <alerts@totewatch.test>";
const DELIVERY = { maxAttempts: 5, backoffBaseMs: 1000, backoffMaxMs: 60_000 };
const T0 = new Date("2024-08-01T17:42:01.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function open(url: string): Db {
  const db = createDb({ url });
  cleanups.push(() => db.close());
  return db;
}

async function receivers(
  statusFor?: (n: number) => number,
): Promise<{ webhook: WebhookReceiver; smtp: SmtpReceiver }> {
  const webhook = await startWebhookReceiver(statusFor);
  const smtp = await startSmtpReceiver();
  cleanups.push(
    () => webhook.close(),
    () => smtp.close(),
  );
  return { webhook, smtp };
}

function realChannels(webhook: WebhookReceiver, smtp: SmtpReceiver): Channel[] {
  return [
    createWebhookChannel({ url: webhook.url, secret: SECRET, timeoutMs: 5000 }),
    createEmailChannel({
      host: "127.0.0.1",
      port: smtp.port,
      secure: false,
      requireTls: false,
      from: FROM,
      to: ["punter@example.com"],
      subjectPrefix: "[Totewatch]",
    }),
  ];
}

function channelsConfig(webhook: WebhookReceiver, smtp: SmtpReceiver): ChannelsConfig {
  return {
    ...CHAT_CHANNELS_OFF,
    console: { enabled: true },
    webhook: { enabled: true, url: webhook.url, secret: SECRET, timeoutMs: 5000 },
    email: {
      enabled: true,
      host: "127.0.0.1",
      port: smtp.port,
      secure: false,
      requireTls: false,
      from: FROM,
      to: ["punter@example.com"],
      subjectPrefix: "[Totewatch]",
    },
  };
}

describe("kill and restart between store and delivery", () => {
  it("an alert stored before a restart is delivered exactly once afterwards", async () => {
    const { webhook, smtp } = await receivers();
    const url = await freshTestDatabaseUrl("restart");
    const before = open(url);
    const { alertId, dedupeKey } = await storeSteamAlert(before, { channels: ["webhook", "email"] });
    await before.close(); // the process dies here

    const after = open(url);
    const channels = realChannels(webhook, smtp);
    const logger = captureLogs().logger;
    expect(await deliverDue(after, channels, { now: at(60_000), delivery: DELIVERY, logger })).toMatchObject({
      delivered: 2,
    });
    expect(await deliverDue(after, channels, { now: at(120_000), delivery: DELIVERY, logger })).toMatchObject(
      {
        delivered: 0,
        failed: 0,
      },
    );
    expect(webhook.requests.map((request) => request.idempotencyKey)).toEqual([dedupeKey]);
    expect(smtp.messages).toHaveLength(1);
    expect((await deliveryStatus(after, alertId))?.sent).toBe(true);
  });

  it("an alert stored without delivery rows (its channels enabled since) is still delivered", async () => {
    const { webhook, smtp } = await receivers();
    const url = await freshTestDatabaseUrl("restart");
    const before = open(url);
    const { alertId } = await storeSteamAlert(before);
    await before.close();

    const after = open(url);
    const result = await deliverDue(after, realChannels(webhook, smtp), {
      now: at(1000),
      delivery: DELIVERY,
      logger: captureLogs().logger,
    });
    expect(result.delivered).toBe(2);
    expect((await deliveryStatus(after, alertId))?.deliveries.map((row) => row.channel)).toEqual([
      "email",
      "webhook",
    ]);
    expect(webhook.requests).toHaveLength(1);
    expect(smtp.messages).toHaveLength(1);
  });

  it("sent but not recorded before the crash: re-sent with the same key, which the receiver dedupes", async () => {
    const { webhook, smtp } = await receivers();
    const url = await freshTestDatabaseUrl("restart");
    const before = open(url);
    const { alertId, dedupeKey } = await storeSteamAlert(before, { channels: ["webhook", "email"] });
    // The first process sends, and dies before recordDeliverySuccess.
    const due = await dueDeliveries(before, { channels: ["webhook", "email"], now: T0, maxAttempts: 5 });
    for (const channel of realChannels(webhook, smtp)) {
      const row = due.find((candidate) => candidate.channel === channel.name);
      await channel.send(row!.alert);
    }
    await before.close();

    const after = open(url);
    const result = await deliverDue(after, realChannels(webhook, smtp), {
      now: at(5000),
      delivery: DELIVERY,
      logger: captureLogs().logger,
    });
    expect(result.delivered).toBe(2);
    expect(webhook.requests.map((request) => request.idempotencyKey)).toEqual([dedupeKey, dedupeKey]);
    expect(
      webhook.requests.every((request) => verifyWebhookSignature(request.body, request.signature, SECRET)),
    ).toBe(true);
    expect(webhook.processed).toEqual([dedupeKey]);
    const messageIds = smtp.messages.map((message) => message.headers.get("message-id"));
    expect(messageIds).toEqual([alertMessageId(dedupeKey, FROM), alertMessageId(dedupeKey, FROM)]);
    expect(new Set(messageIds).size).toBe(1);
    expect((await deliveryStatus(after, alertId))?.sent).toBe(true);
  });
});

describe("several channels", () => {
  it("a failing webhook does not re-send the email; the alert is sent when both delivered", async () => {
    const { webhook, smtp } = await receivers((n) => (n <= 2 ? 500 : 200));
    const db = open(await freshTestDatabaseUrl("channels"));
    const { alertId } = await storeSteamAlert(db, { channels: ["webhook", "email"] });
    const channels = realChannels(webhook, smtp);
    const pass = (now: Date) =>
      deliverDue(db, channels, { now, delivery: DELIVERY, logger: captureLogs().logger, random: () => 0 });

    expect(await pass(at(0))).toMatchObject({ delivered: 1, failed: 1 });
    let status = await deliveryStatus(db, alertId);
    expect(status?.sent).toBe(false);
    expect(status?.deliveries.map((row) => [row.channel, row.attempts, row.deliveredAt !== null])).toEqual([
      ["email", 1, true],
      ["webhook", 1, false],
    ]);
    expect(await pass(at(500))).toMatchObject({ delivered: 0, failed: 1 });
    expect((await deliveryStatus(db, alertId))?.sent).toBe(false);
    expect(await pass(at(1500))).toMatchObject({ delivered: 1, failed: 0 });

    expect(smtp.messages).toHaveLength(1);
    expect(webhook.requests).toHaveLength(3);
    status = await deliveryStatus(db, alertId);
    expect(status?.sent).toBe(true);
    expect(status?.sentAt?.toISOString()).toBe(at(1500).toISOString());
  });

  it("createChannels builds the enabled channels, console first, and the console prints one line", async () => {
    const { webhook, smtp } = await receivers();
    const db = open(await freshTestDatabaseUrl("channels"));
    await storeSteamAlert(db);
    const stdout = captureStream();
    const logger = captureLogs().logger;
    const config = channelsConfig(webhook, smtp);
    const channels = createChannels(config, { stdout: stdout.stream, logger });
    expect(channels.map((channel) => channel.name)).toEqual(["console", "webhook", "email"]);
    expect(
      createChannels({ ...config, webhook: { ...config.webhook, enabled: false } }, { logger }).map(
        (c) => c.name,
      ),
    ).toEqual(["console", "email"]);

    // The pass creates the alert's delivery rows for the enabled channels.
    expect(await deliverDue(db, channels, { now: T0, delivery: DELIVERY, logger })).toMatchObject({
      delivered: 3,
    });
    expect(stdout.text()).toBe(
      "13:42:00 EDT Saratoga R5 #3 Thunder Road [steam] 5 -> 5-2 (-50.0%) in 6 min, 8 min to post\n",
    );
    expect(webhook.requests).toHaveLength(1);
    expect(smtp.messages).toHaveLength(1);
  });

  it("refuses an enabled webhook without a url", () => {
    const config: ChannelsConfig = {
      ...CHAT_CHANNELS_OFF,
      console: { enabled: false },
      webhook: { enabled: true, secret: "x", timeoutMs: 5000 },
      email: {
        enabled: false,
        port: 587,
        secure: false,
        requireTls: true,
        to: [],
        subjectPrefix: "[Totewatch]",
      },
    };
    expect(() => createChannels(config, { logger: captureLogs().logger })).toThrow(
      /webhook\.url is required/,
    );
  });
});

describe("dry run", () => {
  it("sends nothing, records nothing, and logs what it would send once per alert and channel", async () => {
    const { webhook, smtp } = await receivers();
    const db = open(await freshTestDatabaseUrl("dryrun"));
    const { alertId, dedupeKey } = await storeSteamAlert(db);
    const stdout = captureStream();
    const log = captureLogs();
    const channels = createChannels(channelsConfig(webhook, smtp), {
      dryRun: true,
      stdout: stdout.stream,
      logger: log.logger,
    });
    expect(channels.map((channel) => [channel.name, channel.dryRun])).toEqual([
      ["console", true],
      ["webhook", true],
      ["email", true],
    ]);

    // The caller's memory of what it showed (the daemon keeps one per dry run).
    const shown = new DryRunShown();
    const first = await deliverDue(db, channels, {
      now: T0,
      delivery: DELIVERY,
      logger: log.logger,
      dryRunShown: shown,
    });
    const second = await deliverDue(db, channels, {
      now: at(60_000),
      delivery: DELIVERY,
      logger: log.logger,
      dryRunShown: shown,
    });
    expect(first).toEqual({ delivered: 0, failed: 0, gaveUp: 0, dryRun: 3, skipped: 0, alreadyDelivered: 0 });
    // Still due (nothing was recorded), but already shown: neither shown nor counted again.
    expect(second).toEqual({
      delivered: 0,
      failed: 0,
      gaveUp: 0,
      dryRun: 0,
      skipped: 0,
      alreadyDelivered: 0,
    });

    expect(webhook.requests).toHaveLength(0);
    expect(smtp.messages).toHaveLength(0);
    expect(stdout.text()).toBe("");
    const status = await deliveryStatus(db, alertId);
    expect(status?.sent).toBe(false);
    expect(status?.deliveries.every((row) => row.attempts === 0 && row.deliveredAt === null)).toBe(true);

    const wouldSend = log.records.filter((record) => record.msg === "dry run: would send alert");
    expect(wouldSend.map((record) => record.channel).sort()).toEqual(["console", "email", "webhook"]);
    expect(wouldSend.every((record) => record.alert === dedupeKey)).toBe(true);
    expect(wouldSend.find((record) => record.channel === "email")).toMatchObject({
      subject: "[Totewatch] Saratoga R5: #3 Thunder Road steam 5 -> 5-2",
    });
  });
});

describe("dry run without a caller's memory", () => {
  it("each pass shows every due row (the channel itself remembers nothing)", async () => {
    const db = open(await freshTestDatabaseUrl("dryrun-alone"));
    const { dedupeKey } = await storeSteamAlert(db);
    const log = captureLogs();
    const channels = [dryRunChannel("webhook", log.logger)];
    const pass = () => deliverDue(db, channels, { now: T0, delivery: DELIVERY, logger: log.logger });
    expect(await pass()).toMatchObject({ dryRun: 1 });
    expect(await pass()).toMatchObject({ dryRun: 1 });
    const wouldSend = log.records.filter((record) => record.msg === "dry run: would send alert");
    expect(wouldSend.map((record) => record.alert)).toEqual([dedupeKey, dedupeKey]);
  });
});

describe("dry run and real channels", () => {
  it("are not mixed in one pass (a real channel would record its deliveries)", async () => {
    const db = open(await freshTestDatabaseUrl("dryrun-mixed"));
    await storeSteamAlert(db);
    const { logger } = captureLogs();
    const channels = [createConsoleChannel(captureStream().stream), dryRunChannel("webhook", logger)];
    await expect(deliverDue(db, channels, { now: T0, delivery: DELIVERY, logger })).rejects.toThrow(
      /cannot be mixed/,
    );
  });
});

describe("console channel", () => {
  it("a failing stream is a failed delivery, retried later", async () => {
    const db = open(await freshTestDatabaseUrl("console"));
    const { alertId } = await storeSteamAlert(db);
    const broken = captureStream().stream;
    broken.destroy();
    const result = await deliverDue(db, [createConsoleChannel(broken)], {
      now: T0,
      delivery: DELIVERY,
      logger: captureLogs().logger,
    });
    expect(result).toMatchObject({ delivered: 0, failed: 1 });
    expect((await deliveryStatus(db, alertId))?.deliveries[0]?.lastError).toBeTruthy();
  });
});
