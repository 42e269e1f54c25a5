/** Keeping passwords out of messages and logs. */

/**
 * `text` with the password of every `scheme://user:password@` in it replaced
 * by `***`: for any message or log line that may hold a url. The `//` is
 * optional, because `mysql:user:password@host` (typed without it) carries a
 * password just the same; a `scheme:user@host` without a second colon
 * (`mailto:ops@example.com`) has none. A password that itself holds `@` or `/`
 * is redacted whole (up to the last `@` before a space or quote).
 */
export function redactUrl(text: string): string {
  return text.replace(
    /\b([A-Za-z][A-Za-z0-9+.-]*:(?:\/\/)?[^\s"'<>:/@]*):[^\s"'<>]*@/g,
    (_match, userPart: string) => `${userPart}:***@`,
  );
}

/**
 * A URL without its `user:password@`, and those credentials as a basic auth header: fetch
 * refuses a URL that carries them, so an endpoint or webhook written that way in the config works
 * as it reads. A URL without credentials (or not a URL) comes back as it is, with no header.
 */
export function credentialsAsBasicAuth(text: string): { url: string; authorization: string | null } {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return { url: text, authorization: null };
  }
  if (parsed.username === "" && parsed.password === "") return { url: text, authorization: null };
  const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  parsed.username = "";
  parsed.password = "";
  return { url: parsed.toString(), authorization: `Basic ${Buffer.from(credentials).toString("base64")}` };
}
