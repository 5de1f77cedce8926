import { showBidiControls } from './bidi.js';

/**
 * A tiny element builder: every string becomes text, never markup, with bidi controls shown as
 * `<U+…>` (the page's text comes from documents, records and models).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; text?: string; attrs?: Record<string, string> } = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.className) el.className = props.className;
  if (props.text !== undefined) el.textContent = showBidiControls(props.text);
  for (const [k, v] of Object.entries(props.attrs ?? {})) el.setAttribute(k, v);
  el.append(...children.map((c) => (typeof c === 'string' ? showBidiControls(c) : c)));
  return el;
}
