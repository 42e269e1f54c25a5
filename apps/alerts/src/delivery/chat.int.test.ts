// The chat channels (telegram, discord, slack, ntfy) against real HTTP servers on 127.0.0.1 that
// check the request each service documents, on real migrated SQLite files through deliverDue.
import { captureLogs, createTestDb, storeSteamAlert } from "@totewatch/test-utils";
import { deliveryStatus, type Db } from "@totewatch/db";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deliverDue } from "./deliver.js";
import { createDiscordChannel } from "./discord-channel.js";
import { createNtfyChannel } from "./ntfy-channel.js";
import { createSlackChannel } from "./slack-channel.js";
import { createTelegramChannel } from "./telegram-channel.js";
import type { Channel } from "./types.js";
import { startChatReceiver, type ChatAnswer, type ChatReceiver } from "../../test/delivery.js";

const DELIVERY = { maxAttempts: 5, backoffBaseMs: 1000, backoffMaxMs: 60_000 };
const T0 = new Date("2024-08-01T17:42:01.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const BOLD = "<b>Bold & Co</b>";
const TOKEN = "123456:AAE-secret_Bot-Token";
const HOOK_SECRET = "zyX-webhook-secret-part";
const NTFY_TOKEN = "tk_ntfysecrettoken123";

let db: Db;
const receivers: ChatReceiver[] = [];
beforeEach(() => {
  db = createTestDb("chat");
});
afterEach(async () => {
  for (const receiver of receivers.splice(0)) await receiver.close();
  await db.close();
});

async function receiver(path: string, answer?: (n: number) => ChatAnswer): Promise<ChatReceiver> {
  const started = await startChatReceiver(path, answer);
  receivers.push(started);
  return started;
}

const pass = (channels: Channel[], now: Date) =>
  deliverDue(db, channels, { now, delivery: DELIVERY, logger: captureLogs().logger, random: () => 0 });

const json = (body: unknown, status = 200, headers: Record<string, string> = {}): ChatAnswer => ({
  status,
  body: JSON.stringify(body),
  headers: { "content-type": "application/json", ...headers },
});

// The sample alert: Saratoga R5 #3, steam 5-1 -> 5-2, fired 17:42:00Z = 13:42:00 EDT, 8 min to post.
const BODY = "5 -> 5-2 (-50.0%) in 6 min, 8 min to post";

describe("telegram", () => {
  const path = `/bot${TOKEN}/sendMessage`;
  const channel = (url: string) =>
    createTelegramChannel({ token: TOKEN, chatId: -1001234, apiBase: url, timeoutMs: 5000 });

  it("POSTs sendMessage with the token in the path and HTML-escaped text", async () => {
    const server = await receiver(path, () => json({ ok: true, result: { message_id: 1 } }));
    const { alertId } = await storeSteamAlert(db, { horse: BOLD });
    expect(await pass([channel(server.url)], T0)).toMatchObject({ delivered: 1, failed: 0 });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request).toMatchObject({ method: "POST", path });
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(request!.body)).toEqual({
      chat_id: -1001234,
      // & < > escaped (Telegram's HTML mode asks for exactly these); the arrow's > too.
      text:
        "<b>Saratoga R5: #3 &lt;b&gt;Bold &amp; Co&lt;/b&gt; steam</b>\n" +
        "5 -&gt; 5-2 (-50.0%) in 6 min, 8 min to post\n<i>13:42:00 EDT</i>",
      parse_mode: "HTML",
      disable_web_page_preview: true,
    });
    expect((await deliveryStatus(db, alertId))?.sent).toBe(true);
  });

  it("stores a refusal as a readable error without the token", async () => {
    const server = await receiver(path, () =>
      json({ ok: false, error_code: 401, description: "Unauthorized" }, 401),
    );
    const { alertId } = await storeSteamAlert(db);
    expect(await pass([channel(server.url)], T0)).toMatchObject({ failed: 1 });
    const lastError = (await deliveryStatus(db, alertId))?.deliveries[0]?.lastError ?? "";
    expect(lastError).toMatch(/^telegram 127\.0\.0\.1:\d+\/… answered HTTP 401 Unauthorized: .*Unauthorized/);
    expect(lastError).not.toContain(TOKEN);
    expect(lastError).not.toContain("AAE-secret");
  });

  it("a 429 with parameters.retry_after waits that long and stops the channel for the pass", async () => {
    const server = await receiver(path, (n) =>
      n === 1
        ? json(
            {
              ok: false,
              error_code: 429,
              description: "Too Many Requests: retry after 30",
              parameters: { retry_after: 30 },
            },
            429,
          )
        : json({ ok: true, result: {} }),
    );
    const first = await storeSteamAlert(db);
    const second = await storeSteamAlert(db, { triggeredAt: new Date("2024-08-01T17:42:30.000Z") });
    const channels = [channel(server.url)];
    // Pass 1: the first alert is answered 429; the second is not tried in the same pass.
    expect(await pass(channels, at(0))).toMatchObject({ failed: 1, delivered: 0 });
    expect(server.requests).toHaveLength(1);
    // Backoff alone would retry after 1000 * 2^0 * 0.5 = 500 ms; Telegram asked for 30 s.
    const firstRow = (await deliveryStatus(db, first.alertId))?.deliveries[0];
    expect(firstRow?.nextAttemptAt?.toISOString()).toBe(at(30_000).toISOString());
    expect(firstRow?.lastError).toMatch(/HTTP 429.*retry after 30 s/);
    // The second alert's row (never tried, no attempt counted) is held back to the same instant.
    expect((await deliveryStatus(db, second.alertId))?.deliveries[0]).toMatchObject({
      attempts: 0,
      nextAttemptAt: at(30_000),
    });
    // 500 ms and 29.999 s later: nothing is sent (not hammered).
    expect(await pass(channels, at(500))).toMatchObject({ delivered: 0, failed: 0 });
    expect(await pass(channels, at(29_999))).toMatchObject({ delivered: 0, failed: 0 });
    expect(server.requests).toHaveLength(1);
    // At 30 s both go.
    expect(await pass(channels, at(30_000))).toMatchObject({ delivered: 2, failed: 0 });
    expect(server.requests).toHaveLength(3);
  });
});

describe("discord", () => {
  const path = `/api/webhooks/42/${HOOK_SECRET}`;

  it("POSTs content, one embed and no mentions to the webhook URL", async () => {
    const server = await receiver(path, () => ({ status: 204 }));
    await storeSteamAlert(db, { horse: BOLD, strength: 0.8 });
    const channels = [createDiscordChannel({ url: `${server.url}${path}`, timeoutMs: 5000 })];
    expect(await pass(channels, T0)).toMatchObject({ delivered: 1 });
    const [request] = server.requests;
    expect(request).toMatchObject({ method: "POST", path });
    expect(request?.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(request!.body);
    expect(body).toEqual({
      // Discord is markdown, not HTML: the name arrives as written (nothing in it Discord formats).
      content: "Saratoga R5: #3 <b>Bold & Co</b> steam",
      embeds: [
        {
          title: "Saratoga R5: #3 <b>Bold & Co</b> steam",
          description: "5 -> 5-2 (-50.0%) in 6 min, 8 min to post\n13:42:00 EDT",
          color: 0xe74c3c,
          timestamp: "2024-08-01T17:42:00.000Z",
          fields: [
            { name: "Race", value: "Saratoga R5", inline: true },
            { name: "Runner", value: "#3 <b>Bold & Co</b>", inline: true },
            { name: "Move", value: "5 -> 5-2", inline: true },
            { name: "Minutes to post", value: "8", inline: true },
          ],
        },
      ],
      allowed_mentions: { parse: [] },
    });
    expect(body.content.length).toBeLessThanOrEqual(2000);
    expect(body.embeds[0].description.length).toBeLessThanOrEqual(4096);
  });

  it("stores a failure with the host only, never the webhook's secret path", async () => {
    const server = await receiver(path, () => json({ message: "Unknown Webhook", code: 10015 }, 404));
    const { alertId } = await storeSteamAlert(db);
    await pass([createDiscordChannel({ url: `${server.url}${path}`, timeoutMs: 5000 })], T0);
    const lastError = (await deliveryStatus(db, alertId))?.deliveries[0]?.lastError ?? "";
    expect(lastError).toMatch(
      /^discord webhook 127\.0\.0\.1:\d+\/… answered HTTP 404 Not Found: .*Unknown Webhook/,
    );
    expect(lastError).not.toContain(HOOK_SECRET);
  });

  it("a 429 with retry_after (seconds, fractional) delays the next attempt by at least that", async () => {
    const server = await receiver(path, (n) =>
      n === 1
        ? json({ message: "You are being rate limited.", retry_after: 2.5, global: false }, 429)
        : { status: 204 },
    );
    const { alertId } = await storeSteamAlert(db);
    const channels = [createDiscordChannel({ url: `${server.url}${path}`, timeoutMs: 5000 })];
    expect(await pass(channels, at(0))).toMatchObject({ failed: 1 });
    // 2.5 s = 2500 ms > the 500 ms backoff.
    expect((await deliveryStatus(db, alertId))?.deliveries[0]?.nextAttemptAt).toEqual(at(2500));
    expect(await pass(channels, at(2499))).toMatchObject({ delivered: 0, failed: 0 });
    expect(await pass(channels, at(2500))).toMatchObject({ delivered: 1 });
    expect(server.requests).toHaveLength(2);
  });
});

describe("slack", () => {
  const path = `/services/T000/B000/${HOOK_SECRET}`;

  it("POSTs text and mrkdwn blocks with Slack's &, <, > escaping", async () => {
    const server = await receiver(path, () => ({ status: 200, body: "ok" }));
    const { dedupeKey } = await storeSteamAlert(db, { horse: BOLD });
    expect(
      await pass([createSlackChannel({ url: `${server.url}${path}`, timeoutMs: 5000 })], T0),
    ).toMatchObject({
      delivered: 1,
    });
    const [request] = server.requests;
    expect(request).toMatchObject({ method: "POST", path });
    expect(request?.headers["content-type"]).toBe("application/json");
    const headline = "Saratoga R5: #3 &lt;b&gt;Bold &amp; Co&lt;/b&gt; steam";
    const body = "5 -&gt; 5-2 (-50.0%) in 6 min, 8 min to post";
    expect(JSON.parse(request!.body)).toEqual({
      text: `${headline}: ${body}`,
      blocks: [
        { type: "section", text: { type: "mrkdwn", text: `*${headline}*\n${body}` } },
        { type: "context", elements: [{ type: "mrkdwn", text: `13:42:00 EDT · ${dedupeKey}` }] },
      ],
    });
  });

  it("a 429 with Retry-After waits that long; a refusal is stored without the URL's secret", async () => {
    const server = await receiver(path, (n) =>
      n === 1
        ? { status: 429, body: "rate_limited", headers: { "Retry-After": "7" } }
        : { status: 403, body: "invalid_token" },
    );
    const { alertId } = await storeSteamAlert(db);
    const channels = [createSlackChannel({ url: `${server.url}${path}`, timeoutMs: 5000 })];
    expect(await pass(channels, at(0))).toMatchObject({ failed: 1 });
    // Retry-After: 7 -> 7000 ms, above the 500 ms backoff.
    expect((await deliveryStatus(db, alertId))?.deliveries[0]?.nextAttemptAt).toEqual(at(7000));
    expect(await pass(channels, at(6999))).toMatchObject({ failed: 0 });
    expect(await pass(channels, at(7000))).toMatchObject({ failed: 1 });
    const lastError = (await deliveryStatus(db, alertId))?.deliveries[0]?.lastError ?? "";
    expect(lastError).toMatch(
      /^slack webhook 127\.0\.0\.1:\d+\/… answered HTTP 403 Forbidden: invalid_token$/,
    );
    expect(lastError).not.toContain(HOOK_SECRET);
    // A 403 names no wait. The 429 used no attempt, so this is the first counted one:
    // backoff 1000 * 2^0 * 0.5 = 500 ms -> 7000 + 500.
    expect((await deliveryStatus(db, alertId))?.deliveries[0]).toMatchObject({
      attempts: 1,
      nextAttemptAt: at(7500),
    });
  });
});

describe("a 429 holds the whole channel, alerts stored during the hold included", () => {
  it("a new alert stored while slack is held is not sent until the hold ends, even by a later pass", async () => {
    const path = "/services/T000/B000/hold";
    const server = await receiver(path, (n) =>
      n === 1
        ? { status: 429, body: "rate_limited", headers: { "Retry-After": "7" } }
        : { status: 200, body: "ok" },
    );
    const first = await storeSteamAlert(db);
    const channels = [createSlackChannel({ url: `${server.url}${path}`, timeoutMs: 5000 })];
    expect(await pass(channels, at(0))).toMatchObject({ failed: 1 });
    // Stored 1 s into the 7 s hold (a new row: nothing of it was moved by the 429).
    const second = await storeSteamAlert(db, { triggeredAt: at(1000) });
    expect(await pass(channels, at(2000))).toMatchObject({ delivered: 0, failed: 0 });
    expect(await pass(channels, at(6999))).toMatchObject({ delivered: 0, failed: 0 });
    expect(server.requests).toHaveLength(1);
    // At +7 s the hold is over: both go.
    expect(await pass(channels, at(7000))).toMatchObject({ delivered: 2 });
    expect(server.requests).toHaveLength(3);
    for (const alert of [first, second]) expect((await deliveryStatus(db, alert.alertId))?.sent).toBe(true);
  });
});

describe("ntfy", () => {
  const path = "/totewatch-secret-topic";

  it("POSTs the message as the body with Title, Priority, Tags and a bearer token", async () => {
    const server = await receiver(path, () => json({ id: "x", event: "message" }));
    await storeSteamAlert(db, { horse: BOLD, strength: 0.8 });
    const channels = [createNtfyChannel({ url: `${server.url}${path}`, token: NTFY_TOKEN, timeoutMs: 5000 })];
    expect(await pass(channels, T0)).toMatchObject({ delivered: 1 });
    const [request] = server.requests;
    expect(request).toMatchObject({ method: "POST", path });
    expect(request?.headers).toMatchObject({
      title: "Saratoga R5: #3 <b>Bold & Co</b> steam",
      // strength 0.8: at least 0.5, below 1.5 -> 4 (high).
      priority: "4",
      tags: "horse,steam",
      authorization: `Bearer ${NTFY_TOKEN}`,
      "content-type": "text/plain; charset=utf-8",
    });
    // Plain text: nothing escaped.
    expect(request?.body).toBe(`${BODY}\n13:42:00 EDT`);
  });

  it("a name beyond ASCII goes as an RFC 2047 title; no token, no Authorization; default priority 3", async () => {
    const server = await receiver(path, () => json({ id: "x" }));
    await storeSteamAlert(db, { horse: "Señor Mañana" });
    await pass([createNtfyChannel({ url: `${server.url}${path}`, timeoutMs: 5000 })], T0);
    const headers = server.requests[0]?.headers ?? {};
    const title = String(headers.title);
    expect(title).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
    expect(Buffer.from(title.slice(10, -2), "base64").toString("utf8")).toBe(
      "Saratoga R5: #3 Señor Mañana steam",
    );
    expect(headers.authorization).toBeUndefined();
    expect(headers.priority).toBe("3");
  });

  it("stores a refusal without the topic or the token", async () => {
    const server = await receiver(path, () => json({ code: 40301, http: 403, error: "forbidden" }, 403));
    const { alertId } = await storeSteamAlert(db);
    await pass([createNtfyChannel({ url: `${server.url}${path}`, token: NTFY_TOKEN, timeoutMs: 5000 })], T0);
    const lastError = (await deliveryStatus(db, alertId))?.deliveries[0]?.lastError ?? "";
    expect(lastError).toMatch(/^ntfy 127\.0\.0\.1:\d+\/… answered HTTP 403 Forbidden: .*forbidden/);
    expect(lastError).not.toContain("secret-topic");
    expect(lastError).not.toContain(NTFY_TOKEN);
  });
});

describe("review fixes: unbounded Retry-After, credentials in the URL, secrets split by the cut", () => {
  const telegramPath = `/bot${TOKEN}/sendMessage`;
  const telegram = (url: string) =>
    createTelegramChannel({ token: TOKEN, chatId: -1001234, apiBase: url, timeoutMs: 5000 });

  it("D1: a 429 asking for retry_after 1e13 s is recorded, retried after backoffMaxMs (not an Invalid Date)", async () => {
    const server = await receiver(telegramPath, (n) =>
      n === 1
        ? json({ ok: false, error_code: 429, parameters: { retry_after: 1e13 } }, 429)
        : json({ ok: true, result: {} }),
    );
    const { alertId } = await storeSteamAlert(db);
    const channels = [telegram(server.url)];
    expect(await pass(channels, at(0))).toMatchObject({ failed: 1, delivered: 0 });
    const row = (await deliveryStatus(db, alertId))?.deliveries[0];
    // Capped at DELIVERY.backoffMaxMs (60 s); a wait asked for uses no attempt.
    expect(row).toMatchObject({ attempts: 0, nextAttemptAt: at(60_000) });
    expect(await pass(channels, at(59_999))).toMatchObject({ delivered: 0, failed: 0 });
    expect(await pass(channels, at(60_000))).toMatchObject({ delivered: 1 });
    expect(server.requests).toHaveLength(2);
  });

  it("S1: ntfy with user:password@ in its URL sends them as basic auth; an echo of the URL shows no password", async () => {
    const path = "/phils-topic";
    const server = await receiver(path, (n) =>
      n === 1
        ? { status: 200, body: "{}" }
        : { status: 500, body: `upstream ${server.url.replace("//", "//phil:s3cret-pw@")}${path} failed` },
    );
    const url = `${server.url.replace("//", "//phil:s3cret-pw@")}${path}`;
    const channels = [createNtfyChannel({ url, timeoutMs: 5000 })];
    await storeSteamAlert(db);
    expect(await pass(channels, T0)).toMatchObject({ delivered: 1, failed: 0 });
    expect(server.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from("phil:s3cret-pw").toString("base64")}`,
    );
    const { alertId } = await storeSteamAlert(db, { triggeredAt: new Date("2024-08-01T17:43:00.000Z") });
    expect(await pass(channels, at(60_000))).toMatchObject({ failed: 1 });
    const lastError = (await deliveryStatus(db, alertId))?.deliveries[0]?.lastError ?? "";
    expect(lastError).toMatch(/answered HTTP 500/);
    expect(lastError).not.toContain("s3cret-pw");
  });

  it("S2: a token the 200-character cut would split is scrubbed before the cut", async () => {
    // 186 + "/bot" puts the token's first 10 characters ("123456:AAE") at the end of the cut.
    const echo = `${"x".repeat(186)}/bot${TOKEN}/sendMessage not found`;
    const server = await receiver(telegramPath, () => ({ status: 404, body: echo }));
    const { alertId } = await storeSteamAlert(db);
    expect(await pass([telegram(server.url)], T0)).toMatchObject({ failed: 1 });
    const lastError = (await deliveryStatus(db, alertId))?.deliveries[0]?.lastError ?? "";
    expect(lastError).toMatch(/answered HTTP 404/);
    expect(lastError).not.toContain("123456");
  });
});
