import type { Chunk } from '../ports/vector-store.js';

/** Shortest repeated text taken for chunk overlap: shorter matches are likely coincidence. */
const MIN_OVERLAP_CHARS = 12;

/** How chunkDocument joins a heading path ("Guide > Install > Linux"). */
const PATH_SEPARATOR = ' > ';

/**
 * A document's text read back from its chunks (in position order) as Markdown: where the
 * heading path changes, a heading line for each heading that starts there, at its depth
 * (`# Guide`, `## Install`, `### Linux`), and the overlap each chunk repeats from the previous
 * chunk of its section (see chunkDocument) removed. The text is what was indexed: the markup of
 * HTML and the syntax of Markdown beyond headings are gone.
 */
export function documentText(chunks: readonly Chunk[]): string {
  const parts: string[] = [];
  let previous: Chunk | undefined;
  for (const chunk of chunks) {
    if (chunk.heading !== previous?.heading || previous === undefined) {
      parts.push(...headingLines(previous?.heading, chunk.heading));
      parts.push(chunk.content);
    } else {
      parts.push(withoutOverlap(previous.content, chunk.content));
    }
    previous = chunk;
  }
  return parts.filter(Boolean).join('\n\n');
}

/**
 * The heading lines between a section with heading path `before` and the next with `after`:
 * the headings of `after` from the first one that differs. Back in a parent section after a
 * subsection (`after` a prefix of `before`), the parent's heading again.
 */
function headingLines(before: string | undefined, after: string | undefined): string[] {
  if (!after) return [];
  const old = before ? before.split(PATH_SEPARATOR) : [];
  const path = after.split(PATH_SEPARATOR);
  let same = 0;
  while (same < path.length && same < old.length && path[same] === old[same]) same++;
  const first = Math.min(same, path.length - 1);
  return path.slice(first).map((title, i) => `${'#'.repeat(Math.min(first + i + 1, 6))} ${title}`);
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
