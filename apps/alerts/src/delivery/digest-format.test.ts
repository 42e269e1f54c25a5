import type { StoredAlert } from "@totewatch/db";
import { captureStream } from "@totewatch/test-utils";
import { describe, expect, it } from "vitest";
import { TELEGRAM_MAX_TEXT } from "./chat-format.js";
import { createConsoleChannel } from "./console-channel.js";
import { consoleAlertLine } from "./console-format.js";
import {
  consoleDigest,
  digestKey,
  discordDigestMessage,
  discordDigestParts,
  emailDigestSubject,
  NTFY_MAX_BODY_BYTES,
  ntfyDigestBody,
  ntfyDigestParts,
  ntfyDigestPriority,
  slackDigestMessage,
  slackDigestParts,
  telegramDigestParts,
  telegramDigestText,
} from "./digest-format.js";

const steam: StoredAlert = {
  alertId: 7,
  dedupeKey: "steam:12:3:2024-08-01T17:42:00.000Z",
  alertType: "steam",
  triggeredAt: new Date("2024-08-01T17:42:05.000Z"),
  message: "Saratoga R5 #3 Thunder Road: 5 -> 5-2 (-50.0%) in 6 min, 8 min to post",
  subject: "3",
  thresholdValue: 20,
  actualValue: 50,
  details: { before: 5, after: 2.5, minutesToPost: 8 },
  sent: false,
  sentAt: null,
  race: {
    raceId: 12,
    track: "Saratoga",
    timezone: "America/New_York",
    raceDate: "2024-08-01",
    raceNumber: 5,
    postTime: new Date("2024-08-01T17:50:00.000Z"),
  },
  runner: { entryId: 103, programNumber: "3", horse: "Thunder Road" },
};

/** `n` alerts a second apart, horse names `Horse 1`.. (`é` in each, to count ntfy's bytes). */
const many = (n: number, horse = (i: number) => `Horse ${i} é`): StoredAlert[] =>
  Array.from({ length: n }, (_, i) => ({
    ...steam,
    alertId: i + 1,
    dedupeKey: `steam:12:${i}`,
    triggeredAt: new Date(steam.triggeredAt.getTime() + i * 1000),
    runner: { entryId: 100 + i, programNumber: String(i), horse: horse(i) },
  }));

/** Every alert in exactly one part, order kept. */
const flat = (parts: StoredAlert[][]) => parts.flat().map((alert) => alert.alertId);

describe("digest text", () => {
  it("digestKey: the same alerts give the same key in any order; other alerts another", () => {
    const [a, b, c] = many(3);
    expect(digestKey([a!, b!])).toMatch(/^digest-[0-9a-f]{32}$/);
    expect(digestKey([b!, a!])).toBe(digestKey([a!, b!]));
    expect(digestKey([a!, c!])).not.toBe(digestKey([a!, b!]));
  });

  it("console: one block, a header and each alert's usual line; written in one write", async () => {
    const alerts = many(2);
    expect(consoleDigest(alerts)).toBe(
      ["Totewatch digest: 2 alerts", ...alerts.map((alert) => `  ${consoleAlertLine(alert)}`)].join("\n"),
    );
    const out = captureStream();
    await createConsoleChannel(out.stream).sendDigest!(alerts);
    expect(out.text()).toBe(`${consoleDigest(alerts)}\n`);
  });

  it("email subject counts the alerts", () => {
    expect(emailDigestSubject(many(7), "[Totewatch]")).toBe("[Totewatch] 7 alerts");
    expect(emailDigestSubject(many(1), "")).toBe("1 alert");
  });

  it("splits at each service's limit, every alert in exactly one part, oldest first", () => {
    const alerts = many(120);
    const telegram = telegramDigestParts(alerts);
    expect(telegram.length).toBeGreaterThan(1);
    expect(flat(telegram)).toEqual(alerts.map((alert) => alert.alertId));
    for (const part of telegram)
      expect(telegramDigestText(part).length).toBeLessThanOrEqual(TELEGRAM_MAX_TEXT);

    const discord = discordDigestParts(alerts);
    expect(flat(discord)).toEqual(alerts.map((alert) => alert.alertId));
    for (const part of discord) {
      const { content } = discordDigestMessage(part);
      expect(content.length).toBeLessThanOrEqual(2000);
      // Nothing was cut: each alert of the part is in its content.
      expect(content.endsWith("…")).toBe(false);
    }

    // Slack: 40 alerts a message (a header and 40 sections, under its 50 blocks).
    const slack = slackDigestParts(alerts);
    expect(slack.map((part) => part.length)).toEqual([40, 40, 40]);
    expect(slackDigestMessage(slack[0]!).blocks).toHaveLength(41);

    // ntfy counts bytes ("é" is two).
    const ntfy = ntfyDigestParts(alerts);
    expect(ntfy.length).toBeGreaterThan(1);
    expect(flat(ntfy)).toEqual(alerts.map((alert) => alert.alertId));
    for (const part of ntfy) {
      expect(Buffer.byteLength(ntfyDigestBody(part), "utf8")).toBeLessThanOrEqual(NTFY_MAX_BODY_BYTES);
    }
    // A small digest is one part.
    expect(ntfyDigestParts(many(3))).toHaveLength(1);
  });

  it("ntfy priority is the highest of the digest's alerts", () => {
    const [a, b] = many(2);
    expect(ntfyDigestPriority([a!, { ...b!, details: { ...b!.details, strength: 1.6 } }])).toBe(5);
    expect(ntfyDigestPriority([a!, b!])).toBe(3);
  });
});
