import { PLACE_WEIGHT, TITLE_WEIGHT } from '../../documents/ranking-fields.js';

/** BM25's two constants: term frequency saturation (k1) and length normalization (b). */
export interface Bm25Parameters {
  k1: number;
  b: number;
}

/** BM25's usual constants (Robertson; Lucene, Tantivy and LanceDB use the same). */
export const BM25_DEFAULTS: Bm25Parameters = { k1: 1.2, b: 0.75 };

/** The constants of the two keyword rankings of the embedded index. */
export interface LexicalBm25 {
  words: Bm25Parameters;
  trigrams: Bm25Parameters;
  /**
   * The document's title as a field of its own (BM25F-like: a second word ranking over it, added
   * to the words' score times `weight`).
   */
  titles: Bm25Parameters & { weight: number };
  /**
   * The chunk's heading path and the document's lead (see ranking-fields.ts) as a third field.
   * Manuals are short sections under telling headings; a query word in the heading or in the
   * page's summary says more than the same word in the body.
   */
  places: Bm25Parameters & { weight: number };
}

/**
 * Chosen on the SciFact train queries with `pnpm tune:lexical` (k1 0.6-2.0, b 0.4-1.0): the
 * surface is flat (hybrid nDCG@10 within 0.01 across it), but stronger length normalization
 * (b 0.9) helped both rankings everywhere in it. Keyword alone: 0.7030 vs 0.7011 at 1.2 / 0.75.
 */
export const LEXICAL_BM25: LexicalBm25 = {
  words: { k1: 1.2, b: 0.9 },
  trigrams: { k1: 0.9, b: 0.9 },
  titles: { k1: 1.2, b: 0.75, weight: TITLE_WEIGHT },
  places: { k1: 1.2, b: 0.75, weight: PLACE_WEIGHT },
};

interface Posting {
  slots: Int32Array;
  tfs: Uint16Array;
  /** Entries in use, dead slots included until `purge`. */
  n: number;
  /** Live documents holding the term. */
  df: number;
}

/**
 * An in-memory BM25 inverted index over one field, documents numbered by slot. Removing a
 * document updates the statistics at once and leaves its postings to `purge`; the owner marks
 * the slot dead, so scoring skips it meanwhile. Typed postings keep 100,000 chunks of words
 * in tens of MB and score a 25-word query in about a millisecond.
 */
export class Bm25Field {
  /** By term id: ids are small integers (see TermIds), so an array beats a map. */
  private readonly postings: (Posting | undefined)[] = [];
  private lengths = new Float32Array(1024);
  private totalLength = 0;
  private documents = 0;

  constructor(private readonly parameters: Bm25Parameters = BM25_DEFAULTS) {}

  add(slot: number, terms: Int32Array): void {
    if (slot >= this.lengths.length) this.lengths = grown(this.lengths, slot + 1);
    this.lengths[slot] = terms.length;
    this.totalLength += terms.length;
    this.documents += 1;
    forEachCount(terms, (term, tf) => {
      let p = this.postings[term];
      if (!p) {
        p = { slots: new Int32Array(2), tfs: new Uint16Array(2), n: 0, df: 0 };
        this.postings[term] = p;
      }
      if (p.n === p.slots.length) {
        p.slots = grown(p.slots, p.n + 1);
        p.tfs = grown(p.tfs, p.n + 1);
      }
      p.slots[p.n] = slot;
      p.tfs[p.n] = Math.min(tf, 65_535);
      p.n += 1;
      p.df += 1;
    });
  }

  /** Takes `slot` (indexed with `terms`) out of the statistics; its postings wait for `purge`. */
  remove(slot: number, terms: Int32Array): void {
    this.totalLength -= this.lengths[slot] ?? 0;
    this.documents -= 1;
    forEachCount(terms, (term) => {
      const p = this.postings[term];
      if (p) p.df -= 1;
    });
  }

  /** Drops the postings of dead slots and of terms no live document holds. */
  purge(alive: Uint8Array): void {
    for (const [term, p] of this.postings.entries()) {
      if (!p) continue;
      if (p.df === 0) {
        this.postings[term] = undefined;
        continue;
      }
      let w = 0;
      for (let r = 0; r < p.n; r++) {
        const slot = p.slots[r]!;
        if (alive[slot] !== 1) continue;
        p.slots[w] = slot;
        p.tfs[w] = p.tfs[r]!;
        w += 1;
      }
      p.n = w;
    }
  }

  /**
   * Adds each live slot's BM25 score for the distinct `terms` to `acc`, and lists the slots it
   * touched for the first time in `touched`.
   */
  score(
    terms: Iterable<number>,
    alive: Uint8Array,
    acc: Float32Array,
    touched: number[],
    weight = 1,
  ): void {
    if (this.documents === 0) return;
    const n = this.documents;
    const avg = this.totalLength / n || 1;
    const lengths = this.lengths;
    const { k1, b } = this.parameters;
    for (const term of terms) {
      const p = this.postings[term];
      if (!p || p.df <= 0) continue;
      const idf = Math.log(1 + (n - p.df + 0.5) / (p.df + 0.5));
      const { slots, tfs } = p;
      for (let i = 0; i < p.n; i++) {
        const slot = slots[i]!;
        if (alive[slot] !== 1) continue;
        const tf = tfs[i]!;
        const norm = k1 * (1 - b + (b * lengths[slot]!) / avg);
        if (acc[slot] === 0) touched.push(slot);
        acc[slot]! += (weight * idf * tf * (k1 + 1)) / (tf + norm);
      }
    }
  }
}

/**
 * The `k` best of `touched` by `acc`, best first (ties by slot), among those `accept` keeps;
 * resets `acc` for every touched slot. A bounded min-heap: O(touched · log k).
 */
export function topSlots(
  touched: readonly number[],
  acc: Float32Array,
  k: number,
  accept: ((slot: number) => boolean) | undefined,
): { slot: number; score: number }[] {
  const heap: { slot: number; score: number }[] = [];
  const worse = (a: { slot: number; score: number }, b: { slot: number; score: number }) =>
    a.score < b.score || (a.score === b.score && a.slot > b.slot);
  for (const slot of touched) {
    const score = acc[slot]!;
    acc[slot] = 0;
    if (k <= 0 || (accept && !accept(slot))) continue;
    const item = { slot, score };
    if (heap.length < k) {
      heap.push(item);
      siftUp(heap, heap.length - 1, worse);
    } else if (worse(heap[0]!, item)) {
      heap[0] = item;
      siftDown(heap, 0, worse);
    }
  }
  return heap.sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
}

type Worse<T> = (a: T, b: T) => boolean;

function siftUp<T>(heap: T[], i: number, worse: Worse<T>): void {
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!worse(heap[i]!, heap[parent]!)) return;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}

function siftDown<T>(heap: T[], i: number, worse: Worse<T>): void {
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < heap.length && worse(heap[l]!, heap[m]!)) m = l;
    if (r < heap.length && worse(heap[r]!, heap[m]!)) m = r;
    if (m === i) return;
    [heap[i], heap[m]] = [heap[m]!, heap[i]!];
    i = m;
  }
}

/** Calls `each` once per distinct term with its count; sorts `terms` in place. */
function forEachCount(terms: Int32Array, each: (term: number, count: number) => void): void {
  terms.sort();
  for (let i = 0; i < terms.length;) {
    let j = i + 1;
    while (j < terms.length && terms[j] === terms[i]) j++;
    each(terms[i]!, j - i);
    i = j;
  }
}

/**
 * Small integer ids for terms: words interned as they come; trigrams of lower-case ASCII
 * letters, digits and space computed (37³ ids), other trigrams interned above those.
 */
export class TermIds {
  private readonly ids = new Map<string, number>();

  constructor(private readonly first = 0) {}

  /** The id of `term`, assigned on first sight (`create`), else -1 for an unknown term. */
  id(term: string, create: boolean): number {
    let id = this.ids.get(term);
    if (id === undefined) {
      if (!create) return -1;
      id = this.first + this.ids.size;
      this.ids.set(term, id);
    }
    return id;
  }
}

const ALPHABET = 37;
/** Trigram ids below this are computed; interned ones start here. */
export const COMPUTED_TRIGRAMS = ALPHABET ** 3;

/** 0 for space, 1-10 for digits, 11-36 for a-z, -1 for anything else. */
export function asciiCode(c: number): number {
  if (c === 32) return 0;
  if (c >= 48 && c <= 57) return c - 47;
  if (c >= 97 && c <= 122) return c - 86;
  return -1;
}

function grown<T extends Int32Array | Uint16Array | Float32Array | Uint8Array>(
  array: T,
  atLeast: number,
): T {
  const next = new (array.constructor as new (n: number) => T)(Math.max(atLeast, array.length * 2));
  next.set(array);
  return next;
}
