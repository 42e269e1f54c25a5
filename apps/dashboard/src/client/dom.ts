/**
 * Building and swapping DOM without markup strings. Every text from the API
 * reaches the page through `h` (text nodes and setAttribute), never innerHTML,
 * so a horse named `<img onerror=…>` shows as those characters. Also owns the
 * in-place re-render helpers that keep focus and table scroll across updates.
 */

export type Child = Node | string | number | null | undefined | false | Child[];

/** Attribute values: strings as they are, true as an empty attribute, false/null/undefined left out. */
export type Attrs = Record<string, string | number | boolean | null | undefined>;

/**
 * h("a", { href: "/race/3", class: "x" }, "text", child): an element with
 * attributes and children. Event handlers are added by the caller with
 * addEventListener (the CSP forbids inline handler attributes anyway).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [name, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (typeof child === "string" || typeof child === "number") {
      parent.appendChild(document.createTextNode(String(child)));
    } else parent.appendChild(child);
  }
}

/** Text for screen readers only (the visible text says it with symbols or layout). */
export function srOnly(text: string): HTMLSpanElement {
  return h("span", { class: "sr-only" }, text);
}

/** A table inside a horizontally scrolling wrapper; `key` lets re-renders keep its scroll offset. */
export function tableWrap(key: string, table: HTMLTableElement): HTMLDivElement {
  return h("div", { class: "table-wrap", "data-scroll-key": key }, table);
}

/** A key that finds "the same" focusable element in freshly built DOM. */
function focusKey(el: Element): string | null {
  if (el.id) return `#${el.id}`;
  const href = el.getAttribute("href");
  if (href !== null) return `a ${href} ${el.textContent ?? ""}`;
  const name = el.getAttribute("name");
  if (name !== null) return `${el.tagName} name=${name}`;
  if (el.tagName === "BUTTON") return `button ${el.textContent ?? ""}`;
  return null;
}

function findByFocusKey(root: Element, key: string): HTMLElement | null {
  for (const el of root.querySelectorAll<HTMLElement>("a, button, input, select, [id]")) {
    if (focusKey(el) === key) return el;
  }
  return null;
}

/**
 * Replaces `parent`'s children with `children`, keeping what a live update
 * must not take from the reader: the scroll offset of every `.table-wrap`
 * and the keyboard focus (matched by id, link target or field name).
 */
export function swapChildren(parent: Element, ...children: Child[]): void {
  const scrolls = new Map<string, number>();
  for (const wrap of parent.querySelectorAll<HTMLElement>("[data-scroll-key]")) {
    if (wrap.scrollLeft) scrolls.set(wrap.dataset.scrollKey ?? "", wrap.scrollLeft);
  }
  const active = document.activeElement;
  const key = active && active !== document.body && parent.contains(active) ? focusKey(active) : null;

  const fragment = document.createDocumentFragment();
  append(fragment, children);
  parent.replaceChildren(fragment);

  for (const wrap of parent.querySelectorAll<HTMLElement>("[data-scroll-key]")) {
    const left = scrolls.get(wrap.dataset.scrollKey ?? "");
    if (left) wrap.scrollLeft = left;
  }
  if (key) findByFocusKey(parent, key)?.focus({ preventScroll: true });
}

/** The page's main element (the shell always has one; a bare body is the fallback). */
export function mainElement(): HTMLElement {
  return document.getElementById("main") ?? document.body;
}

/** Replaces the whole of #main with an error message (a page that could not load at all). */
export function showPageError(title: string, detail: string): void {
  swapChildren(
    mainElement(),
    h(
      "section",
      { class: "page-error", role: "alert" },
      h("h1", null, title),
      h("p", null, detail),
      h("p", null, h("a", { href: "/" }, "Back to the race day")),
    ),
  );
}

/** A short message in place of a section's content (no data yet, or its fetch failed). */
export function note(text: string, kind: "empty" | "error" = "empty"): HTMLParagraphElement {
  return h("p", { class: `note note-${kind}`, role: kind === "error" ? "alert" : null }, text);
}

/** Marks the body with the time of the last successful render (tests and benchmarks wait on it). */
export function markUpdated(): void {
  document.body.dataset.updatedAt = String(Date.now());
}

/**
 * A refresh that failed after the page had loaded: said in a line above the
 * (kept, now older) content rather than wiping it; cleared by the next success.
 */
export function setRefreshError(slot: HTMLElement, message: string | null): void {
  if (message === null) {
    if (slot.firstChild) slot.replaceChildren();
    return;
  }
  slot.replaceChildren(h("p", { class: "note note-error", role: "alert" }, `Update failed: ${message}`));
}
