/**
 * `[n]` in an answer becomes a link to the answer's source card. This runs on the sanitised
 * DOM, so the links are made by this code, never by the model's Markdown.
 */

import type { CitedPassage } from './document-viewer.js';

/** The id of source card `n` of assistant message `messageId`. */
export const sourceCardId = (messageId: string, n: number): string => `src-${messageId}-${n}`;

const CITATION = /\[(\d{1,3})\]/g;
// Text inside code or an existing link stays as written.
const SKIP = new Set(['A', 'CODE', 'PRE']);

export function linkCitations(root: DocumentFragment | Element, messageId: string): void {
  const doc = root.ownerDocument ?? document;
  const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode(node) {
      for (let p = node.parentElement; p && p !== root; p = p.parentElement) {
        if (SKIP.has(p.nodeName)) return NodeFilter.FILTER_REJECT;
      }
      CITATION.lastIndex = 0;
      return CITATION.test(node.nodeValue ?? '')
        ? NodeFilter.FILTER_ACCEPT
        : NodeFilter.FILTER_SKIP;
    },
  });
  const nodes: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n as Text);

  for (const text of nodes) {
    const value = text.nodeValue ?? '';
    const out = doc.createDocumentFragment();
    let last = 0;
    for (const m of value.matchAll(CITATION)) {
      const n = Number(m[1]);
      const at = m.index ?? 0;
      out.append(value.slice(last, at));
      const a = doc.createElement('a');
      a.className = 'cite';
      a.href = `#${sourceCardId(messageId, n)}`;
      a.dataset['cite'] = String(n);
      a.textContent = `[${n}]`;
      a.setAttribute('aria-label', `source ${n}`);
      out.append(a);
      last = at + m[0].length;
    }
    out.append(value.slice(last));
    text.replaceWith(out);
  }
}

/** The cited passage a source card stands for (set on the card when it is made). */
export const passageOf = new WeakMap<Element, CitedPassage>();

/**
 * One listener for the whole log: a citation click focuses its source card instead of changing
 * the URL, so the card can be reached from the keyboard and read out, and opens the document
 * viewer at the passage; so does a card's "Open" button.
 */
export function handleCitationClicks(
  log: HTMLElement,
  open: (p: CitedPassage, focus: boolean) => void,
): void {
  log.addEventListener('click', (event) => {
    const target = event.target as Element | null;
    const button = target?.closest?.('button.source-open');
    if (button) {
      const passage = passageOf.get(button.closest('.source') ?? button);
      if (passage) open(passage, true);
      return;
    }
    const link = target?.closest?.('a.cite');
    if (!(link instanceof HTMLAnchorElement)) return;
    event.preventDefault();
    // The attribute, not `link.hash`: the hash is percent-encoded, the element id is not.
    const card = document.getElementById((link.getAttribute('href') ?? '').slice(1));
    if (!card) return;
    card.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    card.focus({ preventScroll: true });
    const passage = passageOf.get(card);
    if (passage) open(passage, false);
  });
}
