import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { StoredAlert } from "@totewatch/db";
import { captureStream } from "@totewatch/test-utils";
import { describe, expect, it } from "vitest";
import { consoleStream, createConsoleChannel } from "./console-channel.js";
import { consoleAlertLine, zoneAbbreviation, zonedTime } from "./console-format.js";

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
const atDelMar: StoredAlert = {
  ...steam,
  message: "Del Mar R5 #3 Thunder Road: 5 -> 5-2 (-50.0%) in 6 min, 8 min to post",
  race: { ...steam.race!, track: "Del Mar", timezone: "America/Los_Angeles" },
};

describe("zone names", () => {
  it("names the track's clock: daylight or standard time, an offset where there is no common name", () => {
    const summer = new Date("2024-08-01T17:42:05Z");
    const winter = new Date("2024-12-01T17:42:05Z");
    expect(zoneAbbreviation(summer, "America/New_York")).toBe("EDT");
    expect(zoneAbbreviation(winter, "America/New_York")).toBe("EST");
    expect(zoneAbbreviation(summer, "America/Los_Angeles")).toBe("PDT");
    expect(zoneAbbreviation(summer, "America/Chicago")).toBe("CDT");
    expect(zoneAbbreviation(summer, "Europe/London")).toBe("GMT+1");
    expect(zoneAbbreviation(summer, "UTC")).toBe("UTC");
    expect(zoneAbbreviation(summer, "Mars/Olympus")).toBe("UTC");
  });

  it("puts the name after the time on that clock (UTC when the zone is unknown)", () => {
    const at = new Date("2024-08-01T17:42:05Z");
    expect(zonedTime(at, "America/New_York")).toBe("13:42:05 EDT");
    expect(zonedTime(at, "America/Los_Angeles")).toBe("10:42:05 PDT");
    expect(zonedTime(at, null)).toBe("17:42:05 UTC");
    expect(zonedTime(at, "Mars/Olympus")).toBe("17:42:05 UTC");
  });
});

describe("console channel", () => {
  it("prints one line per alert with the track's zone, so two tracks' times are not confused", async () => {
    const out = captureStream();
    const channel = createConsoleChannel(out.stream);
    await channel.send(steam);
    await channel.send(atDelMar);
    expect(out.text()).toBe(
      "13:42:05 EDT Saratoga R5 #3 Thunder Road [steam] 5 -> 5-2 (-50.0%) in 6 min, 8 min to post\n" +
        "10:42:05 PDT Del Mar R5 #3 Thunder Road [steam] 5 -> 5-2 (-50.0%) in 6 min, 8 min to post\n",
    );
  });

  it("names UTC for an alert not tied to a race", () => {
    expect(consoleAlertLine({ ...steam, race: null, message: "#3 Thunder Road: moved" })).toBe(
      "17:42:05 UTC #3 Thunder Road [steam] moved",
    );
  });

  it("writes to stderr instead of the process's stdout when that is not a terminal", () => {
    const stdout = captureStream({ isTTY: false }).stream;
    const stderr = captureStream().stream;
    const terminal = captureStream({ isTTY: true }).stream;
    const other = captureStream().stream;
    expect(consoleStream(stdout, { stdout, stderr })).toBe(stderr);
    expect(consoleStream(terminal, { stdout: terminal, stderr })).toBe(terminal);
    // A stream the caller chose (a test's, the demo's) is used as given.
    expect(consoleStream(other, { stdout, stderr })).toBe(other);
  });

  it("keeps a piped stdout free of alert lines: they go to stderr", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "totewatch-console-"));
    try {
      const script = path.join(dir, "send.mts");
      const channelModule = path.join(path.dirname(fileURLToPath(import.meta.url)), "console-channel.ts");
      writeFileSync(
        script,
        `import { createConsoleChannel } from ${JSON.stringify(channelModule)};\n` +
          `const alert = ${JSON.stringify(steam)};\n` +
          `alert.triggeredAt = new Date(alert.triggeredAt);\n` +
          `process.stdout.write(JSON.stringify({ level: 30, msg: "log line" }) + "\\n");\n` +
          `await createConsoleChannel().send(alert);\n`,
      );
      const run = spawnSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8" });
      expect(run.status, run.stderr).toBe(0);
      expect(
        run.stdout
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line) as unknown),
      ).toEqual([{ level: 30, msg: "log line" }]);
      expect(run.stderr).toContain("13:42:05 EDT Saratoga R5 #3 Thunder Road [steam]");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
