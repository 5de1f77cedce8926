// Deterministic pseudo-English for the document benchmark: a seeded vocabulary with Zipf-like
// word frequencies, documents of a few sections (one ~80-150-word paragraph each, so one chunk
// each), and short queries drawn from the same vocabulary.
import type { IngestInput } from '../src/documents/document-input.js';

/** Real function words take the most frequent ranks, as in English; both indexes drop them. */
const FUNCTION_WORDS = (
  'the of and to a in is that for it as was with be by on not he this are or his from at ' +
  'which but have an they you were her she there one all we can their has been if more when'
).split(' ');
const ONSETS =
  'b c d f g h j k l m n p r s t v w z bl br ch cl cr dr fl gr pl pr sc sh sl sp st str th tr'.split(
    ' ',
  );
const NUCLEI = 'a e i o u ai ea ee io oa ou'.split(' ');
const CODAS = ' n r s t l m nd nt rk st ck ng'.split(' ');
/** Zipf exponent: about English's. */
const ZIPF_S = 1.05;

/** Sections per document; each becomes exactly one chunk. */
export const CHUNKS_PER_DOCUMENT = 4;

/** mulberry32: small, fast and good enough to make text; the same seed gives the same text. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SyntheticCorpus {
  private readonly words: string[];
  /** Cumulative Zipf probabilities, rank order. */
  private readonly cdf: Float64Array;

  constructor(
    vocabularySize = 30_000,
    private readonly seed = 7,
  ) {
    const random = seededRandom(seed);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const seen = new Set(FUNCTION_WORDS);
    this.words = [...FUNCTION_WORDS];
    while (this.words.length < vocabularySize) {
      const syllables = 1 + Math.floor(random() * 3);
      let word = '';
      for (let i = 0; i < syllables; i++) word += pick(ONSETS) + pick(NUCLEI);
      word += pick(CODAS);
      if (!seen.has(word)) {
        seen.add(word);
        this.words.push(word);
      }
    }
    this.cdf = new Float64Array(vocabularySize);
    let sum = 0;
    for (let r = 0; r < vocabularySize; r++) this.cdf[r] = sum += 1 / Math.pow(r + 1, ZIPF_S);
    for (let r = 0; r < vocabularySize; r++) this.cdf[r]! /= sum;
  }

  /** Documents `first` to `first + count - 1`; document i is the same text whatever the range. */
  documents(first: number, count: number): IngestInput[] {
    return Array.from({ length: count }, (_, k) => this.document(first + k));
  }

  /** `count` queries of 3-8 content words (function words left out, as people type them). */
  queries(count: number, seed: number): string[] {
    const random = seededRandom(seed);
    return Array.from({ length: count }, () => {
      const length = 3 + Math.floor(random() * 6);
      const words: string[] = [];
      while (words.length < length) {
        const rank = this.rank(random());
        if (rank >= FUNCTION_WORDS.length) words.push(this.words[rank]!);
      }
      return words.join(' ');
    });
  }

  private document(index: number): IngestInput {
    const random = seededRandom(this.seed * 1_000_003 + index);
    const sections = Array.from(
      { length: CHUNKS_PER_DOCUMENT },
      (_, i) =>
        `## ${i + 1}. ${capitalize(this.phrase(random, 2, 4))}\n\n${this.paragraph(random)}`,
    );
    return {
      source: `synthetic/doc-${String(index).padStart(7, '0')}.md`,
      title: capitalize(this.phrase(random, 3, 6)),
      content: sections.join('\n\n'),
      contentType: 'text/markdown',
    };
  }

  /** 80-150 words in sentences of 6-18 words. */
  private paragraph(random: () => number): string {
    const target = 80 + Math.floor(random() * 71);
    const sentences: string[] = [];
    let words = 0;
    while (words < target) {
      const length = Math.min(6 + Math.floor(random() * 13), target - words);
      sentences.push(`${capitalize(this.phrase(random, length, length))}.`);
      words += length;
    }
    return sentences.join(' ');
  }

  private phrase(random: () => number, min: number, max: number): string {
    const length = min + Math.floor(random() * (max - min + 1));
    return Array.from({ length }, () => this.words[this.rank(random())]!).join(' ');
  }

  /** Inverse CDF by binary search: the rank whose cumulative probability first reaches u. */
  private rank(u: number): number {
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
