import { describe, expect, it } from "vitest";
import { parseEmailMessage } from "./smtp.js";

const crlf = (...lines: string[]) => lines.join("\r\n");

describe("parseEmailMessage", () => {
  it("unfolds headers, keys them by lower-case name, and keeps the last of a repeated one", () => {
    const { headers, text } = parseEmailMessage(
      crlf(
        "From: Totewatch <alerts@example.com>",
        "Subject: [Totewatch] Steam: Saratoga R5",
        " #3 from 5-1 to 5-2",
        "X-Note: first",
        "X-Note: second",
        "",
        "Hello",
        "",
      ),
    );
    expect(headers.get("subject")).toBe("[Totewatch] Steam: Saratoga R5 #3 from 5-1 to 5-2");
    expect(headers.get("from")).toBe("Totewatch <alerts@example.com>");
    expect(headers.get("x-note")).toBe("second");
    expect(text).toBe("Hello\n");
  });

  it("decodes a quoted-printable body as UTF-8, joining soft line breaks", () => {
    const { text } = parseEmailMessage(
      crlf(
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: quoted-printable",
        "",
        "Caf=C3=A9 Society =E2=80=94 odds 5-2, a long line that the sender wrapped=",
        " here",
        "second line",
      ),
    );
    expect(text).toBe("Café Society — odds 5-2, a long line that the sender wrapped here\nsecond line");
  });

  it("decodes a base64 body, ignoring its line breaks", () => {
    const encoded = Buffer.from("Steam on #3 — Saratoga\nR5", "utf8").toString("base64");
    const { text } = parseEmailMessage(
      crlf("Content-Transfer-Encoding: BASE64", "", encoded.slice(0, 12), encoded.slice(12)),
    );
    expect(text).toBe("Steam on #3 — Saratoga\nR5");
  });

  it("takes a message without a body as headers only", () => {
    const { headers, text } = parseEmailMessage(crlf("Subject: empty", "To: a@example.com"));
    expect([...headers]).toEqual([
      ["subject", "empty"],
      ["to", "a@example.com"],
    ]);
    expect(text).toBe("");
  });
});
