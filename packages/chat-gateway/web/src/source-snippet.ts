/**
 * A source card's cited passage. The gateway keeps the passage's line breaks (see
 * `engine/citations.ts`): prose is shown with them, and a fenced code block as code without its
 * ``` / ~~~ lines; a paragraph's soft line breaks (text wrapped at a fixed width) become spaces. Snippets stored before line breaks were kept are one line: their fence
 * markers are dropped. Every string becomes text (`h`), never markup.
 */
import { h } from './dom.js';
import { joinSoftBreaks } from './soft-breaks.js';

/** A line that opens or closes a fenced code block (with an optional info string). */
const FENCE_LINE = /^\s*(`{3,}|~{3,})[^`]*$/;
/** Fence markers inside a line (a snippet flattened to one line). */
const INLINE_FENCE = /(`{3,}|~{3,})[\w+#.-]*/g;

export function sourceSnippet(snippet: string): HTMLElement {
  const quote = h('blockquote', { className: 'source-snippet' });
  let prose: string[] = [];
  let code: string[] | undefined;
  const flushProse = (): void => {
    const text = joinSoftBreaks(
      prose
        .map((line) => line.replace(INLINE_FENCE, ' ').replace(/\s+/g, ' ').trim())
        .filter(Boolean)
        .join('\n'),
    );
    if (text) quote.append(h('p', { className: 'source-text', text }));
    prose = [];
  };
  const flushCode = (): void => {
    if (code && code.length > 0) {
      quote.append(h('pre', { className: 'source-code' }, h('code', { text: code.join('\n') })));
    }
    code = undefined;
  };
  for (const line of snippet.split('\n')) {
    if (FENCE_LINE.test(line)) {
      if (code) flushCode();
      else {
        flushProse();
        code = [];
      }
    } else if (code) code.push(line);
    else prose.push(line);
  }
  flushProse();
  flushCode(); // a snippet cut inside a code block
  return quote;
}
