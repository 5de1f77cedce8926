import type { Embedder } from '../../ports/embedder.js';
import { lightStem, STOP_WORDS, tokenize } from './text-features.js';

/** What the hashing embedder looks at, and how much each kind of feature weighs. */
export interface HashingEmbedderOptions {
  dimensions: number;
  /** Weight of each stemmed word. */
  unigramWeight: number;
  /** Weight of each pair of adjacent content words ("insulin resistance"). */
  bigramWeight: number;
  /** Total weight of one word's character n-grams, shared among them. */
  charWeight: number;
  /** Character n-gram lengths, taken from the word wrapped in boundary marks ("<word>"). */
  charNgrams: readonly number[];
  maxInputChars: number;
}

/** Every HashingEmbedder id starts with this; the version changes when its vectors would. */
export const HASHING_EMBEDDER_ID_PREFIX = 'hashing-v1:';

/**
 * Checked on the SciFact train queries (scripts/eval-retrieval.ts). 1,024 dimensions: 4,096
 * score higher alone (vector nDCG@10 0.57 vs 0.53) but add nothing to hybrid search at four
 * times the storage. The feature weights move results by less than 0.005 either way.
 */
export const DEFAULT_HASHING_OPTIONS: HashingEmbedderOptions = {
  dimensions: 1024,
  unigramWeight: 1,
  bigramWeight: 0.5,
  charWeight: 0.5,
  charNgrams: [3, 4, 5],
  maxInputChars: 8_000,
};

/**
 * The local default embedder: signed feature hashing of stemmed words, word pairs and
 * character n-grams, with sublinear term frequency, L2-normalized. No network, no model file,
 * deterministic and fast. It is a lexical sketch rather than a neural model: texts are close
 * when they share words, word pairs or word pieces, which complements BM25 in hybrid search
 * (pieces match "diabetic" with "diabetes", pairs reward phrases) without knowing synonyms.
 */
export class HashingEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  readonly maxInputChars: number;
  private readonly options: HashingEmbedderOptions;

  constructor(options: Partial<HashingEmbedderOptions> = {}) {
    this.options = { ...DEFAULT_HASHING_OPTIONS, ...options };
    const o = this.options;
    if (!Number.isInteger(o.dimensions) || o.dimensions < 16) {
      throw new RangeError('dimensions must be an integer of at least 16');
    }
    this.dimensions = o.dimensions;
    this.maxInputChars = o.maxInputChars;
    // Every setting that changes vectors is in the id, so an index built with other settings is caught.
    this.id =
      `${HASHING_EMBEDDER_ID_PREFIX}d${o.dimensions}:u${o.unigramWeight}:b${o.bigramWeight}` +
      `:c${o.charWeight}@${o.charNgrams.join('-')}:light-stem:log-tf`;
  }

  embed(texts: readonly string[], _purpose: 'document' | 'query'): Promise<Float32Array[]> {
    // Symmetric by design: a query is embedded exactly like a short document.
    return Promise.resolve(texts.map((text) => this.embedOne(text)));
  }

  private embedOne(text: string): Float32Array {
    const { unigramWeight, bigramWeight, charWeight, charNgrams } = this.options;
    // Per feature: occurrences and summed weight (character n-gram weights vary by word length).
    const features = new Map<number, { tf: number; weight: number }>();
    const add = (hash: number, weight: number): void => {
      const feature = features.get(hash);
      if (feature) {
        feature.tf += 1;
        feature.weight += weight;
      } else features.set(hash, { tf: 1, weight });
    };
    let previous: string | undefined;
    for (const word of tokenize(text.slice(0, this.maxInputChars))) {
      if (STOP_WORDS.has(word)) {
        previous = undefined;
        continue;
      }
      const s = lightStem(word);
      if (unigramWeight > 0) add(hashString(s, 0x9e3779b1), unigramWeight);
      if (bigramWeight > 0 && previous !== undefined)
        add(hashString(`${previous} ${s}`, 0x85ebca6b), bigramWeight);
      previous = s;
      if (charWeight > 0 && word.length > 3)
        addCharNgrams(`<${word}>`, charNgrams, charWeight, add);
    }

    const vector = new Float32Array(this.dimensions);
    for (const [hash, { tf, weight }] of features) {
      const mixed = fmix32(hash);
      const index = (mixed >>> 1) % this.dimensions;
      const sign = mixed & 1 ? 1 : -1;
      // Sublinear tf: the tenth mention of a word matters less than the first.
      vector[index]! += sign * (weight / tf) * (1 + Math.log(tf));
    }
    return normalize(vector);
  }
}

function addCharNgrams(
  wrapped: string,
  sizes: readonly number[],
  total: number,
  add: (hash: number, weight: number) => void,
): void {
  let n = 0;
  for (const size of sizes) n += Math.max(0, wrapped.length - size + 1);
  if (n === 0) return;
  const each = total / n;
  for (const size of sizes) {
    for (let i = 0; i + size <= wrapped.length; i++)
      add(hashString(wrapped.slice(i, i + size), size), each);
  }
}

/** FNV-1a over UTF-16 code units, with a seed so feature kinds do not collide. */
function hashString(value: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** MurmurHash3's finalizer: spreads FNV's weak low bits before taking index and sign. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const v of vector) sum += v * v;
  if (sum === 0) {
    // An empty or all-stop-word text still needs a valid direction for cosine search.
    vector[0] = 1;
    return vector;
  }
  const scale = 1 / Math.sqrt(sum);
  for (let i = 0; i < vector.length; i++) vector[i]! *= scale;
  return vector;
}
