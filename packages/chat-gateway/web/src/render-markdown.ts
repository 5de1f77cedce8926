/**
 * Model output and document text are untrusted. Three walls: `marked` turns raw HTML inside the
 * Markdown into visible text; DOMPurify passes only text-formatting elements and http(s) links
 * of what marked emits; the gateway's CSP blocks inline script and style. The first two hold on
 * their own (a page opened without the gateway has no CSP).
 */
import DOMPurify from 'dompurify';
import { Marked } from 'marked';

const ALLOWED_TAGS = [
  'p',
  'br',
  'strong',
  'em',
  'del',
  'code',
  'pre',
  'ul',
  'ol',
  'li',
  'blockquote',
  'hr',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'a',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
];
// `align` is what marked writes on table cells; nothing here can carry script or a request.
const ALLOWED_ATTR = ['href', 'title', 'align'];

/** Only absolute http(s) links and in-page fragments survive (`#src-…` citation targets). */
const SAFE_HREF = /^(?:https?:\/\/[^\s]|#[A-Za-z0-9_.:-]+$)/i;

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const marked = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    // No images at all (not even data: URLs): a remote image is a tracking beacon, and the
    // alt text is all a chat answer needs.
    image: ({ text }) => escapeHtml(text),
    // Raw HTML inside the Markdown is shown as the text it is, never parsed: an answer has no
    // use for it, and even parsing it for the sanitiser would make the browser log a CSP
    // violation for every `onerror=` a hostile document carries.
    html: ({ text, block }) => (block ? `<p>${escapeHtml(text)}</p>` : escapeHtml(text)),
  },
});

const purify = DOMPurify(window);
purify.addHook('afterSanitizeAttributes', (node) => {
  if (node.nodeName !== 'A') return;
  // getAttribute returns the value after the HTML parser decoded entities (`jav&#x61;script:`
  // is `javascript:` here), and the browser strips tabs and newlines inside schemes, so both are
  // removed before the check.
  const href = (node.getAttribute('href') ?? '').replace(/[\s\p{Cc}]/gu, '');
  if (!SAFE_HREF.test(href)) {
    node.removeAttribute('href');
    return;
  }
  if (href.startsWith('#')) return;
  node.setAttribute('rel', 'noopener noreferrer');
  node.setAttribute('target', '_blank');
});

/** Markdown (untrusted) to an inert DOM fragment. */
export function renderMarkdown(markdown: string): DocumentFragment {
  return purify.sanitize(marked.parse(markdown, { async: false }), {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
    ALLOWED_URI_REGEXP: /^(?:https?:|#)/i,
    RETURN_DOM_FRAGMENT: true,
  });
}
