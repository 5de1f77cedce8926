import type { Chunk } from '../ports/vector-store.js';

/** Shortest repeated text taken for chunk overlap: shorter matches are likely coincidence. */
const MIN_OVERLAP_CHARS = 12;

/**
 * A document's text read back from its chunks (in position order) as Markdown: a heading line
 * where the heading path changes, and the overlap each chunk repeats from the previous chunk
 * of its section (see chunkDocument) removed. The text is what was indexed: the markup of
 * HTML and the syntax of Markdown beyond headings are gone.
 */
export function documentText(chunks: readonly Chunk[]): string {
  const parts: string[] = [];
  let previous: Chunk | undefined;
  for (const chunk of chunks) {
    if (chunk.heading !== previous?.heading || previous === undefined) {
      if (chunk.heading) parts.push(`## ${chunk.heading}`);
      parts.push(chunk.content);
    } else {
      parts.push(withoutOverlap(previous.content, chunk.content));
    }
    previous = chunk;
  }
  return parts.filter(Boolean).join('\n\n');
}

/** `next` without its start when that start repeats the end of `previous`, up to a separator. */
function withoutOverlap(previous: string, next: string): string {
  const longest = Math.min(previous.length, next.length - 1);
  for (let k = longest; k >= MIN_OVERLAP_CHARS; k--) {
    const after = next[k];
    if (after !== ' ' && after !== '\n') continue;
    if (previous.endsWith(next.slice(0, k))) return next.slice(k).replace(/^\s+/, '');
  }
  return next;
}
