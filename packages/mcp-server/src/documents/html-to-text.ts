import { HTMLElement, NodeType, parse, type Node } from 'node-html-parser';
import { tidyText, type Block, type ParsedDocument } from './blocks.js';

/**
 * Elements whose text is not document content: scripts, styling, navigation, page footers
 * (copyright lines, link farms) and widgets. `header` stays: articles put their title there.
 */
const DROPPED = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'nav',
  'footer',
  'svg',
  'iframe',
  'object',
  'canvas',
  'button',
  'select',
  'head',
]);

/** Elements that end the running paragraph; everything else is inline. */
const BLOCK = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'body',
  'caption',
  'dd',
  'details',
  'dialog',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'form',
  'header',
  'hr',
  'html',
  'legend',
  'li',
  'main',
  'ol',
  'p',
  'section',
  'summary',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'ul',
]);

const HEADING = /^h([1-6])$/;

/**
 * Turns HTML into blocks of readable text under their heading path (`h1`-`h6`). Scripts,
 * styles and navigation are dropped; `pre` keeps its line breaks and becomes a code block;
 * each table row becomes one line with its cells separated by ` | `.
 */
export function htmlBlocks(html: string): ParsedDocument {
  // The parser keeps a doctype as text; it is markup, never content.
  const root = parse(html.replace(/<!doctype[^>]*>/gi, ''), {
    comment: false,
    lowerCaseTagName: true,
    // Raw-text elements stay unparsed so `<` inside a script is not taken for a tag; they are dropped below.
    blockTextElements: { script: true, style: true, noscript: true, template: true },
  });
  const walker = new BlockWalker();
  walker.visit(root);
  walker.flush();
  const titleText = tidyText(root.querySelector('title')?.text ?? '').replace(/\s+/g, ' ');
  const title = titleText || walker.firstH1;
  return { blocks: walker.blocks, ...(title && { title }) };
}

class BlockWalker {
  readonly blocks: Block[] = [];
  firstH1: string | undefined;
  private readonly stack: { level: number; text: string }[] = [];
  private inline: string[] = [];

  visit(node: Node): void {
    if (node.nodeType === NodeType.TEXT_NODE) {
      // Source line breaks are just spaces in HTML; only <br> and blocks break lines.
      this.inline.push(node.text.replace(/\s+/g, ' '));
      return;
    }
    if (!(node instanceof HTMLElement)) return;
    const tag = node.rawTagName?.toLowerCase() ?? '';
    if (DROPPED.has(tag) || node.hasAttribute('hidden')) return;
    if (node.getAttribute('aria-hidden') === 'true') return;
    const heading = HEADING.exec(tag);
    if (heading) return this.heading(Number(heading[1]), node);
    if (tag === 'pre') return this.code(node);
    if (tag === 'br') {
      this.inline.push('\n');
      return;
    }
    if (tag === 'tr') return this.row(node);
    if (tag === 'img') {
      const alt = node.getAttribute('alt');
      if (alt) this.inline.push(` ${alt} `);
      return;
    }
    const block = BLOCK.has(tag);
    if (block) this.flush();
    if (tag === 'li') this.inline.push('- ');
    for (const child of node.childNodes) this.visit(child);
    if (block) this.flush();
  }

  flush(): void {
    const text = tidyText(this.inline.join(''));
    this.inline = [];
    if (text && text !== '-') this.blocks.push({ text, headings: this.headings(), kind: 'text' });
  }

  private headings(): string[] {
    return this.stack.map((h) => h.text);
  }

  private heading(level: number, node: HTMLElement): void {
    this.flush();
    const text = tidyText(node.text).replace(/\s+/g, ' ');
    if (!text) return;
    while (this.stack.length > 0 && this.stack[this.stack.length - 1]!.level >= level)
      this.stack.pop();
    this.stack.push({ level, text });
    if (level === 1) this.firstH1 ??= text;
  }

  private code(node: HTMLElement): void {
    this.flush();
    const text = node.text.replace(/\r\n?/g, '\n').replace(/^\n+|\s+$/g, '');
    if (text.trim()) this.blocks.push({ text, headings: this.headings(), kind: 'code' });
  }

  private row(node: HTMLElement): void {
    this.flush();
    const cells = node.childNodes
      .filter((c): c is HTMLElement => c instanceof HTMLElement && /^t[dh]$/.test(c.rawTagName))
      .map((cell) => tidyText(cell.text).replace(/\s+/g, ' '));
    const text = cells.filter(Boolean).join(' | ');
    if (text) this.blocks.push({ text, headings: this.headings(), kind: 'text' });
  }
}
