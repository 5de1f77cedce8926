import type { Chunk, SearchFilter, SearchHit } from '../../ports/vector-store.js';
import {
  asciiCode,
  Bm25Field,
  COMPUTED_TRIGRAMS,
  LEXICAL_BM25,
  TermIds,
  topSlots,
  type LexicalBm25,
} from './lancedb-bm25.js';
import { EVERYONE } from '../../documents/document-access.js';
import { contentQuery, pageLead } from '../../documents/ranking-fields.js';
import { metadataTerm } from './sql-filter.js';
import { STOP_WORDS, tokenize, wordTerms } from './text-features.js';

/** One live chunk, as the keyword rankings and search results need it. */
export interface LiveChunk extends Chunk {
  slot: number;
  /** The metadata as stored (JSON), parsed again for each hit so callers cannot share it. */
  metadataJson: string;
  metadataTerms: readonly string[];
  /** Who may read it (principals, see documents/document-access.ts). */
  access: readonly string[];
  /** The document's lead (pageLead), ranked in the place field of each of its chunks. */
  lead?: string;
  /** Kept until the chunk is written to LanceDB, for the vector search of unwritten rows. */
  vector?: Float32Array;
}

export interface Ranked {
  chunk: LiveChunk;
  /** Raw BM25. */
  score: number;
}

/** Dead slots tolerated in the postings before they are purged. */
const PURGE_MIN_DEAD = 2_000;

/**
 * Every live chunk in memory with two BM25 rankings over them: stemmed words, and character
 * trigrams (typos, word pieces, identifiers). The trigram postings are about ten times the
 * word postings, so they are kept only up to `trigramMaxRows` chunks (and rebuilt once the
 * index shrinks well below it again). Single-threaded: the store changes it synchronously.
 */
export class LiveChunks {
  private readonly slots: (LiveChunk | undefined)[] = [];
  private alive = new Uint8Array(1024);
  private acc = new Float32Array(1024);
  private readonly free: number[] = [];
  private readonly dead: number[] = [];
  private readonly bySource = new Map<string, LiveChunk[]>();
  private readonly words: Bm25Field;
  private readonly titles: Bm25Field;
  private readonly places: Bm25Field;
  private grams: Bm25Field | undefined;
  private readonly wordIds = new TermIds();
  private readonly gramIds = new TermIds(COMPUTED_TRIGRAMS);
  private count = 0;

  constructor(
    private readonly trigramMaxRows: number,
    private readonly bm25: LexicalBm25 = LEXICAL_BM25,
  ) {
    this.words = new Bm25Field(bm25.words);
    this.titles = new Bm25Field(bm25.titles);
    this.places = new Bm25Field(bm25.places);
    this.grams = new Bm25Field(bm25.trigrams);
  }

  get size(): number {
    return this.count;
  }

  /** Whether the trigram ranking is available at this size. */
  get hasTrigrams(): boolean {
    return this.grams !== undefined;
  }

  chunksOf(source: string): readonly LiveChunk[] {
    return this.bySource.get(source) ?? [];
  }

  /** Replaces every chunk of `source`; returns the new records. */
  replace(
    source: string,
    chunks: readonly (Chunk & { vector?: Float32Array; access?: readonly string[] })[],
    withVectors: boolean,
  ): LiveChunk[] {
    this.remove(source);
    const lead = pageLead(chunks);
    const records = chunks.map((chunk) => this.insert(chunk, withVectors, lead));
    if (records.length > 0) this.bySource.set(source, records);
    this.resizeTrigrams();
    return records;
  }

  /** Removes every chunk of `source`; returns how many there were. */
  remove(source: string): number {
    const records = this.bySource.get(source);
    if (!records) return 0;
    this.bySource.delete(source);
    for (const record of records) {
      const { words, titles, places, grams } = this.analyze(record, this.grams !== undefined);
      this.words.remove(record.slot, words);
      this.titles.remove(record.slot, titles);
      this.places.remove(record.slot, places);
      this.grams?.remove(record.slot, grams);
      this.alive[record.slot] = 0;
      this.slots[record.slot] = undefined;
      this.dead.push(record.slot);
      this.count -= 1;
    }
    if (this.dead.length >= Math.max(PURGE_MIN_DEAD, this.count / 4)) this.purge();
    this.resizeTrigrams();
    return records.length;
  }

  /** BM25 over stemmed words (and the place field), question words left out of the query. */
  keyword(text: string, limit: number, filter?: SearchFilter): Ranked[] {
    const terms = wordTerms(tokenize(contentQuery(text))).map((t) => this.wordIds.id(t, false));
    const known = new Set(terms.filter((id) => id >= 0));
    const touched: number[] = [];
    if (this.bm25.titles.weight > 0)
      this.titles.score(known, this.alive, this.acc, touched, this.bm25.titles.weight);
    if (this.bm25.places.weight > 0)
      this.places.score(known, this.alive, this.acc, touched, this.bm25.places.weight);
    return this.rank(this.words, known, limit, filter, touched);
  }

  /** BM25 over the trigrams of the query's content words; empty above `trigramMaxRows`. */
  trigram(text: string, limit: number, filter?: SearchFilter): Ranked[] {
    if (!this.grams) return [];
    // Stop words would add trigrams ("the", "and") found in every chunk: noise, and slow.
    const tokens = tokenize(text).filter((w) => !STOP_WORDS.has(w));
    const terms = trigramIds(tokens.join(' '), this.gramIds, false);
    return this.rank(this.grams, new Set(terms.filter((id) => id >= 0)), limit, filter);
  }

  private rank(
    field: Bm25Field,
    terms: Set<number>,
    limit: number,
    filter: SearchFilter | undefined,
    touched: number[] = [],
  ): Ranked[] {
    field.score(terms, this.alive, this.acc, touched);
    const matches = filterMatcher(filter);
    const accept = matches && ((slot: number) => matches(this.slots[slot]!));
    return topSlots(touched, this.acc, limit, accept).map(({ slot, score }) => ({
      chunk: this.slots[slot]!,
      score,
    }));
  }

  private insert(
    chunk: Chunk & { vector?: Float32Array; access?: readonly string[] },
    withVector: boolean,
    lead: string | undefined,
  ): LiveChunk {
    const slot = this.free.pop() ?? this.slots.length;
    if (slot >= this.alive.length) {
      const size = Math.max(slot + 1, this.alive.length * 2);
      const alive = new Uint8Array(size);
      alive.set(this.alive);
      this.alive = alive;
      this.acc = new Float32Array(size);
    }
    const record: LiveChunk = {
      slot,
      id: chunk.id,
      source: chunk.source,
      content: chunk.content,
      ...(chunk.title !== undefined && { title: chunk.title }),
      ...(chunk.heading !== undefined && { heading: chunk.heading }),
      position: chunk.position,
      metadata: chunk.metadata,
      metadataJson: JSON.stringify(chunk.metadata),
      metadataTerms: Object.entries(chunk.metadata).map(([k, v]) => metadataTerm(k, v)),
      access: chunk.access ?? [EVERYONE],
      ...(lead !== undefined && { lead }),
      ...(withVector && chunk.vector && { vector: chunk.vector }),
    };
    const { words, titles, places, grams } = this.analyze(record, this.grams !== undefined);
    this.words.add(slot, words);
    this.titles.add(slot, titles);
    this.places.add(slot, places);
    this.grams?.add(slot, grams);
    this.slots[slot] = record;
    this.alive[slot] = 1;
    this.count += 1;
    return record;
  }

  private purge(): void {
    this.words.purge(this.alive);
    this.titles.purge(this.alive);
    this.places.purge(this.alive);
    this.grams?.purge(this.alive);
    this.free.push(...this.dead);
    this.dead.length = 0;
  }

  /** Drops the trigram postings above the limit; rebuilds them at 90% of it (hysteresis). */
  private resizeTrigrams(): void {
    if (this.grams && this.count > this.trigramMaxRows) {
      this.grams = undefined;
    } else if (!this.grams && this.count <= this.trigramMaxRows * 0.9) {
      const grams = new Bm25Field(this.bm25.trigrams);
      for (const record of this.slots) {
        if (record) grams.add(record.slot, this.analyze(record, true).grams);
      }
      this.grams = grams;
    }
  }

  /**
   * The term ids of each field: the words (title, heading path, the document's lead and the
   * content: what both rankings see), the title alone, and the heading path with the lead.
   */
  private analyze(
    chunk: Chunk & { lead?: string },
    withGrams: boolean,
  ): { words: Int32Array; titles: Int32Array; places: Int32Array; grams: Int32Array } {
    const text = [chunk.title, chunk.heading, chunk.lead, chunk.content].filter(Boolean).join('\n');
    const tokens = tokenize(text);
    const ids = (terms: string[]) => Int32Array.from(terms, (t) => this.wordIds.id(t, true));
    const placeText = [chunk.heading, chunk.lead].filter(Boolean).join('\n');
    return {
      words: ids(wordTerms(tokens)),
      titles: ids(wordTerms(tokenize(chunk.title ?? ''))),
      places: ids(wordTerms(tokenize(placeText))),
      grams: withGrams
        ? Int32Array.from(trigramIds(tokens.join(' '), this.gramIds, true))
        : new Int32Array(0),
    };
  }
}

/**
 * The character trigrams of `text` (tokens joined by spaces, so trigrams span word boundaries
 * as well as word pieces) as term ids; -1 for a trigram never indexed when `create` is false.
 */
function trigramIds(text: string, interned: TermIds, create: boolean): number[] {
  const ids: number[] = [];
  for (let i = 0; i + 3 <= text.length; i++) {
    const a = asciiCode(text.charCodeAt(i));
    const b = asciiCode(text.charCodeAt(i + 1));
    const c = asciiCode(text.charCodeAt(i + 2));
    ids.push(
      a >= 0 && b >= 0 && c >= 0
        ? (a * 37 + b) * 37 + c
        : interned.id(text.slice(i, i + 3), create),
    );
  }
  return ids;
}

/** A search filter as a predicate on live chunks; undefined when nothing is filtered. */
export function filterMatcher(
  filter: SearchFilter | undefined,
): ((chunk: LiveChunk) => boolean) | undefined {
  if (!filter) return undefined;
  const { source, readers } = filter;
  const terms = Object.entries(filter.metadata ?? {}).map(([k, v]) => metadataTerm(k, v));
  if (source === undefined && terms.length === 0 && readers === undefined) return undefined;
  return (chunk) =>
    (source === undefined || chunk.source === source) &&
    terms.every((term) => chunk.metadataTerms.includes(term)) &&
    (readers === undefined || chunk.access.some((principal) => readers.includes(principal)));
}

/** A search result from a live chunk, with `score` already on the common scale. */
export function liveHit(chunk: LiveChunk, score: number): SearchHit {
  return {
    id: chunk.id,
    source: chunk.source,
    content: chunk.content,
    ...(chunk.title !== undefined && { title: chunk.title }),
    ...(chunk.heading !== undefined && { heading: chunk.heading }),
    position: chunk.position,
    metadata: JSON.parse(chunk.metadataJson) as SearchHit['metadata'],
    score,
  };
}

/** A copy of the stored chunk without the index's bookkeeping (its metadata parsed afresh). */
export function liveChunk(chunk: LiveChunk): Chunk {
  return {
    id: chunk.id,
    source: chunk.source,
    content: chunk.content,
    ...(chunk.title !== undefined && { title: chunk.title }),
    ...(chunk.heading !== undefined && { heading: chunk.heading }),
    position: chunk.position,
    metadata: JSON.parse(chunk.metadataJson) as Chunk['metadata'],
  };
}
