import { describe, expect, it } from "vitest";
import { redactUrl } from "./redact.js";

describe("redactUrl", () => {
  it("replaces the password of every scheme://user:password@ with ***", () => {
    expect(redactUrl("postgres://user:pw@host/db")).toBe("postgres://user:***@host/db");
    expect(redactUrl("DATABASE_URL: mysql://root:s3cr3t@127.0.0.1:3306/totewatch is not supported")).toBe(
      "DATABASE_URL: mysql://root:***@127.0.0.1:3306/totewatch is not supported",
    );
    expect(redactUrl('a "https://u:p@one.example/x" and redis://:only-pass@two:6379/0')).toBe(
      'a "https://u:***@one.example/x" and redis://:***@two:6379/0',
    );
    expect(redactUrl('{"url":"postgres+ssl://me:pw@h/db","n":1}')).toBe(
      '{"url":"postgres+ssl://me:***@h/db","n":1}',
    );
  });

  it("redacts the password of scheme:user:password@ typed without //", () => {
    expect(redactUrl("mysql:user:s3cret@host")).toBe("mysql:user:***@host");
    expect(redactUrl('--db "postgres:u:p@ss@h:5432/db" and redis::only-pass@two')).toBe(
      '--db "postgres:u:***@h:5432/db" and redis::***@two',
    );
  });

  it("redacts a password holding @, / or : whole", () => {
    expect(redactUrl("mysql://u:p@ss/w:rd@host/db")).toBe("mysql://u:***@host/db");
    expect(redactUrl("postgres://u:%40pw%2F@host")).toBe("postgres://u:***@host");
  });

  it("leaves text without a password as it is", () => {
    for (const text of [
      "postgres://user@host/db",
      "http://127.0.0.1:8080/BEL/2024-05-01/card",
      "file:/var/lib/totewatch.db",
      "mailto:ops@example.com",
      "file:/var/x:y.db",
      "at 12:30:05 ops@example.com",
      "user:pw@host",
      "",
    ]) {
      expect(redactUrl(text)).toBe(text);
    }
  });
});
