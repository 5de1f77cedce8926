/**
 * Model output and document text are untrusted. Four walls: `marked` turns raw HTML inside the
 * Markdown into visible text; links and images become text that shows their URL (a document can
 * plant a phishing link or a tracking beacon, and the answer quoting it must not make either one
 * click away or load it); DOMPurify passes only text-formatting elements of what marked emits;
 * the gateway's CSP blocks inline script and style and every image. The first three hold on
 * their own (a page opened without the gateway has no CSP).
 */
import DOMPurify from 'dompurify';
import { Marked } from 'marked';
import { showBidiControlsIn } from './bidi.js';

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
  'span',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
];
// `align` is what marked writes on table cells, `class` marks the inert links below; nothing
// here can carry script or a request. No `a`: the only links in an answer are the citation
// links the page makes after sanitising.
const ALLOWED_ATTR = ['align', 'class'];

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const marked = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    // No images at all (not even data: URLs): a remote image is a tracking beacon. The alt text
    // and the address are shown as text.
    image: ({ text, href }) =>
      `<span class="inert-link">${escapeHtml(text || 'image')} <span class="inert-url">(image: ${escapeHtml(href)})</span></span>`,
    // A link is shown as its text and its full address, not clickable: the reader sees where it
    // goes and can copy it if it is really wanted.
    link({ href, text, tokens }) {
      const url = escapeHtml(href);
      // A bare URL (autolink) is its own label.
      if (text === href || `mailto:${text}` === href)
        return `<span class="inert-url">${url}</span>`;
      const label = this.parser.parseInline(tokens);
      return `<span class="inert-link">${label} <span class="inert-url">(${url})</span></span>`;
    },
    // Raw HTML inside the Markdown is shown as the text it is, never parsed: an answer has no
    // use for it, and even parsing it for the sanitiser would make the browser log a CSP
    // violation for every `onerror=` a hostile document carries.
    html: ({ text, block }) => (block ? `<p>${escapeHtml(text)}</p>` : escapeHtml(text)),
  },
});

const purify = DOMPurify(window);

/** Markdown (untrusted) to an inert DOM fragment. */
export function renderMarkdown(markdown: string): DocumentFragment {
  const fragment = purify.sanitize(marked.parse(markdown, { async: false }), {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
    RETURN_DOM_FRAGMENT: true,
  });
  showBidiControlsIn(fragment);
  return fragment;
}
