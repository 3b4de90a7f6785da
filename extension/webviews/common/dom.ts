/**
 * A few DOM helpers for the webviews (no framework): `h()` builds elements, `svg()` SVG elements, `icon()` a
 * codicon. Attributes go through setAttribute; form state (value, checked, …) through properties. Nothing here
 * uses innerHTML, so text from the rules file or the ledger is never parsed as markup.
 */
export type Child = Node | string | number | null | undefined | false | Child[];

type Listener = (event: Event) => void;

export interface Props {
  class?: string | (string | false | null | undefined)[];
  /** Properties set directly (value, checked, selected, disabled, hidden, …). */
  props?: Record<string, unknown>;
  on?: Record<string, Listener>;
  /** Everything else: attributes (`title`, `aria-*`, `data-*`, `type`, …). `false`/null/undefined skip it. */
  [attr: string]: unknown;
}

function applyProps(el: Element, props: Props | undefined) {
  if (!props) return;
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') {
      const cls = Array.isArray(value) ? value.filter(Boolean).join(' ') : String(value);
      if (cls) el.setAttribute('class', cls);
    } else if (key === 'props') {
      Object.assign(el, value as Record<string, unknown>);
    } else if (key === 'on') {
      for (const [type, fn] of Object.entries(value as Record<string, Listener>)) el.addEventListener(type, fn);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

function append(el: Element, children: Child[]) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(typeof c === 'number' ? String(c) : c);
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  applyProps(el, props ?? undefined);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag) as SVGElementTagNameMap[K];
  applyProps(el, props ?? undefined);
  append(el, children);
  return el;
}

/** A codicon, hidden from screen readers (the control around it carries the label). */
export function icon(name: string, extra?: string): HTMLElement {
  return h('span', { class: ['codicon', `codicon-${name}`, extra], 'aria-hidden': 'true' });
}

/** Replace an element's children. */
export function mount(parent: Element, ...children: Child[]) {
  parent.replaceChildren();
  append(parent, children);
}

/** A button with an icon and/or a label; icon-only buttons need `label` (used for aria-label and title). */
export function button(opts: { label: string; icon?: string; text?: string; onClick: (e: MouseEvent) => void; class?: string; focusKey?: string; disabled?: boolean; primary?: boolean; attrs?: Record<string, unknown> }): HTMLButtonElement {
  return h('button', {
    type: 'button',
    class: ['btn', opts.primary && 'primary', !opts.text && 'icon-only', opts.class],
    'aria-label': opts.text ? undefined : opts.label,
    title: opts.label,
    'data-focus': opts.focusKey,
    props: { disabled: !!opts.disabled },
    on: { click: (e) => opts.onClick(e as MouseEvent) },
    ...opts.attrs,
  }, opts.icon ? icon(opts.icon) : null, opts.text ? h('span', null, opts.text) : null);
}

/** Focus bookkeeping across full re-renders: elements carry `data-focus` keys. */
export function captureFocus(): { key: string; start: number | null; end: number | null } | null {
  const el = document.activeElement as HTMLElement | null;
  const key = el?.getAttribute?.('data-focus');
  if (!el || !key) return null;
  const input = el as HTMLInputElement;
  let start: number | null = null;
  let end: number | null = null;
  try { start = input.selectionStart ?? null; end = input.selectionEnd ?? null; } catch { /* not a text field */ }
  return { key, start, end };
}

export function restoreFocus(saved: { key: string; start: number | null; end: number | null } | null, root: ParentNode = document) {
  if (!saved) return;
  const el = root.querySelector<HTMLElement>(`[data-focus="${CSS.escape(saved.key)}"]`);
  if (!el) return;
  el.focus({ preventScroll: true });
  if (saved.start !== null) {
    try { (el as HTMLInputElement).setSelectionRange(saved.start, saved.end ?? saved.start); } catch { /* not a text field */ }
  }
}
