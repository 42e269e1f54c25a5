/** Keeping passwords out of messages and logs. */

/**
 * `text` with the password of every `scheme://user:password@` in it replaced
 * by `***`: for any message or log line that may hold a url. A password that
 * itself holds `@` or `/` is redacted whole (up to the last `@` before a space
 * or quote).
 */
export function redactUrl(text: string): string {
  return text.replace(
    /\b([A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s"'<>:/@]*):[^\s"'<>]*@/g,
    (_match, userPart: string) => `${userPart}:***@`,
  );
}
