// Routing per channel (`only:`): steam to the phone (ntfy), everything to email, on a real migrated
// SQLite file with a real ntfy stand-in and a real SMTP server on 127.0.0.1.
import {
  captureLogs,
  captureStream,
  createTestDb,
  startSmtpReceiver,
  storeSteamAlert,
  type SmtpReceiver,
} from "@totewatch/test-utils";
import { parseConfig } from "@totewatch/config";
import { deliveryStatus, type Db } from "@totewatch/db";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createChannels } from "./channels.js";
import { deliverDue } from "./deliver.js";
import { startChatReceiver, type ChatReceiver } from "../../test/delivery.js";

const DELIVERY = { maxAttempts: 5, backoffBaseMs: 1000, backoffMaxMs: 60_000 };
const T0 = new Date("2024-08-01T17:42:01.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const TOPIC = "/phone-topic";

let db: Db;
let ntfy: ChatReceiver;
let smtp: SmtpReceiver;
beforeEach(() => {
  db = createTestDb("routing");
});
afterEach(async () => {
  await ntfy?.close();
  await smtp?.close();
  await db.close();
});

/** ntfy takes steam of strength 0.5 or more; email and the console take everything. */
function channels(ntfyUrl: string, smtpPort: number) {
  const config = parseConfig(
    `alerts:
  channels:
    console: { enabled: true }
    email:
      enabled: true
      host: 127.0.0.1
      port: ${smtpPort}
      requireTls: false
      from: alerts@totewatch.test
      to: punter@example.com
    ntfy:
      enabled: true
      url: ${ntfyUrl}${TOPIC}
      only: { types: [steam], minStrength: 0.5 }
`,
    "<routing>",
    {},
  );
  return createChannels(config.alerts.channels, {
    stdout: captureStream().stream,
    logger: captureLogs().logger,
  });
}

const pass = (list: ReturnType<typeof channels>, now: Date) =>
  deliverDue(db, list, { now, delivery: DELIVERY, logger: captureLogs().logger, random: () => 0 });

describe("only: steam to ntfy, everything to email", () => {
  it("rows made by the pass: steam -> console, email, ntfy; overlay -> console, email; both sent", async () => {
    ntfy = await startChatReceiver(TOPIC, () => ({ status: 200, body: "{}" }));
    smtp = await startSmtpReceiver();
    const steam = await storeSteamAlert(db, { strength: 0.8 });
    const overlay = await storeSteamAlert(db, { alertType: "overlay", strength: 0.8 });
    // 3 + 2 = 5 deliveries.
    expect(await pass(channels(ntfy.url, smtp.port), T0)).toMatchObject({ delivered: 5, failed: 0 });
    expect(ntfy.requests).toHaveLength(1);
    expect(ntfy.requests[0]?.headers.tags).toBe("horse,steam");
    expect(smtp.messages).toHaveLength(2);
    expect((await deliveryStatus(db, steam.alertId))?.deliveries.map((row) => row.channel)).toEqual([
      "console",
      "email",
      "ntfy",
    ]);
    const overlayStatus = await deliveryStatus(db, overlay.alertId);
    expect(overlayStatus?.deliveries.map((row) => row.channel)).toEqual(["console", "email"]);
    expect(overlayStatus?.sent).toBe(true);
    expect((await deliveryStatus(db, steam.alertId))?.sent).toBe(true);
  });

  it("rows stored for every channel (as the engine stores them): the unrouted one is dropped, and sent waits for the routed ones", async () => {
    // ntfy fails once (500), then accepts.
    ntfy = await startChatReceiver(TOPIC, (n) => (n === 1 ? { status: 500, body: "down" } : { status: 200 }));
    smtp = await startSmtpReceiver();
    const all = ["console", "email", "ntfy"];
    const steam = await storeSteamAlert(db, { strength: 0.8, channels: all });
    const overlay = await storeSteamAlert(db, { alertType: "overlay", strength: 0.8, channels: all });
    // A weak steam (0.2) is below ntfy's minStrength: email and console only.
    const weak = await storeSteamAlert(db, {
      strength: 0.2,
      channels: all,
      triggeredAt: new Date("2024-08-01T17:42:30.000Z"),
    });
    const list = channels(ntfy.url, smtp.port);

    // Pass 1: console 3 + email 3 delivered; ntfy tried once for the strong steam (500).
    expect(await pass(list, at(0))).toMatchObject({ delivered: 6, failed: 1 });
    expect((await deliveryStatus(db, overlay.alertId))?.deliveries.map((row) => row.channel)).toEqual([
      "console",
      "email",
    ]);
    expect((await deliveryStatus(db, overlay.alertId))?.sent).toBe(true);
    expect((await deliveryStatus(db, weak.alertId))?.sent).toBe(true);
    // The steam still owes ntfy: not sent yet.
    expect((await deliveryStatus(db, steam.alertId))?.sent).toBe(false);

    // Pass 2, after the 500 ms backoff: ntfy delivers, and the steam is sent.
    expect(await pass(list, at(500))).toMatchObject({ delivered: 1, failed: 0 });
    const status = await deliveryStatus(db, steam.alertId);
    expect(status?.sent).toBe(true);
    expect(status?.sentAt).toEqual(at(500));
    expect(ntfy.requests).toHaveLength(2);
    expect(smtp.messages).toHaveLength(3);
    // Nothing is left: no row waits for a channel that will never send it.
    expect(await pass(list, at(60_000))).toMatchObject({ delivered: 0, failed: 0 });
  });

  it("a dry run shows each alert only to the channels that take it", async () => {
    ntfy = await startChatReceiver(TOPIC);
    smtp = await startSmtpReceiver();
    await storeSteamAlert(db, { strength: 0.8 });
    await storeSteamAlert(db, { alertType: "overlay", strength: 0.8 });
    const log = captureLogs();
    const config = channels(ntfy.url, smtp.port);
    const dry = createChannels(
      parseConfig(
        `alerts:\n  channels:\n    email: { enabled: true, host: h, from: a@b.test, to: c@d.test }\n` +
          `    ntfy: { enabled: true, url: "${ntfy.url}${TOPIC}", only: { types: [steam] } }\n`,
        "<dry>",
        {},
      ).alerts.channels,
      { dryRun: true, stdout: captureStream().stream, logger: log.logger },
    );
    expect(config).toHaveLength(3);
    expect(dry.map((channel) => [channel.name, channel.dryRun, channel.only])).toEqual([
      ["console", true, undefined],
      ["email", true, undefined],
      ["ntfy", true, { types: ["steam"] }],
    ]);
    // console 2 + email 2 + ntfy 1 (steam only).
    expect(await deliverDue(db, dry, { now: T0, delivery: DELIVERY, logger: log.logger })).toMatchObject({
      dryRun: 5,
    });
    const shown = log.records.filter((record) => record.msg === "dry run: would send alert");
    expect(shown.filter((record) => record.channel === "ntfy").map((record) => String(record.alert))).toEqual(
      [expect.stringMatching(/^steam:/)],
    );
    expect(ntfy.requests).toHaveLength(0);
  });
});

describe("an alert no channel takes", () => {
  it("is said once, at info, by the pass that drops its last row", async () => {
    ntfy = await startChatReceiver(TOPIC, () => ({ status: 200 }));
    const config = parseConfig(
      `alerts:
  channels:
    console: { enabled: false }
    ntfy:
      enabled: true
      url: ${ntfy.url}${TOPIC}
      only: { types: [overlay] }
`,
      "<routing>",
      {},
    );
    const list = createChannels(config.alerts.channels, { logger: captureLogs().logger });
    // Stored as the engine stores it: a row for the enabled channel, which does not take a steam.
    const { alertId } = await storeSteamAlert(db, { channels: ["ntfy"] });
    const logs = captureLogs();
    const run = (now: Date) =>
      deliverDue(db, list, { now, delivery: DELIVERY, logger: logs.logger, random: () => 0 });
    expect(await run(at(0))).toMatchObject({ delivered: 0, failed: 0 });
    expect(await run(at(1000))).toMatchObject({ delivered: 0, failed: 0 });
    const said = logs.records.filter((record) => String(record.msg).includes("goes to no channel"));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatchObject({
      level: 30,
      alertId,
      msg: `alert ${alertId} (steam) goes to no channel: every channel's only: leaves it out`,
    });
    expect(ntfy.requests).toHaveLength(0);
    expect(await deliveryStatus(db, alertId)).toMatchObject({ sent: false, deliveries: [] });
  });
});
