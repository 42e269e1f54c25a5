import { describe, expect, it } from "vitest";
import { fillEndpointTemplate } from "../index.js";

describe("fillEndpointTemplate", () => {
  it("fills placeholders with URL-encoded values and leaves unknown ones", () => {
    const template = "http://127.0.0.1:8080/{track}/{code}/{date}/{race}/win";
    expect(
      fillEndpointTemplate(template, { track: "Belmont Park", code: "BEL", date: "2025-06-07", race: 3 }),
    ).toBe("http://127.0.0.1:8080/Belmont%20Park/BEL/2025-06-07/3/win");
    expect(fillEndpointTemplate(template, { code: "BEL" })).toBe(
      "http://127.0.0.1:8080/{track}/BEL/{date}/{race}/win",
    );
  });
});
