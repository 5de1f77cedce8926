/**
 * Where a cited snippet sits in a document's text. Snippets are passages with their whitespace
 * flattened and possibly cut with "…" (see `engine/citations.ts`), so the match ignores how
 * whitespace runs differ; when the whole snippet is not found (the text changed since), its
 * first words are tried. Shared by the gateway (which part of a long text to send) and the page
 * (what to highlight): it is plain string code with no Node or DOM dependency.
 *
 * Linear in the text and snippet, with no copy of the text: one Knuth-Morris-Pratt pass over the
 * text read with each whitespace run as one space. (A regex of the words joined by `\s+`
 * backtracked at every position of a text that repeats the snippet's words: a 4,000-character
 * snippet in a 2.5 MB document held the event loop for 12 s, and a `document` frame can name any
 * uploaded document; flattening the text with `replace` first still took 1.2 s for 5 MB.)
 */

/** Words of the snippet tried when the whole one is not found. */
const PREFIX_WORDS = 8;

const SPACE = 0x20;

export interface PassageRange {
  start: number;
  end: number;
}

/** The first place where `words` stand in `text` separated by whitespace of any length. */
function search(text: string, words: readonly string[]): PassageRange | undefined {
  if (words.length === 0) return undefined;
  const needle = words.join(' ');
  const m = needle.length;
  const fallback = prefixTable(needle);
  /** Where in `text` each of the last `m` flattened characters began (a ring). */
  const began = new Int32Array(m);
  let matched = 0;
  let flat = 0;
  for (let i = 0; i < text.length; flat++) {
    const from = i;
    let c = text.charCodeAt(i);
    if (!isSpace(c)) i++;
    else {
      c = SPACE;
      while (i < text.length && isSpace(text.charCodeAt(i))) i++;
    }
    while (matched > 0 && needle.charCodeAt(matched) !== c) matched = fallback[matched - 1]!;
    if (needle.charCodeAt(matched) === c) matched++;
    began[flat % m] = from;
    // The needle ends with a word: the match ends where its last character does.
    if (matched === m) return { start: began[(flat + 1 - m) % m]!, end: i };
  }
  return undefined;
}

/** KMP: for each prefix of `needle`, the length of its longest proper prefix that is also a suffix. */
function prefixTable(needle: string): Int32Array {
  const table = new Int32Array(needle.length);
  for (let i = 1, k = 0; i < needle.length; i++) {
    while (k > 0 && needle.charCodeAt(i) !== needle.charCodeAt(k)) k = table[k - 1]!;
    if (needle.charCodeAt(i) === needle.charCodeAt(k)) k++;
    table[i] = k;
  }
  return table;
}

/** What `\s` matches (ECMAScript WhiteSpace and LineTerminator), without a regex per character. */
function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** The range of `snippet` in `text`, or undefined when neither it nor its start is there. */
export function findPassage(text: string, snippet: string): PassageRange | undefined {
  const words = snippet.replace(/…$/, '').trim().split(/\s+/).filter(Boolean);
  // A cut snippet may end inside a word: that last piece is left out of the match.
  if (snippet.trim().endsWith('…') && words.length > 1) words.pop();
  return search(text, words) ?? search(text, words.slice(0, PREFIX_WORDS));
}
