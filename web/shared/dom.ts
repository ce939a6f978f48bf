/** A few lines instead of a framework: build elements, and replace a list's children only when they change. */

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.replace(/^on/, '').toLowerCase(), value);
    else if (key === 'class') el.className = String(value);
    else if (key in el && typeof (el as unknown as Record<string, unknown>)[key] !== 'function' && key !== 'list') {
      (el as unknown as Record<string, unknown>)[key] = value;
    } else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) el.append(child);
  return el;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing`);
  return el as T;
}

/** Sets text only when it differs, so a 200 ms tick does not churn the DOM. */
export function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

export function show(el: HTMLElement, visible: boolean): void {
  if (el.hidden === visible) el.hidden = !visible;
}

/**
 * Replaces `parent`'s children with `items` rendered by `render`, keyed by `key`: kept nodes are reused (so a
 * rolling list animates only what is new), and new ones are returned for the caller to mark.
 */
export function keyedList<T>(parent: HTMLElement, items: readonly T[], key: (item: T) => string, render: (item: T) => HTMLElement): HTMLElement[] {
  const existing = new Map<string, HTMLElement>();
  for (const child of Array.from(parent.children) as HTMLElement[]) if (child.dataset.key) existing.set(child.dataset.key, child);
  const fresh: HTMLElement[] = [];
  const nodes = items.map((item) => {
    const k = key(item);
    let node = existing.get(k);
    if (!node) {
      node = render(item);
      node.dataset.key = k;
      fresh.push(node);
    }
    return node;
  });
  const same = nodes.length === parent.children.length && nodes.every((n, i) => parent.children[i] === n);
  if (!same) parent.replaceChildren(...nodes);
  return fresh;
}

/** A message in the page's #toasts corner for six seconds: an error is announced at once, a success politely. */
export function toast(message: string, kind: 'ok' | 'error' = 'error'): void {
  const el = h('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message);
  byId('toasts').append(el);
  window.setTimeout(() => el.remove(), 6000);
}
