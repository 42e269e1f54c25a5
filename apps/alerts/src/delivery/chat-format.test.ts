import { describe, expect, it } from "vitest";
import { retryAfterMs, scrub, shownHost } from "./chat-http.js";
import { escapeDiscordMarkdown, escapeTelegramHtml, ntfyHeaderValue, ntfyPriority } from "./chat-format.js";

describe("chat text", () => {
  it("escapes each service's markup", () => {
    expect(escapeTelegramHtml("<b>Bold & Co</b>")).toBe("&lt;b&gt;Bold &amp; Co&lt;/b&gt;");
    expect(escapeDiscordMarkdown("*Star* _of_ ~the~ `Sea` |x|")).toBe(
      "\\*Star\\* \\_of\\_ \\~the\\~ \\`Sea\\` \\|x\\|",
    );
    // Quote, heading and list marks only where they start a line; "#3" is no heading.
    expect(escapeDiscordMarkdown("> quoted\n# Head\n- item\n#3 Thunder")).toBe(
      "\\> quoted\n\\# Head\n\\- item\n#3 Thunder",
    );
    expect(ntfyHeaderValue("Saratoga R5: #3 Thunder Road steam")).toBe("Saratoga R5: #3 Thunder Road steam");
    // "é" is not ASCII: base64 of the UTF-8 bytes, as RFC 2047 writes it.
    expect(ntfyHeaderValue("é")).toBe("=?UTF-8?B?w6k=?=");
  });

  it("ntfy priority from strength: 3 below 0.5, 4 from 0.5, 5 from 1.5", () => {
    const of = (strength?: number) => ntfyPriority({ details: strength === undefined ? null : { strength } });
    expect([of(), of(0.49), of(0.5), of(1.49), of(1.5)]).toEqual([3, 3, 4, 4, 5]);
  });
});

describe("rate-limit waits", () => {
  const headers = (init: Record<string, string> = {}) => new Headers(init);
  it("reads Retry-After seconds or a date, retry_after and parameters.retry_after; the longest wins", () => {
    expect(retryAfterMs(headers({ "Retry-After": "7" }), "")).toBe(7000);
    expect(retryAfterMs(headers(), '{"retry_after": 2.5}')).toBe(2500);
    expect(retryAfterMs(headers(), '{"ok":false,"parameters":{"retry_after":30}}')).toBe(30_000);
    // Discord sends both: header 3 (rounded up) and body 2.345 -> 3000.
    expect(retryAfterMs(headers({ "Retry-After": "3" }), '{"retry_after": 2.345}')).toBe(3000);
    const now = Date.parse("2024-08-01T17:42:00Z");
    expect(retryAfterMs(headers({ "Retry-After": "Thu, 01 Aug 2024 17:42:10 GMT" }), "", now)).toBe(10_000);
    expect(retryAfterMs(headers(), "rate limited")).toBeUndefined();
  });

  it("errors show a URL's host only, and never a secret", () => {
    expect(shownHost("https://discord.com/api/webhooks/1/abc")).toBe("discord.com/…");
    expect(
      scrub("bad /bot123:abc/sendMessage token 123:abc", "https://x.test/bot123:abc/sendMessage", [
        "123:abc",
      ]),
    ).toBe("bad … token …");
  });
});
