import { HTMLElement, NodeType, parse, type Node } from 'node-html-parser';
import { tidyText, type Block, type ParsedDocument } from './blocks.js';
import { isChrome, stripNonContentMarkup } from './html-chrome.js';
import { markdownTables } from './html-table.js';

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
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
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
 * Turns HTML (or XHTML) into blocks of readable text under their heading path (`h1`-`h6`).
 * Page chrome is dropped (see `isChrome`: scripts, navigation, site headers and footers,
 * DocBook's navheader/navfooter and tables of contents, skip links), and so are the XML
 * prolog, doctype and comments. `pre` becomes a fenced code block; a data table becomes
 * Markdown tables; a layout table is read as ordinary content.
 */
export function htmlBlocks(html: string): ParsedDocument {
  const root = parse(stripNonContentMarkup(html), {
    comment: false,
    lowerCaseTagName: true,
    // Raw-text elements stay unparsed so `<` inside a script is not taken for a tag; they are dropped below.
    blockTextElements: { script: true, style: true, noscript: true, template: true, pre: true },
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
    if (tag === 'title') return; // the title is metadata, read apart
    if (isChrome(node, tag)) return;
    const heading = HEADING.exec(tag);
    if (heading) return this.heading(Number(heading[1]), node);
    if (tag === 'pre') return this.code(node);
    if (tag === 'br') {
      this.inline.push('\n');
      return;
    }
    if (tag === 'table' && this.table(node)) return;
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

  /** A fenced code block, its fence longer than any backtick run inside. */
  private code(node: HTMLElement): void {
    this.flush();
    // `pre` is kept as raw text by the parser (its spacing is content); its markup is read here.
    const inner = parse(node.innerHTML.replace(/<br\s*\/?>/gi, '\n'));
    const body = inner.text.replace(/\r\n?/g, '\n').replace(/^\n+|\s+$/g, '');
    if (!body.trim()) return;
    const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
    const fence = '`'.repeat(longest + 1);
    const classes = `${node.getAttribute('class') ?? ''} ${inner.querySelector('code')?.getAttribute('class') ?? ''}`;
    const lang = /(?:^|\s)(?:language|lang)-([\w+-]+)/.exec(classes)?.[1];
    this.blocks.push({
      text: `${fence}${lang ?? ''}\n${body}\n${fence}`,
      headings: this.headings(),
      kind: 'code',
    });
  }

  /** A data table as Markdown tables; false for a layout table, read as content instead. */
  private table(node: HTMLElement): boolean {
    const tables = markdownTables(node);
    if (!tables) return false;
    this.flush();
    const caption = node.querySelector('caption');
    if (caption) {
      const text = tidyText(caption.text).replace(/\s+/g, ' ');
      if (text) this.blocks.push({ text, headings: this.headings(), kind: 'text' });
    }
    for (const text of tables) this.blocks.push({ text, headings: this.headings(), kind: 'text' });
    return true;
  }
}
