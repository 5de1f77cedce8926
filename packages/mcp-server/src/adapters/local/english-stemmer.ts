/**
 * The Porter2 ("English") stemmer of the Snowball project, written here from the published
 * algorithm description (snowballstem.org/algorithms/english/stemmer.html), in the revision that
 * Snowball shipped from 2006 to 2023 and that most search engines use. Later revisions (2023-2025)
 * added exceptions ("past", "univers", "emerg", ...) and changed the undoubling of -ed/-ing; they
 * are not followed here. Input is one lower-case token of letters and digits (no apostrophes:
 * the tokenizer splits on them, so the algorithm's step 0 has nothing to do).
 */

/** Whole words the algorithm maps by rule of thumb rather than by its steps. */
const EXCEPTIONS_1: ReadonlyMap<string, string> = new Map([
  ['skis', 'ski'],
  ['skies', 'sky'],
  ['dying', 'die'],
  ['lying', 'lie'],
  ['tying', 'tie'],
  ['idly', 'idl'],
  ['gently', 'gentl'],
  ['ugly', 'ugli'],
  ['early', 'earli'],
  ['only', 'onli'],
  ['singly', 'singl'],
  ['sky', 'sky'],
  ['news', 'news'],
  ['howe', 'howe'],
  ['atlas', 'atlas'],
  ['cosmos', 'cosmos'],
  ['bias', 'bias'],
  ['andes', 'andes'],
]);

/** Words left as they are after step 1a. */
const EXCEPTIONS_2: ReadonlySet<string> = new Set([
  'inning',
  'outing',
  'canning',
  'herring',
  'earring',
  'proceed',
  'exceed',
  'succeed',
]);

/** Prefixes after which R1 starts, whatever the usual rule says. */
const R1_PREFIXES = ['gener', 'commun', 'arsen'] as const;

/**
 * Each step's suffixes, longest first: the algorithm takes the longest suffix that matches and
 * then applies its condition; when the condition fails, shorter suffixes are not tried.
 */
const STEP_1A = ['sses', 'ied', 'ies', 'us', 'ss', 's'] as const;
const STEP_1B = ['eedly', 'ingly', 'edly', 'eed', 'ing', 'ed'] as const;
const STEP_2: readonly (readonly [string, string])[] = longestFirst([
  ['tional', 'tion'],
  ['enci', 'ence'],
  ['anci', 'ance'],
  ['abli', 'able'],
  ['entli', 'ent'],
  ['izer', 'ize'],
  ['ization', 'ize'],
  ['ational', 'ate'],
  ['ation', 'ate'],
  ['ator', 'ate'],
  ['alism', 'al'],
  ['aliti', 'al'],
  ['alli', 'al'],
  ['fulness', 'ful'],
  ['ousli', 'ous'],
  ['ousness', 'ous'],
  ['iveness', 'ive'],
  ['iviti', 'ive'],
  ['biliti', 'ble'],
  ['bli', 'ble'],
  ['ogi', 'og'], // only after l
  ['fulli', 'ful'],
  ['lessli', 'less'],
  ['li', ''], // only after a valid li-ending
]);
const STEP_3: readonly (readonly [string, string])[] = longestFirst([
  ['tional', 'tion'],
  ['ational', 'ate'],
  ['alize', 'al'],
  ['icate', 'ic'],
  ['iciti', 'ic'],
  ['ical', 'ic'],
  ['ful', ''],
  ['ness', ''],
  ['ative', ''], // only in R2
]);
const STEP_4 = [
  ...['al', 'ance', 'ence', 'er', 'ic', 'able', 'ible', 'ant', 'ement', 'ment', 'ent'],
  ...['ism', 'ate', 'iti', 'ous', 'ive', 'ize', 'ion'],
].sort((a, b) => b.length - a.length);

/** The Porter2 stem of a lower-case word. */
export function porter2(word: string): string {
  if (word.length <= 2) return word;
  const exception = EXCEPTIONS_1.get(word);
  if (exception !== undefined) return exception;

  // 'Y' marks a y that is a consonant: at the start, or after a vowel.
  let w = word;
  if (w.includes('y')) {
    let marked = '';
    for (let i = 0; i < w.length; i++) {
      const c = w[i]!;
      marked += c === 'y' && (i === 0 || isVowel(marked[i - 1]!)) ? 'Y' : c;
    }
    w = marked;
  }
  const { r1, r2 } = regions(w);

  w = step1a(w);
  if (EXCEPTIONS_2.has(w)) return w;
  w = step1b(w, r1);
  w = step1c(w);
  w = step2(w, r1);
  w = step3(w, r1, r2);
  w = step4(w, r2);
  w = step5(w, r1, r2);
  return w.includes('Y') ? w.replaceAll('Y', 'y') : w;
}

function isVowel(c: string): boolean {
  return c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u' || c === 'y';
}

/** Whether `w[0..end)` holds a vowel. */
function hasVowel(w: string, end: number): boolean {
  for (let i = 0; i < end; i++) if (isVowel(w[i]!)) return true;
  return false;
}

/** The index just past the first non-vowel that follows a vowel, from `from`; else w.length. */
function regionStart(w: string, from: number): number {
  for (let i = from + 1; i < w.length; i++) if (!isVowel(w[i]!) && isVowel(w[i - 1]!)) return i + 1;
  return w.length;
}

/** R1 and R2 as start indices (w.length when a region is empty). */
function regions(w: string): { r1: number; r2: number } {
  const prefix = R1_PREFIXES.find((p) => w.startsWith(p));
  const r1 = prefix ? prefix.length : regionStart(w, 0);
  // The search for R2 starts inside R1: its vowel may be R1's first letter.
  return { r1, r2: r1 >= w.length ? w.length : regionStart(w, r1) };
}

/**
 * Whether `w[0..end)` ends in a short syllable: non-vowel, vowel, non-vowel other than w, x or Y;
 * or, for a two-letter word, a vowel then a non-vowel.
 */
function endsShort(w: string, end: number): boolean {
  if (end === 2) return isVowel(w[0]!) && !isVowel(w[1]!);
  if (end < 3) return false;
  const last = w[end - 1]!;
  return (
    !isVowel(w[end - 3]!) &&
    isVowel(w[end - 2]!) &&
    !isVowel(last) &&
    last !== 'w' &&
    last !== 'x' &&
    last !== 'Y'
  );
}

function step1a(w: string): string {
  const suffix = STEP_1A.find((s) => w.endsWith(s));
  if (suffix === undefined || suffix === 'us' || suffix === 'ss') return w;
  const stem = w.length - suffix.length;
  if (suffix === 'sses') return w.slice(0, -2);
  if (suffix === 'ied' || suffix === 'ies') return w.slice(0, stem) + (stem > 1 ? 'i' : 'ie');
  // -s goes when a vowel comes before the letter just before it ("gaps", not "gas").
  return hasVowel(w, stem - 1) ? w.slice(0, stem) : w;
}

function step1b(w: string, r1: number): string {
  const suffix = STEP_1B.find((s) => w.endsWith(s));
  if (suffix === undefined) return w;
  const stem = w.length - suffix.length;
  if (suffix === 'eed' || suffix === 'eedly') return stem >= r1 ? `${w.slice(0, stem)}ee` : w;
  if (!hasVowel(w, stem)) return w;
  const s = w.slice(0, stem);
  if (s.endsWith('at') || s.endsWith('bl') || s.endsWith('iz')) return `${s}e`;
  if (endsInDouble(s)) return s.slice(0, -1);
  // A short word gets its e back ("hoped" -> "hop" -> "hope"). R1 is where it was in the word.
  if (r1 === s.length && endsShort(s, s.length)) return `${s}e`;
  return s;
}

function endsInDouble(w: string): boolean {
  const c = w[w.length - 1];
  return w.length >= 2 && c === w[w.length - 2] && c !== undefined && 'bdfgmnprt'.includes(c);
}

function step1c(w: string): string {
  const last = w[w.length - 1];
  if ((last === 'y' || last === 'Y') && w.length > 2 && !isVowel(w[w.length - 2]!))
    return `${w.slice(0, -1)}i`;
  return w;
}

function step2(w: string, r1: number): string {
  const rule = STEP_2.find(([s]) => w.endsWith(s));
  if (!rule) return w;
  const [suffix, replacement] = rule;
  const stem = w.length - suffix.length;
  if (stem < r1) return w;
  if (suffix === 'ogi' && w[stem - 1] !== 'l') return w;
  if (suffix === 'li' && !'cdeghkmnrt'.includes(w[stem - 1] ?? '-')) return w;
  return w.slice(0, stem) + replacement;
}

function step3(w: string, r1: number, r2: number): string {
  const rule = STEP_3.find(([s]) => w.endsWith(s));
  if (!rule) return w;
  const [suffix, replacement] = rule;
  const stem = w.length - suffix.length;
  if (stem < r1 || (suffix === 'ative' && stem < r2)) return w;
  return w.slice(0, stem) + replacement;
}

function step4(w: string, r2: number): string {
  const suffix = STEP_4.find((s) => w.endsWith(s));
  if (suffix === undefined) return w;
  const stem = w.length - suffix.length;
  if (stem < r2) return w;
  if (suffix === 'ion' && w[stem - 1] !== 's' && w[stem - 1] !== 't') return w;
  return w.slice(0, stem);
}

function step5(w: string, r1: number, r2: number): string {
  const stem = w.length - 1;
  const last = w[stem];
  if (last === 'e' && (stem >= r2 || (stem >= r1 && !endsShort(w, stem)))) return w.slice(0, stem);
  if (last === 'l' && stem >= r2 && w[stem - 1] === 'l') return w.slice(0, stem);
  return w;
}

function longestFirst(
  rules: readonly (readonly [string, string])[],
): readonly (readonly [string, string])[] {
  return [...rules].sort((a, b) => b[0].length - a[0].length);
}
