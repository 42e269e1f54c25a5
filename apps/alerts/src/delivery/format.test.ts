import type { StoredAlert } from "@totewatch/db";
import { describe, expect, it } from "vitest";
import { alertMessageId } from "./email-channel.js";
import {
  consoleLine,
  emailSubject,
  emailText,
  localTime,
  messageBody,
  valueMove,
  webhookPayload,
} from "./format.js";
import { signWebhookBody, verifyWebhookSignature } from "./webhook-channel.js";

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

const exacta: StoredAlert = {
  ...steam,
  alertType: "exacta_low",
  dedupeKey: "exacta_low:12:1-3:2024-08-01T17:42:00.000Z",
  message: "Saratoga R5 exacta 1-3 probable $9.80, below $10.00, 8 min to post",
  subject: "1-3",
  runner: null,
  details: { after: 9.8, minutesToPost: 8 },
};

describe("console line", () => {
  it("shows the track-local time, race, runner, type and the message without repeating race and runner", () => {
    expect(consoleLine(steam)).toBe(
      "13:42:05 Saratoga R5 #3 Thunder Road [steam] 5 -> 5-2 (-50.0%) in 6 min, 8 min to post",
    );
  });

  it("names an exacta combination once", () => {
    expect(consoleLine(exacta)).toBe(
      "13:42:05 Saratoga R5 exacta 1-3 [exacta_low] probable $9.80, below $10.00, 8 min to post",
    );
    const overlay: StoredAlert = {
      ...exacta,
      alertType: "exacta_overlay",
      subject: "4-8",
      message:
        "Saratoga R5 exacta 4-8 (#4 Ollie's Falcon over #8 Saint Breeze) probable $482.80 vs fair $174.22 " +
        "from win odds (+177.1%, overlay), 8 min to post",
    };
    expect(consoleLine(overlay)).toBe(
      "13:42:05 Saratoga R5 exacta 4-8 [exacta_overlay] (#4 Ollie's Falcon over #8 Saint Breeze) " +
        "probable $482.80 vs fair $174.22 from win odds (+177.1%, overlay), 8 min to post",
    );
  });

  it("keeps a message that does not start with the race as it is", () => {
    expect(messageBody({ ...steam, message: "something else" })).toBe("something else");
  });
});

describe("email text", () => {
  it("subject: prefix, race, runner, type and the odds move", () => {
    expect(emailSubject(steam, "[Totewatch]")).toBe(
      "[Totewatch] Saratoga R5: #3 Thunder Road steam 5 -> 5-2",
    );
    expect(emailSubject(exacta, "[TW]")).toBe("[TW] Saratoga R5: exacta 1-3 exacta probable low -> $9.80");
  });

  it("body: race, runner, odds before and after, minutes to post, message", () => {
    const text = emailText(steam);
    expect(text).toContain("Race: Saratoga race 5, 2024-08-01 (post 13:50)");
    expect(text).toContain("Runner: #3 Thunder Road");
    expect(text).toContain("Win odds before: 5 (5-1)");
    expect(text).toContain("Win odds after: 5-2 (2.5-1)");
    expect(text).toContain("Minutes to post: 8");
    expect(text).toContain(steam.message);
  });

  it("a decimal tote's alert (its board in the details) shows dividends, as the board does", () => {
    const decimal: StoredAlert = {
      ...steam,
      message: "Sha Tin R5 #3 Thunder Road: 60.00 -> 35.00 (-50.0%) in 6 min, 8 min to post",
      details: { before: 5, after: 2.5, minutesToPost: 8, oddsFormat: "decimal", dividendUnit: 10 },
    };
    expect(valueMove(decimal)).toBe("60.00 -> 35.00");
    expect(emailSubject(decimal, "[TW]")).toBe("[TW] Saratoga R5: #3 Thunder Road steam 60.00 -> 35.00");
    const text = emailText(decimal);
    expect(text).toContain("Win odds before: 60.00\n");
    expect(text).toContain("Win odds after: 35.00\n");
    // Details that are not a board format are read as odds-to-1.
    const odd: StoredAlert = { ...decimal, details: { ...decimal.details, oddsFormat: "fractional" } };
    expect(valueMove(odd)).toBe("5 -> 5-2");
  });

  it("computes minutes to post from the post time when the rule did not record them", () => {
    expect(emailText({ ...steam, details: { before: 5, after: 2.5 } })).toContain("Minutes to post: 8");
    expect(emailText({ ...steam, race: { ...steam.race!, postTime: null }, details: {} })).toContain(
      "Minutes to post: unknown",
    );
  });

  it("an overlay's before is the morning line, and is labelled so", () => {
    const overlay: StoredAlert = {
      ...steam,
      alertType: "overlay",
      dedupeKey: "overlay:12:3:2024-08-01T17:42:00.000Z",
      message: "Saratoga R5 #3 Thunder Road: ML 5-2 -> 6 (2.40x morning line), 8 min to post",
      details: { before: 2.5, after: 6, minutesToPost: 8 },
    };
    const text = emailText(overlay);
    expect(text).toContain("Alert: overlay vs morning line");
    expect(text).toContain("Morning line: 5-2 (2.5-1)");
    expect(text).toContain("Win odds: 6 (6-1)");
    expect(text).not.toContain("Win odds before");
    expect(text).not.toContain("Win odds after");
  });

  it("exacta alerts show payouts, not odds", () => {
    expect(valueMove(exacta)).toBe("-> $9.80");
    expect(emailText(exacta)).toContain("Probable payout after: $9.80");
    // A sterling track's alert says so in its details (the rules' withBoard): pounds.
    const sterling = { ...exacta, details: { ...exacta.details, currency: "GBP" } };
    expect(valueMove(sterling)).toBe("-> £9.80");
    expect(emailText(sterling)).toContain("Probable payout after: £9.80");
    // A code no currency has is not trusted: dollars, as before.
    expect(valueMove({ ...exacta, details: { ...exacta.details, currency: "<b>" } })).toBe("-> $9.80");
  });

  it("Message-ID depends on the dedupe key only", () => {
    const id = alertMessageId(steam.dedupeKey, "Totewatch <alerts@example.com>");
    expect(id).toMatch(/^<alert\.[0-9a-f]{32}@example\.com>$/);
    expect(alertMessageId(steam.dedupeKey, "Totewatch <alerts@example.com>")).toBe(id);
    expect(alertMessageId(exacta.dedupeKey, "Totewatch <alerts@example.com>")).not.toBe(id);
  });
});

describe("webhook signature", () => {
  const body = JSON.stringify(webhookPayload(steam, new Date("2024-08-01T17:42:06.000Z")));

  it("verifies the signature of the exact body with the secret", () => {
    const header = signWebhookBody(body, "s3cret");
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(body, header, "s3cret")).toBe(true);
  });

  it("rejects another secret, a changed body, a malformed or missing header", () => {
    const header = signWebhookBody(body, "s3cret");
    expect(verifyWebhookSignature(body, header, "other")).toBe(false);
    expect(verifyWebhookSignature(`${body} `, header, "s3cret")).toBe(false);
    expect(verifyWebhookSignature(body, header.slice(0, -1), "s3cret")).toBe(false);
    expect(verifyWebhookSignature(body, undefined, "s3cret")).toBe(false);
  });
});

describe("local time", () => {
  it("is HH:MM:SS in the track's zone, and UTC for a zone that is not an IANA one", () => {
    const instant = new Date("2024-08-01T17:42:05.900Z");
    expect(localTime(instant, "America/New_York")).toBe("13:42:05");
    expect(localTime(instant, "Asia/Kolkata")).toBe("23:12:05");
    expect(localTime(new Date("2024-08-01T04:00:00Z"), "America/New_York")).toBe("00:00:00");
    expect(localTime(instant, "Mars/Olympus")).toBe("17:42:05");
    expect(localTime(instant, "")).toBe("17:42:05");
  });
});
