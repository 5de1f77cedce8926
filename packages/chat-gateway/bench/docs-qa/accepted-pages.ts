/**
 * Which pages answer a question of the docs QA set. The set lists, per question, the page(s) its
 * writer expected; several git-doc pages say the same thing, so three rules, applied to every
 * question of both splits alike from the manual's text alone (never from a ranking), widen it:
 *   1. duplicates: a byte-identical page counts as the page (index.html is git.html);
 *   2. synonyms: a page that says "This is a synonym for git-foo(1)" counts where git-foo.html
 *      does (git-stage → git-add, git-init-db → git-init, git-fsck-objects → git-fsck);
 *   3. guides: a guide page (GUIDES) counts when one of its paragraphs holds both the expected
 *      phrase and the name of the first expected page's command ("git foo" or "git-foo"): the
 *      guide answers the question with the same command.
 */
import { createHash } from 'node:crypto';

/** The manual's guides: tutorials, the user manual, the FAQ, everyday commands, workflows. */
export const GUIDES = [
  'user-manual.html',
  'gitfaq.html',
  'gittutorial.html',
  'gittutorial-2.html',
  'gitcore-tutorial.html',
  'giteveryday.html',
  'gitworkflows.html',
];

export interface ManualPage {
  /** The page's path in the manual, as ingested (`source`). */
  source: string;
  html: string;
}

export interface AcceptedPages {
  /** The expected pages widened by the three rules. */
  pages: (expected: readonly string[], phrase: string) => string[];
}

const SYNONYM = /This is a synonym for\s+(git-[\w-]+)\(\d\)/;

/** The rules over the given pages; `pages` must hold every page of the manual. */
export function acceptedPages(manual: readonly ManualPage[]): AcceptedPages {
  const byHash = new Map<string, string[]>();
  const aliases = new Map<string, string[]>();
  const guides: { source: string; paragraphs: string[] }[] = [];
  for (const page of manual) {
    const hash = createHash('sha256').update(page.html).digest('hex');
    byHash.set(hash, [...(byHash.get(hash) ?? []), page.source]);
    const synonym = SYNONYM.exec(plainText(page.html));
    if (synonym) {
      const target = `${synonym[1]}.html`;
      aliases.set(target, [...(aliases.get(target) ?? []), page.source]);
    }
    if (GUIDES.includes(page.source))
      guides.push({ source: page.source, paragraphs: paragraphs(page.html) });
  }
  const duplicates = new Map<string, string[]>();
  for (const group of byHash.values()) for (const source of group) duplicates.set(source, group);

  return {
    pages(expected, phrase) {
      const accepted = new Set<string>();
      for (const page of expected) {
        for (const same of duplicates.get(page) ?? [page]) accepted.add(same);
        for (const alias of aliases.get(page) ?? []) accepted.add(alias);
      }
      const command = expected[0]?.replace(/\.html$/, '');
      if (command) {
        const names = [command, command.replace(/^git-/, 'git ')].map((n) => n.toLowerCase());
        const wanted = normal(phrase);
        for (const guide of guides) {
          if (guide.paragraphs.some((p) => p.includes(wanted) && names.some((n) => p.includes(n))))
            accepted.add(guide.source);
        }
      }
      return [...accepted];
    },
  };
}

/** Paragraph-like pieces of a page (p, pre, dd, li, headings), as lower-case plain text. */
function paragraphs(html: string): string[] {
  return withoutScripts(html)
    .split(/<\/(?:p|pre|dd|li)>|<h\d/i)
    .map((piece) => normal(plainText(piece)))
    .filter(Boolean);
}

function withoutScripts(html: string): string {
  return html.replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, '');
}

function plainText(html: string): string {
  return decodeEntities(withoutScripts(html).replace(/<[^>]+>/g, ' '));
}

function decodeEntities(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&');
}

function normal(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toLowerCase();
}
