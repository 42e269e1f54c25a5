/**
 * Where in a nested value a problem is, as error text: `tracks[0].endpoints.win`,
 * `probables["1-2"]`. One rule for config files (@totewatch/config) and feed
 * messages (@totewatch/feed's pure format), which is why it lives here.
 */

/** `["tracks", 0, "endpoints"]` -> `tracks[0].endpoints`; keys that are not identifiers are quoted. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}
