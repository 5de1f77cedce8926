/**
 * Grid search of the embedded index's lexical settings on the BEIR SciFact TRAIN queries: BM25
 * k1 and b of the word and trigram rankings, and the hybrid fusion (RRF k, trigram and vector
 * weights). Chunks the corpus as ingestion does and ranks with the store's own LiveChunks, in
 * memory (no LanceDB), so a grid of hundreds of settings takes minutes; check the winner with
 * `pnpm eval:retrieval`, which goes through the store.
 *
 *   pnpm tune:lexical -- --word-k1 0.9,1.2 --word-b 0.6,0.75 --k 10,20 --trigram-weight 0.5,0.7
 *   --gram-k1, --gram-b, --vector-weight   further lists (vector: HashingEmbedder, exact cosine)
 *   --top 20                               rows printed, best hybrid nDCG@10 first
 *
 * The test split is refused: it is held out for the final figure.
 */
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { HashingEmbedder } from '../src/adapters/local/hashing-embedder.js';
import { LiveChunks } from '../src/adapters/local/lancedb-live-chunks.js';
import { LEXICAL_BM25, type Bm25Parameters } from '../src/adapters/local/lancedb-bm25.js';
import { HASHING_EMBEDDER_FUSION } from '../src/adapters/local/hybrid-fusion.js';
import { chunkDocument } from '../src/documents/chunker.js';
import { embeddingText } from '../src/documents/embed-chunks.js';
import { fuseByReciprocalRank, hybridCandidateCount } from '../src/documents/score-scale.js';
import type { Chunk } from '../src/ports/vector-store.js';
import { loadBeir } from './eval/beir-data.js';
import { distinctSources, mean, ndcgAt, recallAt, type Judgments } from './eval/ir-metrics.js';

/** As scripts/eval-retrieval.ts: 200 chunks per query, scored as up to 100 documents. */
const CHUNKS_PER_QUERY = 200;
const DEPTH = hybridCandidateCount(CHUNKS_PER_QUERY);

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    data: { type: 'string' },
    split: { type: 'string', default: 'train' },
    'word-k1': { type: 'string', default: String(LEXICAL_BM25.words.k1) },
    'word-b': { type: 'string', default: String(LEXICAL_BM25.words.b) },
    'gram-k1': { type: 'string', default: String(LEXICAL_BM25.trigrams.k1) },
    'gram-b': { type: 'string', default: String(LEXICAL_BM25.trigrams.b) },
    k: { type: 'string', default: String(HASHING_EMBEDDER_FUSION.k) },
    'trigram-weight': { type: 'string', default: String(HASHING_EMBEDDER_FUSION.trigramWeight) },
    'vector-weight': { type: 'string', default: '0' },
    top: { type: 'string', default: '20' },
  },
});
if (args.split === 'test')
  throw new Error('--split test: the test split is held out; tune on train');

const list = (name: keyof typeof args): number[] => String(args[name]).split(',').map(Number);
const grid = <T>(a: readonly number[], b: readonly number[], f: (x: number, y: number) => T): T[] =>
  a.flatMap((x) => b.map((y) => f(x, y)));

interface Query {
  text: string;
  judgments: Judgments;
}

async function main(): Promise<void> {
  const dataDir = resolve(
    args.data ?? process.env.SCIFACT_DIR ?? join(repoRoot, '../shared/data/scifact'),
  );
  const data = await loadBeir(dataDir, [args.split]);
  const queries: Query[] = [...data.qrels.get(args.split)!].map(([id, judgments]) => ({
    text: data.queries.get(id) ?? '',
    judgments,
  }));
  const chunks = data.corpus.flatMap((doc) =>
    chunkDocument({
      source: doc.id,
      content: doc.text,
      contentType: 'text/plain',
      ...(doc.title && { title: doc.title }),
    }),
  );
  const bySource = new Map<string, Chunk[]>();
  for (const chunk of chunks)
    bySource.set(chunk.source, [...(bySource.get(chunk.source) ?? []), chunk]);
  console.error(`${chunks.length} chunks, ${queries.length} ${args.split} queries`);

  // Each ranking once per setting, as chunk ids; fusion settings then only recombine them.
  const rankings = (
    bm25: { words: Bm25Parameters; trigrams: Bm25Parameters },
    rank: (live: LiveChunks, text: string) => { chunk: Chunk }[],
  ): string[][] => {
    const live = new LiveChunks(Number.MAX_SAFE_INTEGER, { ...LEXICAL_BM25, ...bm25 });
    for (const [source, list] of bySource) live.replace(source, list, false);
    return queries.map((q) => rank(live, q.text).map((r) => r.chunk.id));
  };
  const wordSettings = grid(list('word-k1'), list('word-b'), (k1, b) => ({ k1, b }));
  const gramSettings = grid(list('gram-k1'), list('gram-b'), (k1, b) => ({ k1, b }));
  const keyword = wordSettings.map((words) =>
    rankings({ words, trigrams: LEXICAL_BM25.trigrams }, (live, text) => live.keyword(text, DEPTH)),
  );
  const trigram = gramSettings.map((trigrams) =>
    rankings({ words: LEXICAL_BM25.words, trigrams }, (live, text) => live.trigram(text, DEPTH)),
  );
  const vectorWeights = list('vector-weight');
  const vector = vectorWeights.some((w) => w > 0) ? await vectorRankings(chunks, queries) : [];

  const sourceOf = new Map(chunks.map((c) => [c.id, c.source]));
  const evaluate = (ranked: (i: number) => string[]) => {
    const scores = queries.map((q, i) => {
      const docs = distinctSources(ranked(i).map((id) => ({ source: sourceOf.get(id)! })));
      return { ndcg: ndcgAt(10, docs, q.judgments), recall: recallAt(100, docs, q.judgments) };
    });
    return { ndcg: mean(scores.map((s) => s.ndcg)), recall: mean(scores.map((s) => s.recall)) };
  };

  for (const [w, words] of wordSettings.entries()) {
    const { ndcg, recall } = evaluate((i) => keyword[w]![i]!.slice(0, CHUNKS_PER_QUERY));
    console.log(
      `keyword k1 ${words.k1} b ${words.b}: nDCG@10 ${f4(ndcg)} Recall@100 ${f4(recall)}`,
    );
  }
  const rows: { label: string; ndcg: number; recall: number }[] = [];
  for (const [w, words] of wordSettings.entries())
    for (const [g, grams] of gramSettings.entries())
      for (const k of list('k'))
        for (const trigramWeight of list('trigram-weight'))
          for (const vectorWeight of vectorWeights) {
            const fused = (i: number) =>
              fuseByReciprocalRank(
                [vectorWeight > 0 ? vector[i]! : [], keyword[w]![i]!, trigram[g]![i]!],
                (id) => id,
                { k, weights: [vectorWeight, 1, trigramWeight] },
              )
                .slice(0, CHUNKS_PER_QUERY)
                .map((h) => h.item);
            rows.push({
              label:
                `words k1 ${words.k1} b ${words.b}; trigrams k1 ${grams.k1} b ${grams.b}; ` +
                `k ${k} trigram ${trigramWeight} vector ${vectorWeight}`,
              ...evaluate(fused),
            });
          }
  rows.sort((a, b) => b.ndcg - a.ndcg);
  for (const row of rows.slice(0, Number(args.top)))
    console.log(`hybrid ${row.label}: nDCG@10 ${f4(row.ndcg)} Recall@100 ${f4(row.recall)}`);
}

/** Exact cosine ranking of every chunk by HashingEmbedder, as the store's vector search. */
async function vectorRankings(chunks: readonly Chunk[], queries: readonly Query[]) {
  const embedder = new HashingEmbedder();
  const vectors = await embedder.embed(
    chunks.map((c) => embeddingText(c, embedder.maxInputChars)),
    'document',
  );
  const queryVectors = await embedder.embed(
    queries.map((q) => q.text),
    'query',
  );
  return queryVectors.map((q) =>
    vectors
      .map((v, i) => ({ id: chunks[i]!.id, score: v.reduce((s, x, j) => s + x * q[j]!, 0) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, DEPTH)
      .map((h) => h.id),
  );
}

const f4 = (x: number): string => x.toFixed(4);

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
