// Email delivery against a real SMTP server (smtp-server) on 127.0.0.1.
import {
  type SmtpReceiver,
  captureLogs,
  createTestDb,
  startSmtpReceiver,
  storeSteamAlert,
} from "@totewatch/test-utils";
import { deliveryStatus, type Db } from "@totewatch/db";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createChannels } from "./channels.js";
import { deliverDue } from "./deliver.js";
import { alertMessageId, createEmailChannel, type EmailChannelOptions } from "./email-channel.js";
import { CHAT_CHANNELS_OFF } from "../../test/delivery.js";

const DELIVERY = { maxAttempts: 5, backoffBaseMs: 1000, backoffMaxMs: 60_000 };
const T0 = new Date("2024-08-01T17:42:01.000Z");
const FROM = "Totewatch <alerts@totewatch.test>";

let db: Db;
let server: SmtpReceiver | undefined;
beforeEach(() => {
  db = createTestDb("email");
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await db.close();
});

function plainEmail(port: number, overrides: Partial<EmailChannelOptions> = {}): EmailChannelOptions {
  return {
    host: "127.0.0.1",
    port,
    secure: false,
    requireTls: false,
    from: FROM,
    to: ["punter@example.com", "partner@example.com"],
    subjectPrefix: "[Totewatch]",
    ...overrides,
  };
}

describe("email channel", () => {
  it("sends a plain-text message with the prefix, race, runner, odds move and minutes to post", async () => {
    server = await startSmtpReceiver();
    const { alertId, dedupeKey } = await storeSteamAlert(db, { channels: ["email"] });
    const channels = [createEmailChannel(plainEmail(server.port))];
    const result = await deliverDue(db, channels, {
      now: T0,
      delivery: DELIVERY,
      logger: captureLogs().logger,
    });

    expect(result).toEqual({
      delivered: 1,
      failed: 0,
      gaveUp: 0,
      dryRun: 0,
      skipped: 0,
      alreadyDelivered: 0,
    });
    expect(server.messages).toHaveLength(1);
    const [message] = server.messages;
    expect(message?.from).toBe("alerts@totewatch.test");
    expect(message?.to).toEqual(["punter@example.com", "partner@example.com"]);
    expect(message?.headers.get("subject")).toBe("[Totewatch] Saratoga R5: #3 Thunder Road steam 5 -> 5-2");
    expect(message?.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(message?.headers.get("message-id")).toBe(alertMessageId(dedupeKey, FROM));
    expect(message?.headers.get("x-totewatch-alert-key")).toBe(dedupeKey);
    const text = message?.text ?? "";
    expect(text).toContain("Race: Saratoga race 5, 2024-08-01 (post 13:50)");
    expect(text).toContain("Runner: #3 Thunder Road");
    expect(text).toContain("Win odds before: 5 (5-1)");
    expect(text).toContain("Win odds after: 5-2 (2.5-1)");
    expect(text).toContain("Minutes to post: 8");
    expect(text).toContain("Saratoga R5 #3 Thunder Road: 5 -> 5-2 (-50.0%) in 6 min, 8 min to post");
    expect((await deliveryStatus(db, alertId))?.sent).toBe(true);
  });

  it("upgrades with STARTTLS and authenticates when configured (self-signed test server)", async () => {
    server = await startSmtpReceiver({
      disabledCommands: [],
      authMethods: ["PLAIN", "LOGIN"],
      onAuth(auth, _session, callback) {
        if (auth.username === "totewatch" && auth.password === "hunter2")
          callback(null, { user: auth.username });
        else callback(new Error("invalid credentials"));
      },
    });
    await storeSteamAlert(db, { channels: ["email"] });
    const channels = createChannels(
      {
        ...CHAT_CHANNELS_OFF,
        console: { enabled: false },
        webhook: { enabled: false, timeoutMs: 5000 },
        email: {
          ...plainEmail(server.port),
          to: ["punter@example.com"],
          requireTls: true,
          user: "totewatch",
          pass: "hunter2",
          enabled: true,
        },
      },
      // The test server's certificate is smtp-server's built-in self-signed one.
      { logger: captureLogs().logger, emailTransport: { tls: { rejectUnauthorized: false } } },
    );
    const result = await deliverDue(db, channels, {
      now: T0,
      delivery: DELIVERY,
      logger: captureLogs().logger,
    });
    expect(result.delivered).toBe(1);
    expect(server.messages[0]).toMatchObject({ secure: true, user: "totewatch" });
  });

  it("speaks implicit TLS from the first byte when secure is set", async () => {
    server = await startSmtpReceiver({ secure: true });
    await storeSteamAlert(db, { channels: ["email"] });
    const channels = [
      createEmailChannel(
        plainEmail(server.port, { secure: true, transport: { tls: { rejectUnauthorized: false } } }),
      ),
    ];
    const result = await deliverDue(db, channels, {
      now: T0,
      delivery: DELIVERY,
      logger: captureLogs().logger,
    });
    expect(result.delivered).toBe(1);
    expect(server.messages[0]?.secure).toBe(true);
  });

  it("with requireTls, refuses a server that offers no STARTTLS (nothing sent, failure recorded)", async () => {
    server = await startSmtpReceiver();
    const { alertId } = await storeSteamAlert(db, { channels: ["email"] });
    const channels = [createEmailChannel(plainEmail(server.port, { requireTls: true }))];
    const result = await deliverDue(db, channels, {
      now: T0,
      delivery: DELIVERY,
      logger: captureLogs().logger,
    });
    expect(result).toMatchObject({ delivered: 0, failed: 1 });
    expect(server.messages).toHaveLength(0);
    expect((await deliveryStatus(db, alertId))?.deliveries[0]?.lastError).toMatch(
      /email via 127\.0\.0\.1:\d+ failed/,
    );
  });

  it("records a rejected message with the server's code and retries it with the same Message-ID", async () => {
    server = await startSmtpReceiver({ rejectMessage: (n) => (n === 1 ? "mailbox unavailable" : null) });
    const { alertId, dedupeKey } = await storeSteamAlert(db, { channels: ["email"] });
    const channels = [createEmailChannel(plainEmail(server.port))];
    const options = { delivery: DELIVERY, logger: captureLogs().logger, random: () => 0 };
    expect(await deliverDue(db, channels, { ...options, now: T0 })).toMatchObject({ failed: 1 });
    expect((await deliveryStatus(db, alertId))?.deliveries[0]?.lastError).toMatch(
      /\(550\).*mailbox unavailable/,
    );
    expect(await deliverDue(db, channels, { ...options, now: new Date(T0.getTime() + 500) })).toMatchObject({
      delivered: 1,
    });
    expect(server.messages.map((message) => message.headers.get("message-id"))).toEqual([
      alertMessageId(dedupeKey, FROM),
    ]);
    expect((await deliveryStatus(db, alertId))?.deliveries[0]).toMatchObject({ attempts: 2 });
  });
});
