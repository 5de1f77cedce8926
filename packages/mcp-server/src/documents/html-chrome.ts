import type { HTMLElement } from 'node-html-parser';

/**
 * Page chrome: everything on an HTML page that is not the document's content. Indexed, it
 * floods search with "Prev | Up | Next" and "Home" passages and ends up quoted in answers.
 */

/** Elements whose text is never content: code, styling, widgets and navigation. */
const DROPPED_TAGS = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'head',
  'nav',
  'footer',
  'svg',
  'iframe',
  'object',
  'canvas',
  'button',
  'select',
  'form',
  'dialog',
]);

/** ARIA landmark roles of page chrome (banner = site header, contentinfo = site footer). */
const CHROME_ROLES = new Set([
  'navigation',
  'banner',
  'contentinfo',
  'search',
  'menu',
  'menubar',
  'toolbar',
  'doc-toc',
]);

/**
 * Class names of chrome in generated manuals and common themes: DocBook's `navheader` /
 * `navfooter` (Prev | Up | Next, Home) and `toc` (a chapter's list of links), breadcrumbs,
 * skip links.
 */
const CHROME_CLASSES = new Set([
  'navheader',
  'navfooter',
  'toc',
  'breadcrumb',
  'breadcrumbs',
  'skip-link',
  'skiplink',
  'skip-to-content',
  'skip-nav',
]);

/** Sections that hold an article's own header: a `header` inside one is content. */
const SECTIONING = new Set(['article', 'main', 'section']);

/** True when `el` (a lower-case `tag`) and everything in it is chrome, not content. */
export function isChrome(el: HTMLElement, tag: string): boolean {
  if (DROPPED_TAGS.has(tag)) return true;
  if (el.hasAttribute('hidden') || el.getAttribute('aria-hidden') === 'true') return true;
  const role = el.getAttribute('role')?.toLowerCase();
  if (role && CHROME_ROLES.has(role)) return true;
  const classes = el.getAttribute('class');
  if (classes && classes.split(/\s+/).some((c) => CHROME_CLASSES.has(c.toLowerCase()))) return true;
  if (tag === 'header') return !insideSection(el);
  if (tag === 'a') return isSkipLink(el);
  return false;
}

function insideSection(el: HTMLElement): boolean {
  for (let p = el.parentNode; p; p = p.parentNode) {
    if (SECTIONING.has(p.rawTagName?.toLowerCase() ?? '')) return true;
  }
  return false;
}

/** "Skip to content", "Skip navigation": an in-page link for keyboard users. */
function isSkipLink(el: HTMLElement): boolean {
  return (
    (el.getAttribute('href') ?? '').startsWith('#') &&
    /^\s*skip\b/i.test(el.text) &&
    el.text.length < 60
  );
}

/**
 * Markup around the document that the parser would keep as text: the XML prolog and other
 * processing instructions, the doctype, CDATA markers and comments.
 */
export function stripNonContentMarkup(html: string): string {
  return html
    .replace(/<\?[\s\S]*?\?>/g, '')
    .replace(/<!doctype[^>]*>/gi, '')
    .replace(/<!--[\s\S]*?(?:-->|$)/g, '')
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1');
}
