/**
 * The two kinds of page an adapter reads, behind one small interface: an HTML page queried with
 * CSS selectors (cheerio) and a JSON document queried with dot paths where `*` takes every
 * element of an array (or value of an object). In both, a field is looked up inside its row
 * (an element, or an object), and `.` names the row itself. Pure: text in, nodes out.
 */
import { load, type CheerioAPI } from "cheerio";
import { isScratchText } from "./cells.js";

/** A node of the parsed page (domhandler's AnyNode, as cheerio's load takes it). */
type AnyNode = Exclude<Parameters<typeof load>[0], string | Buffer | unknown[]>;

export interface PageDocument<Node> {
  root: Node;
  /** Every node `query` matches inside `scope`, in document order. */
  all(scope: Node, query: string): Node[];
  /** The text of the first node `query` matches inside `scope`; undefined when nothing matches. */
  text(scope: Node, query: string): string | undefined;
  /**
   * Whether `scope` is marked by `query`: html, the row itself matches (a class on the row), or
   * something inside it matches with scratch text (isScratchText; a blank cell is no scratch);
   * json, the value is true, 1, or scratch text.
   */
  has(scope: Node, query: string): boolean;
}

export function htmlDocument(body: string): PageDocument<AnyNode | null> {
  const $: CheerioAPI = load(body);
  const pick = (scope: AnyNode | null, query: string) =>
    query === "." && scope !== null ? $(scope) : scope === null ? $(query) : $(scope).find(query);
  return {
    root: null,
    all: (scope, query) => pick(scope, query).toArray(),
    text(scope, query) {
      const found = pick(scope, query).first();
      return found.length === 0 ? undefined : found.text();
    },
    has: (scope, query) =>
      (scope !== null && $(scope).is(query)) ||
      pick(scope, query)
        .toArray()
        .some((node) => isScratchText($(node).text())),
  };
}

/** A JSON document; throws (a failed fetch, like a feed body that is not JSON) when `body` does not parse. */
export function jsonDocument(body: string): PageDocument<unknown> {
  const root: unknown = JSON.parse(body.trim());
  return {
    root,
    all: (scope, query) => jsonPath(scope, query),
    text(scope, query) {
      const [value] = jsonPath(scope, query);
      if (value === undefined) return undefined;
      if (value === null) return "";
      return typeof value === "object" ? JSON.stringify(value) : String(value as string | number | boolean);
    },
    has(scope, query) {
      const [value] = jsonPath(scope, query);
      return value === true || value === 1 || (typeof value === "string" && isScratchText(value));
    },
  };
}

/** The values at a dot path (`races.*.runners`, `.` for the value itself); missing steps give none. */
export function jsonPath(value: unknown, path: string): unknown[] {
  let current: unknown[] = [value];
  if (path === ".") return current;
  for (const step of path.split(".")) {
    const next: unknown[] = [];
    for (const item of current) {
      if (item === null || typeof item !== "object") continue;
      if (step === "*") next.push(...(Array.isArray(item) ? item : Object.values(item)));
      else if (Object.hasOwn(item, step)) next.push((item as Record<string, unknown>)[step]);
    }
    current = next;
  }
  return current.filter((item) => item !== undefined);
}
