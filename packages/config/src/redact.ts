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
