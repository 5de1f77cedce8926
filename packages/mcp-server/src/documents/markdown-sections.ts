import { tidyText, type Block, type ParsedDocument } from './blocks.js';

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;

interface Fence {
  marker: string;
  lines: string[];
}

/**
 * Splits Markdown into blocks under their heading path. A line-based reading of CommonMark that
 * covers what documentation uses: ATX and setext headings, fenced code (whose `#` lines are
 * not headings), paragraphs and lists separated by blank lines, and YAML front matter (skipped,
 * except for its `title`).
 */
export function markdownBlocks(markdown: string): ParsedDocument {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  const stack: { level: number; text: string }[] = [];
  let paragraph: string[] = [];
  let fence: Fence | undefined;
  let title: string | undefined;

  const headings = (): string[] => stack.map((h) => h.text);
  const flush = (): void => {
    const text = tidyText(paragraph.join('\n'));
    if (text) blocks.push({ text, headings: headings(), kind: 'text' });
    paragraph = [];
  };
  const enterHeading = (level: number, raw: string): void => {
    const text = headingText(raw);
    if (!text) return;
    while (stack.length > 0 && stack[stack.length - 1]!.level >= level) stack.pop();
    stack.push({ level, text });
    if (level === 1 && title === undefined) title = text;
  };

  const front = frontMatter(lines);
  if (front.title) title = front.title;

  for (const line of lines.slice(front.skip)) {
    if (fence) {
      fence.lines.push(line);
      if (closesFence(line, fence.marker)) {
        blocks.push({ text: fence.lines.join('\n').trim(), headings: headings(), kind: 'code' });
        fence = undefined;
      }
      continue;
    }
    const open = FENCE_OPEN.exec(line);
    if (open && !(open[1]!.startsWith('`') && open[2]!.includes('`'))) {
      flush();
      fence = { marker: open[1]!, lines: [line] };
      continue;
    }
    const atx = ATX_HEADING.exec(line);
    if (atx) {
      flush();
      enterHeading(atx[1]!.length, atx[2] ?? '');
      continue;
    }
    const underline = SETEXT_UNDERLINE.exec(line);
    if (underline && paragraph.length > 0) {
      const text = paragraph.join(' ');
      paragraph = [];
      enterHeading(underline[1]!.startsWith('=') ? 1 : 2, text);
      continue;
    }
    if (line.trim() === '' || THEMATIC_BREAK.test(line)) flush();
    else paragraph.push(line);
  }
  flush();
  // An unclosed fence runs to the end of the document, as CommonMark says.
  if (fence)
    blocks.push({ text: fence.lines.join('\n').trim(), headings: headings(), kind: 'code' });
  return { blocks, ...(title !== undefined && { title }) };
}

function closesFence(line: string, marker: string): boolean {
  const trimmed = line.trim();
  return (
    trimmed.length >= marker.length &&
    trimmed === marker[0]!.repeat(trimmed.length) &&
    /^ {0,3}\S/.test(line)
  );
}

/** Heading text without inline markup, so the heading path reads as plain words. */
function headingText(raw: string): string {
  return raw
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`]+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** YAML front matter is configuration, not prose: skip it, keeping a `title:` if it has one. */
function frontMatter(lines: string[]): { skip: number; title?: string } {
  if (lines[0]?.trim() !== '---') return { skip: 0 };
  const end = lines.findIndex((line, i) => i > 0 && /^(---|\.\.\.)\s*$/.test(line));
  if (end < 0) return { skip: 0 };
  const titleLine = lines.slice(1, end).find((line) => /^title\s*:/.test(line));
  const title = titleLine
    ?.replace(/^title\s*:\s*/, '')
    .replace(/^(["'])(.*)\1$/, '$2')
    .trim();
  return { skip: end + 1, ...(title && { title }) };
}
