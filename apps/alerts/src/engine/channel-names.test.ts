// Which channels a stored alert gets delivery rows for when the caller names none: every
// enabled channel of the config, the phone channels included.
import { parseConfig } from "@totewatch/config";
import { describe, expect, it } from "vitest";
import { enabledChannelNames } from "./process.js";

describe("enabledChannelNames", () => {
  it("names every enabled channel, the phone channels included", () => {
    const config = parseConfig(
      `alerts:
  channels:
    console: { enabled: true }
    ntfy: { enabled: true, url: "http://127.0.0.1:9/topic" }
    slack: { enabled: false }
`,
      "<test>",
    );
    expect(enabledChannelNames(config)).toEqual(["console", "ntfy"]);
  });
});
