/**
 * Where a cited snippet sits in a document's text. Snippets are passages with their whitespace
 * flattened and possibly cut with "…" (see `engine/citations.ts`), so the match ignores how
 * whitespace runs differ; when the whole snippet is not found (the text changed since), its
 * first words are tried. Shared by the gateway (which part of a long text to send) and the page
 * (what to highlight): it is plain string code with no Node or DOM dependency.
 */

/** Words of the snippet tried when the whole one is not found. */
const PREFIX_WORDS = 8;

export interface PassageRange {
  start: number;
  end: number;
}

const escape = (word: string): string => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function search(text: string, words: readonly string[]): PassageRange | undefined {
  if (words.length === 0) return undefined;
  const match = new RegExp(words.map(escape).join('\\s+')).exec(text);
  return match ? { start: match.index, end: match.index + match[0].length } : undefined;
}

/** The range of `snippet` in `text`, or undefined when neither it nor its start is there. */
export function findPassage(text: string, snippet: string): PassageRange | undefined {
  const words = snippet.replace(/…$/, '').trim().split(/\s+/).filter(Boolean);
  // A cut snippet may end inside a word: that last piece is left out of the match.
  if (snippet.trim().endsWith('…') && words.length > 1) words.pop();
  return search(text, words) ?? search(text, words.slice(0, PREFIX_WORDS));
}
