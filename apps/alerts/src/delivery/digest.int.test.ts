// Digests (`digestMinutes: N` on a channel): one message per channel every N minutes, each alert's
// delivery row recorded exactly, on a real migrated database (SQLite or PostgreSQL) with real
// receivers on 127.0.0.1 (ntfy, webhook, telegram stand-ins, an SMTP server), an injected clock.
import {
  captureLogs,
  captureStream,
  freshTestDatabaseUrl,
  startSmtpReceiver,
  storeSteamAlert,
} from "@totewatch/test-utils";
import { parseConfig } from "@totewatch/config";
import { createDb, deliveryStatus, type Db } from "@totewatch/db";
import { afterEach, describe, expect, it } from "vitest";
import { createChannels } from "./channels.js";
import { claimDurationMs, deliverDue } from "./deliver.js";
import { digestKey } from "./digest-format.js";
import { TELEGRAM_MAX_TEXT } from "./chat-format.js";
import { startChatReceiver, startWebhookReceiver } from "../../test/delivery.js";
import { verifyWebhookSignature } from "./webhook-channel.js";
import type { Channel } from "./types.js";

const DELIVERY = { maxAttempts: 5, backoffBaseMs: 1000, backoffMaxMs: 60_000 };
const SECRET = "digest-test-secret";
const MIN = 60_000;
const T0 = new Date("2024-08-01T17:30:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const TOPIC = "/digest-topic";
const TOKEN = "123456:digest-bot-token";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
function open(url: string): Db {
  const db = createDb({ url });
  cleanups.push(() => db.close());
  return db;
}

function channelsFrom(yaml: string, stdout = captureStream()): Channel[] {
  const config = parseConfig(yaml, "<digest>", {});
  return createChannels(config.alerts.channels, { stdout: stdout.stream, logger: captureLogs().logger });
}

const pass = (db: Db, channels: readonly Channel[], now: Date, claimForMs?: number) =>
  deliverDue(db, channels, {
    now,
    delivery: DELIVERY,
    logger: captureLogs().logger,
    random: () => 0,
    ...(claimForMs === undefined ? {} : { claimForMs }),
  });

/**
 * An alert triggered at T0 + `minutes` (its dedupe key names that time). With `channel`, stored as
 * the engine stores it: with that channel's delivery row, created at the same instant (a digest's
 * window starts there); without, the pass creates the row (at its own clock).
 */
const alertAt = (db: Db, minutes: number, channel?: string) =>
  storeSteamAlert(db, {
    triggeredAt: at(minutes * MIN),
    ...(channel === undefined ? {} : { channels: [channel] }),
  });

describe("digestMinutes: 5 on ntfy, the console immediate beside it", () => {
  it("sends the alerts of each window as one message once the oldest is 5 minutes old; rows recorded at the digest's time", async () => {
    const ntfy = await startChatReceiver(TOPIC, () => ({ status: 200, body: "{}" }));
    cleanups.push(() => ntfy.close());
    const db = open(await freshTestDatabaseUrl("digest-ntfy"));
    const stdout = captureStream();
    const channels = channelsFrom(
      `alerts:
  channels:
    console: { enabled: true }
    ntfy: { enabled: true, url: ${ntfy.url}${TOPIC}, digestMinutes: 5 }
`,
      stdout,
    );
    expect(channels.find((channel) => channel.name === "ntfy")?.digestMinutes).toBe(5);
    expect(channels.find((channel) => channel.name === "console")?.digestMinutes).toBeUndefined();
    const consoleLines = () => stdout.text().split("\n").filter(Boolean).length;

    // Alert A fires at T0+1, B at T0+4, C at T0+6 (1, 4 and 6 minutes after T0).
    const a = await alertAt(db, 1);
    // +1: the console prints A at once; ntfy waits (A is 0 min old, 0 < 5).
    expect(await pass(db, channels, at(1 * MIN))).toMatchObject({ delivered: 1, failed: 0 });
    expect(consoleLines()).toBe(1);
    const b = await alertAt(db, 4);
    // +4: the console prints B; ntfy still waits (A is 4 - 1 = 3 min old).
    expect(await pass(db, channels, at(4 * MIN))).toMatchObject({ delivered: 1 });
    // +5: nothing at all (A is 5 - 1 = 4 min old, under 5; the console owes nothing).
    expect(await pass(db, channels, at(5 * MIN))).toMatchObject({ delivered: 0, failed: 0, skipped: 0 });
    expect(ntfy.requests).toHaveLength(0);

    // +6: A is 6 - 1 = 5 min old: one request with A and B (B, 2 min old, rides along).
    expect(await pass(db, channels, at(6 * MIN))).toMatchObject({ delivered: 2, failed: 0 });
    expect(ntfy.requests).toHaveLength(1);
    const first = ntfy.requests[0]!;
    expect(first.headers.title).toBe("Totewatch: 2 alerts");
    expect(first.headers.tags).toBe("horse");
    // Oldest first: A's time (13:31 EDT) before B's (13:34 EDT).
    expect(first.body.match(/Saratoga R5: #3 Thunder Road steam/g)).toHaveLength(2);
    expect(first.body.indexOf("13:31:00 EDT")).toBeLessThan(first.body.indexOf("13:34:00 EDT"));
    for (const alert of [a, b]) {
      const status = await deliveryStatus(db, alert.alertId);
      const ntfyRow = status?.deliveries.find((row) => row.channel === "ntfy");
      // Delivered at the digest's time (+6), in one attempt; the alert is sent (console delivered too).
      expect(ntfyRow).toMatchObject({ deliveredAt: at(6 * MIN), attempts: 1, lastError: null });
      expect(status?.sent).toBe(true);
      expect(status?.sentAt).toEqual(at(6 * MIN));
    }

    // C fires at +6, after that digest: the console prints it at once, ntfy starts a new window.
    const c = await alertAt(db, 6);
    expect(await pass(db, channels, at(6 * MIN))).toMatchObject({ delivered: 1 });
    expect(consoleLines()).toBe(3);
    // +10: C is 10 - 6 = 4 min old: nothing.
    expect(await pass(db, channels, at(10 * MIN))).toMatchObject({ delivered: 0 });
    expect(ntfy.requests).toHaveLength(1);
    // +11: C is 11 - 6 = 5 min old: a second request, C alone.
    expect(await pass(db, channels, at(11 * MIN))).toMatchObject({ delivered: 1 });
    expect(ntfy.requests).toHaveLength(2);
    expect(ntfy.requests[1]!.headers.title).toBe("Totewatch: 1 alert");
    expect(ntfy.requests[1]!.body).toContain("13:36:00 EDT");
    const status = await deliveryStatus(db, c.alertId);
    expect(status?.deliveries.find((row) => row.channel === "ntfy")?.deliveredAt).toEqual(at(11 * MIN));
    // Nothing more: +30 sends nothing.
    expect(await pass(db, channels, at(30 * MIN))).toMatchObject({ delivered: 0 });
    expect(ntfy.requests).toHaveLength(2);
  });
});

describe("a webhook digest", () => {
  const webhookYaml = (url: string) => `alerts:
  channels:
    console: { enabled: false }
    webhook: { enabled: true, url: ${url}, secret: ${SECRET}, digestMinutes: 5 }
`;

  it("posts a JSON array keyed by the alerts' dedupe keys; a failure is recorded on every row and the digest retried whole after the backoff", async () => {
    // The receiver is down for the first request (500), then accepts.
    const webhook = await startWebhookReceiver((n) => (n === 1 ? 500 : 200));
    cleanups.push(() => webhook.close());
    const db = open(await freshTestDatabaseUrl("digest-webhook"));
    const channels = channelsFrom(webhookYaml(webhook.url));
    const a = await alertAt(db, 0, "webhook");
    const b = await alertAt(db, 1, "webhook");

    // +4:59.999: A is just under 5 min old: nothing.
    expect(await pass(db, channels, at(5 * MIN - 1))).toMatchObject({ delivered: 0, failed: 0 });
    // +5: A is 5 min old: one POST of [A, B]; the 500 fails both rows (attempt 1 each).
    expect(await pass(db, channels, at(5 * MIN))).toMatchObject({ delivered: 0, failed: 2 });
    expect(webhook.requests).toHaveLength(1);
    // backoffDelayMs(0 attempts, base 1000, random 0) = ceiling 1000 / 2 = 500 ms: both rows next at +5:00.5.
    for (const alert of [a, b]) {
      const row = (await deliveryStatus(db, alert.alertId))?.deliveries[0];
      expect(row).toMatchObject({ attempts: 1, deliveredAt: null, nextAttemptAt: at(5 * MIN + 500) });
      expect(row?.lastError).toMatch(/webhook .* answered HTTP 500/);
    }
    // +5:00.499: both still in their backoff: nothing is sent.
    expect(await pass(db, channels, at(5 * MIN + 499))).toMatchObject({ delivered: 0, failed: 0 });
    expect(webhook.requests).toHaveLength(1);
    // +5:00.2: C is stored while the failed digest waits for its retry.
    const c = await alertAt(db, 5 + 200 / MIN, "webhook");
    // +5:00.5: the same digest again (the same rows, so the same Idempotency-Key), accepted. C does
    // not ride along: a bigger digest would carry a new key, and a receiver that took the first
    // POST (the 500 came after it acted) would act on A and B twice.
    expect(await pass(db, channels, at(5 * MIN + 500))).toMatchObject({ delivered: 2, failed: 0 });
    expect(webhook.requests).toHaveLength(2);

    const key = digestKey([a, b]);
    expect(webhook.requests.map((request) => request.idempotencyKey)).toEqual([key, key]);
    // The receiver honouring the key acted once.
    expect(webhook.processed).toEqual([key]);
    const last = webhook.requests[1]!;
    expect(verifyWebhookSignature(last.body, last.signature, SECRET)).toBe(true);
    const payload = JSON.parse(last.body) as Array<{ id: string; type: string; sentAt: string }>;
    expect(payload.map((item) => item.id)).toEqual([a.dedupeKey, b.dedupeKey]);
    // Each element is the usual single-alert payload, all with the one attempt's sentAt.
    expect(payload.map((item) => item.type)).toEqual(["steam", "steam"]);
    expect(new Set(payload.map((item) => item.sentAt)).size).toBe(1);
    for (const alert of [a, b]) {
      const status = await deliveryStatus(db, alert.alertId);
      expect(status?.deliveries[0]).toMatchObject({
        attempts: 2,
        deliveredAt: at(5 * MIN + 500),
        nextAttemptAt: null,
      });
      expect(status?.sent).toBe(true);
    }
    // C's own window: 5 minutes from +5:00.2, so +10:00.2, alone under its own key.
    expect(await pass(db, channels, at(10 * MIN + 199))).toMatchObject({ delivered: 0 });
    expect(await pass(db, channels, at(10 * MIN + 200))).toMatchObject({ delivered: 1, failed: 0 });
    expect(webhook.requests.map((request) => request.idempotencyKey)).toEqual([key, key, digestKey([c])]);
  });

  it("two deliverers on one database at once (two clients): the digest is sent once, by one of them", async () => {
    // The receiver takes 300 ms to answer, so both passes run while the first send is in flight.
    const webhook = await startWebhookReceiver(() => 200, { delayMs: 300 });
    cleanups.push(() => webhook.close());
    const url = await freshTestDatabaseUrl("digest-two");
    const one = open(url);
    const two = open(url);
    const a = await alertAt(one, 0, "webhook");
    const b = await alertAt(one, 2, "webhook");
    const channels = channelsFrom(webhookYaml(webhook.url));
    const claimForMs = claimDurationMs(channels);

    const results = await Promise.all([
      pass(one, channels, at(5 * MIN), claimForMs),
      pass(two, channels, at(5 * MIN), claimForMs),
    ]);
    // One request with both alerts; between them, both rows delivered once.
    expect(webhook.requests).toHaveLength(1);
    expect(JSON.parse(webhook.requests[0]!.body)).toHaveLength(2);
    expect(results[0].delivered + results[1].delivered).toBe(2);
    expect(results.map((result) => result.alreadyDelivered)).toEqual([0, 0]);
    // Later passes of either send nothing more.
    await pass(one, channels, at(20 * MIN), claimForMs);
    await pass(two, channels, at(20 * MIN), claimForMs);
    expect(webhook.requests).toHaveLength(1);
    for (const alert of [a, b]) expect((await deliveryStatus(two, alert.alertId))?.sent).toBe(true);
  });
});

describe("digests past a service's length limit, and email", () => {
  it("telegram: a digest over 4096 characters goes as several messages; each message's rows are recorded together", async () => {
    // The first sendMessage is accepted, the second fails (500), the third (its retry) is accepted.
    const path = `/bot${TOKEN}/sendMessage`;
    const telegram = await startChatReceiver(path, (n) =>
      n === 2 ? { status: 500, body: '{"ok":false}' } : { status: 200, body: '{"ok":true,"result":{}}' },
    );
    cleanups.push(() => telegram.close());
    const db = open(await freshTestDatabaseUrl("digest-telegram"));
    const channels = channelsFrom(`alerts:
  channels:
    console: { enabled: false }
    telegram: { enabled: true, token: "${TOKEN}", chatId: 42, apiBase: ${telegram.url}, digestMinutes: 1 }
`);
    // 40 alerts, one second apart (each about 130 characters of HTML: over 4096 in all).
    const alerts = [];
    for (let i = 0; i < 40; i++)
      alerts.push(await storeSteamAlert(db, { triggeredAt: at(i * 1000), channels: ["telegram"] }));

    // +1 min: the oldest is 1 min old. Part 1 accepted, part 2 fails: the pass goes on to nothing else.
    const first = await pass(db, channels, at(MIN));
    expect(telegram.requests).toHaveLength(2);
    const texts = telegram.requests.map((request) => (JSON.parse(request.body) as { text: string }).text);
    for (const text of texts) expect(text.length).toBeLessThanOrEqual(TELEGRAM_MAX_TEXT);
    const counts = texts.map((text) => Number(/Totewatch: (\d+) alerts/.exec(text)?.[1]));
    expect(counts[0]! + counts[1]!).toBe(40);
    expect(first).toMatchObject({ delivered: counts[0], failed: counts[1] });
    const rows = await Promise.all(alerts.map(async (alert) => (await deliveryStatus(db, alert.alertId))!));
    // The first part's alerts (the oldest) delivered at +1 min; the second part's each failed once.
    rows
      .slice(0, counts[0])
      .forEach((status) => expect(status.deliveries[0]).toMatchObject({ deliveredAt: at(MIN), attempts: 1 }));
    rows.slice(counts[0]).forEach((status) =>
      expect(status.deliveries[0]).toMatchObject({
        deliveredAt: null,
        attempts: 1,
        nextAttemptAt: at(MIN + 500),
      }),
    );

    // After the 500 ms backoff: the failed part alone is sent again, as one message.
    expect(await pass(db, channels, at(MIN + 500))).toMatchObject({ delivered: counts[1], failed: 0 });
    expect(telegram.requests).toHaveLength(3);
    expect((JSON.parse(telegram.requests[2]!.body) as { text: string }).text).toBe(texts[1]);
    for (const alert of alerts) expect((await deliveryStatus(db, alert.alertId))?.sent).toBe(true);
  });

  it("email: one message, subject `[Totewatch] 3 alerts`, every alert's text in it", async () => {
    const smtp = await startSmtpReceiver();
    cleanups.push(() => smtp.close());
    const db = open(await freshTestDatabaseUrl("digest-email"));
    const channels = channelsFrom(`alerts:
  channels:
    console: { enabled: false }
    email:
      enabled: true
      host: 127.0.0.1
      port: ${smtp.port}
      requireTls: false
      from: alerts@totewatch.test
      to: punter@example.com
      digestMinutes: 10
`);
    for (const minutes of [0, 3, 9]) await alertAt(db, minutes, "email");
    // +9: the oldest is 9 min old (under 10): nothing. +10: all three in one email.
    expect(await pass(db, channels, at(9 * MIN))).toMatchObject({ delivered: 0 });
    expect(await pass(db, channels, at(10 * MIN))).toMatchObject({ delivered: 3 });
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0]!.headers.get("subject")).toBe("[Totewatch] 3 alerts");
    expect(smtp.messages[0]!.text.match(/Thunder Road/g)?.length).toBeGreaterThanOrEqual(3);
  });
});

describe("digests beside the rest of a pass", () => {
  it("a 429 on a digest: every row waits the Retry-After, then the digest goes whole", async () => {
    // ntfy answers 429 with Retry-After: 30 once, then accepts.
    const ntfy = await startChatReceiver(TOPIC, (n) =>
      n === 1 ? { status: 429, headers: { "Retry-After": "30" }, body: "slow down" } : { status: 200 },
    );
    cleanups.push(() => ntfy.close());
    const db = open(await freshTestDatabaseUrl("digest-429"));
    const channels = channelsFrom(`alerts:
  channels:
    console: { enabled: false }
    ntfy: { enabled: true, url: ${ntfy.url}${TOPIC}, digestMinutes: 2 }
`);
    const a = await alertAt(db, 0, "ntfy");
    const b = await alertAt(db, 1, "ntfy");
    // +2: A is 2 min old: [A, B] sent, 429: both rows wait, next attempt +2 min + 30 s (the 30 s wait
    // is longer than the 500 ms backoff). A wait asked for uses no attempt.
    expect(await pass(db, channels, at(2 * MIN))).toMatchObject({ failed: 2 });
    for (const alert of [a, b]) {
      expect((await deliveryStatus(db, alert.alertId))?.deliveries[0]).toMatchObject({
        attempts: 0,
        nextAttemptAt: at(2 * MIN + 30_000),
      });
    }
    // C, stored at +2:10, during the hold.
    const c = await alertAt(db, 2 + 10_000 / MIN, "ntfy");
    expect(await pass(db, channels, at(2 * MIN + 29_999))).toMatchObject({ delivered: 0, failed: 0 });
    expect(ntfy.requests).toHaveLength(1);
    // +2:30: the held digest again, as it was; C waits for its own window (+4:10), then goes alone.
    expect(await pass(db, channels, at(2 * MIN + 30_000))).toMatchObject({ delivered: 2 });
    expect(await pass(db, channels, at(4 * MIN + 9_999))).toMatchObject({ delivered: 0 });
    expect(await pass(db, channels, at(4 * MIN + 10_000))).toMatchObject({ delivered: 1 });
    expect(ntfy.requests.map((request) => request.headers.title)).toEqual([
      "Totewatch: 2 alerts",
      "Totewatch: 2 alerts",
      "Totewatch: 1 alert",
    ]);
    expect((await deliveryStatus(db, c.alertId))?.sent).toBe(true);
  });

  it("rows waiting for their window do not hold back an immediate channel's rows (a pass's limit)", async () => {
    const ntfy = await startChatReceiver(TOPIC, () => ({ status: 200 }));
    cleanups.push(() => ntfy.close());
    const db = open(await freshTestDatabaseUrl("digest-limit"));
    const stdout = captureStream();
    const channels = channelsFrom(
      `alerts:
  channels:
    console: { enabled: true }
    ntfy: { enabled: true, url: ${ntfy.url}${TOPIC}, digestMinutes: 60 }
`,
      stdout,
    );
    // Alerts at +0, +1, +2, +3 min, a pass after each with a limit of 2 rows: the three older ntfy
    // rows wait (under 60 min old) yet every console row goes out as its alert comes.
    for (let minutes = 0; minutes < 4; minutes++) {
      await alertAt(db, minutes);
      const result = await deliverDue(db, channels, {
        now: at(minutes * MIN),
        delivery: DELIVERY,
        logger: captureLogs().logger,
        limit: 2,
      });
      expect(result).toMatchObject({ delivered: 1 });
    }
    expect(stdout.text().split("\n").filter(Boolean)).toHaveLength(4);
    expect(ntfy.requests).toHaveLength(0);
    // +60: the oldest is 60 min old: the digest is all 4 rows, read 2 at a time (the pass's limit)
    // and sent as one message per page; the pass sends them all.
    const pass60 = await deliverDue(db, channels, {
      now: at(60 * MIN),
      delivery: DELIVERY,
      logger: captureLogs().logger,
      limit: 2,
    });
    expect(pass60).toMatchObject({ delivered: 4, failed: 0 });
    expect(ntfy.requests.map((request) => request.headers.title)).toEqual([
      "Totewatch: 2 alerts",
      "Totewatch: 2 alerts",
    ]);
  });
});

describe("the digest window runs from when a row was stored, not the alert's triggered_at", () => {
  const ntfyYaml = (url: string) => `alerts:
  channels:
    console: { enabled: false }
    ntfy: { enabled: true, url: ${url}${TOPIC}, digestMinutes: 5 }
`;

  it("a replayed old day (alerts stored one per pass, each long past its window by triggered_at) is ONE digest", async () => {
    const ntfy = await startChatReceiver(TOPIC, () => ({ status: 200, body: "{}" }));
    cleanups.push(() => ntfy.close());
    const db = open(await freshTestDatabaseUrl("digest-replay"));
    const channels = channelsFrom(ntfyYaml(ntfy.url));
    const dayBefore = -24 * 60;
    // Stored at +0, +10 s, +20 s (the pass creates each row at its clock), fired a day earlier.
    for (let i = 0; i < 3; i++) {
      await alertAt(db, dayBefore + i);
      expect(await pass(db, channels, at(i * 10_000))).toMatchObject({ delivered: 0, failed: 0 });
    }
    expect(ntfy.requests).toHaveLength(0);
    expect(await pass(db, channels, at(5 * MIN - 1))).toMatchObject({ delivered: 0 });
    // +5: the first row is 5 min old: one message with all three.
    expect(await pass(db, channels, at(5 * MIN))).toMatchObject({ delivered: 3, failed: 0 });
    expect(ntfy.requests).toHaveLength(1);
    expect(ntfy.requests[0]!.headers.title).toBe("Totewatch: 3 alerts");
  });

  it("an alert from a source whose clock runs an hour ahead is not held back past the window", async () => {
    const ntfy = await startChatReceiver(TOPIC, () => ({ status: 200, body: "{}" }));
    cleanups.push(() => ntfy.close());
    const db = open(await freshTestDatabaseUrl("digest-ahead"));
    const channels = channelsFrom(ntfyYaml(ntfy.url));
    await alertAt(db, 60);
    expect(await pass(db, channels, at(0))).toMatchObject({ delivered: 0 });
    expect(await pass(db, channels, at(5 * MIN))).toMatchObject({ delivered: 1 });
    expect(ntfy.requests).toHaveLength(1);
  });
});
