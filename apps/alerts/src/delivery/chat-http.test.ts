import { describe, expect, it } from "vitest";
import { MAX_RETRY_AFTER_MS, errorSnippet, retryAfterMs, scrub } from "./chat-http.js";

describe("retryAfterMs", () => {
  const none = new Headers();
  it("caps an absurd wait at maxMs (default a day); a negative, NaN or unparsable one is none", () => {
    expect(retryAfterMs(none, JSON.stringify({ parameters: { retry_after: 1e13 } }), 0, 300_000)).toBe(
      300_000,
    );
    expect(retryAfterMs(none, JSON.stringify({ retry_after: 1e300 }), 0)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterMs(new Headers({ "retry-after": "99999999999999999" }), "", 0, 300_000)).toBe(300_000);
    expect(retryAfterMs(new Headers({ "retry-after": "-5" }), "", 0)).toBeUndefined();
    expect(retryAfterMs(new Headers({ "retry-after": "soon" }), "", 0)).toBeUndefined();
    expect(retryAfterMs(none, JSON.stringify({ retry_after: -1 }), 0)).toBeUndefined();
    expect(retryAfterMs(new Headers({ "retry-after": "30" }), "", 0, 300_000)).toBe(30_000);
  });
});

describe("scrub / errorSnippet", () => {
  it("redacts user:password@ in any URL of the text, and the URL's own password", () => {
    const url = "https://phil:longpassword@ntfy.example/topic";
    expect(scrub(`GET https://bob:other-pw@x.example/ and longpassword`, url)).toBe(
      "GET https://bob:***@x.example/ and …",
    );
  });

  it("scrubs the whole text before cutting it", () => {
    const token = "123456789:AAHsecretsecretsecret";
    const text = `${"x".repeat(190)}/bot${token}`;
    const snippet = errorSnippet(text, "https://proxy.example/", [token]);
    expect(snippet).not.toContain("123456");
    expect(snippet.length).toBeLessThanOrEqual(200);
  });
});
