/**
 * Retrieval quality of the local document pipeline on BEIR SciFact: ingests the corpus through
 * DocumentService (HashingEmbedder + LanceDbVectorStore) into a temporary data folder, then
 * prints nDCG@10 and Recall@100 per search mode and split, with ingest time.
 *
 *   pnpm eval:retrieval                      full corpus, train and test splits
 *   pnpm eval:retrieval -- --subset 50       first 50 test queries, their documents and
 *                                            seeded distractors (a CI smoke run)
 *   --data <dir> or SCIFACT_DIR              the BEIR folder (default ../shared/data/scifact
 *                                            from the repository root)
 *   --ingest tool                            ingest as an MCP host does: the built server
 *                                            (`pnpm build` first) over stdio, one
 *                                            `ingest_document` call per document; then the
 *                                            same index is opened here and evaluated
 *                                            (default: batch, `ingestMany` in this process)
 *   --k, --vector-weight, --trigram-weight   hybrid fusion overrides (tune on train only)
 *
 * Settings are tuned on the train split only; test is the held-out score.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { HashingEmbedder } from '../src/adapters/local/hashing-embedder.js';
import type { HybridFusion } from '../src/adapters/local/hybrid-fusion.js';
import { LanceDbVectorStore } from '../src/adapters/local/lancedb-vector-store.js';
import { DocumentService } from '../src/documents/document-service.js';
import type { SearchMode } from '../src/ports/vector-store.js';
import { loadBeir, type BeirDataset, type BeirDocument } from './eval/beir-data.js';
import { distinctSources, mean, ndcgAt, recallAt, type Judgments } from './eval/ir-metrics.js';
import { seededSample } from './eval/seeded-sample.js';
import { ingestThroughTool } from './eval/tool-ingest.js';

/** Documents scored per query. The search tool's limit is 20; this goes through `retrieve`. */
const DOCS_PER_QUERY = 100;
/** Chunks fetched per query so that about DOCS_PER_QUERY distinct documents remain. */
const CHUNKS_PER_QUERY = 2 * DOCS_PER_QUERY;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const { values: args } = parseArgs({
  // pnpm passes a literal `--` through (`pnpm eval:retrieval -- --subset 50`).
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    data: { type: 'string' },
    subset: { type: 'string' },
    distractors: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '42' },
    splits: { type: 'string' },
    modes: { type: 'string', default: 'hybrid,vector,keyword' },
    'chunk-target': { type: 'string' },
    'chunk-overlap': { type: 'string' },
    concurrency: { type: 'string', default: '4' },
    json: { type: 'string' },
    ingest: { type: 'string', default: 'batch' },
    k: { type: 'string' },
    'vector-weight': { type: 'string' },
    'trigram-weight': { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});

const dataDir = resolve(
  args.data ?? process.env.SCIFACT_DIR ?? join(repoRoot, '../shared/data/scifact'),
);
const subset = args.subset === undefined ? undefined : positiveInt('--subset', args.subset);
const splits = (args.splits ?? (subset ? 'test' : 'train,test')).split(',');
const modes = args.modes.split(',') as SearchMode[];
if (args.ingest !== 'batch' && args.ingest !== 'tool')
  throw new Error(`--ingest: batch or tool, not ${args.ingest}`);
const fusion: Partial<HybridFusion> = {
  ...(args.k !== undefined && { k: Number(args.k) }),
  ...(args['vector-weight'] !== undefined && { vectorWeight: Number(args['vector-weight']) }),
  ...(args['trigram-weight'] !== undefined && { trigramWeight: Number(args['trigram-weight']) }),
};

interface Row {
  mode: SearchMode;
  split: string;
  queries: number;
  ndcg10: number;
  recall100: number;
}

async function main(): Promise<void> {
  const data = await loadBeir(dataDir, splits);
  if (subset)
    restrictToSubset(
      data,
      subset,
      positiveInt('--distractors', args.distractors),
      Number(args.seed),
    );

  const folder = await mkdtemp(join(tmpdir(), 'scifact-eval-'));
  const embedder = new HashingEmbedder();
  const chunking = {
    ...(args['chunk-target'] && {
      targetChars: positiveInt('--chunk-target', args['chunk-target']),
    }),
    ...(args['chunk-overlap'] !== undefined && { overlapChars: Number(args['chunk-overlap']) }),
  };
  const started = performance.now();
  let chunks = 0;
  if (args.ingest === 'tool') {
    if (Object.keys(chunking).length > 0)
      throw new Error('--chunk-target and --chunk-overlap apply to --ingest batch only');
    const ingest = await ingestThroughTool(
      folder,
      data.corpus.map((doc) => ({
        source: doc.id,
        content: doc.text,
        content_type: 'text/plain' as const,
        ...(doc.title && { title: doc.title }),
      })),
      (done) => console.error(`ingest_document: ${done} of ${data.corpus.length}`),
    );
    chunks = ingest.chunks;
  }
  // The store picks the fusion tuned for this embedder (HASHING_EMBEDDER_FUSION).
  const store = await LanceDbVectorStore.open({ dataDir: folder, embedder, fusion });
  const service = new DocumentService({ store, embedder, chunking });
  try {
    if (args.ingest === 'batch') {
      for (let i = 0; i < data.corpus.length; i += 1_000) {
        const results = await service.ingestMany(
          data.corpus.slice(i, i + 1_000).map(toIngestInput),
        );
        chunks += results.reduce((sum, r) => sum + r.chunks, 0);
      }
      await store.optimize();
    }
    const ingestSeconds = (performance.now() - started) / 1000;
    console.log(
      `SciFact from ${dataDir}: ${data.corpus.length} documents → ${chunks} chunks, ` +
        `ingest (${args.ingest === 'tool' ? 'ingest_document over stdio, one call per document' : 'ingestMany in batches of 1,000'}) ` +
        `${ingestSeconds.toFixed(1)} s (${Math.round(chunks / ingestSeconds)} chunks/s)\n` +
        `embedder ${embedder.id}${Object.keys(fusion).length > 0 ? `; fusion overrides ${JSON.stringify(fusion)}` : ''}\n`,
    );

    const rows: Row[] = [];
    for (const mode of modes) {
      for (const split of splits) {
        const qrels = data.qrels.get(split)!;
        const scores = await mapPool(
          [...qrels],
          positiveInt('--concurrency', args.concurrency),
          async ([qid, judgments]) => score(service, mode, data.queries.get(qid) ?? '', judgments),
        );
        rows.push({
          mode,
          split,
          queries: scores.length,
          ndcg10: mean(scores.map((s) => s.ndcg)),
          recall100: mean(scores.map((s) => s.recall)),
        });
        const row = rows[rows.length - 1]!;
        console.log(
          `${mode.padEnd(8)} ${split.padEnd(6)} ${String(row.queries).padStart(4)} queries  ` +
            `nDCG@10 ${row.ndcg10.toFixed(4)}  Recall@100 ${row.recall100.toFixed(4)}`,
        );
      }
    }
    if (args.json) {
      const report = {
        dataDir,
        subset,
        ingest: args.ingest,
        fusion,
        documents: data.corpus.length,
        chunks,
        ingestSeconds,
        embedder: embedder.id,
        rows,
      };
      await writeFile(args.json, JSON.stringify(report, null, 2) + '\n');
    }
  } finally {
    await store.close();
    if (!args.keep) await rm(folder, { recursive: true, force: true });
    else console.log(`index kept in ${folder}`);
  }
}

async function score(
  service: DocumentService,
  mode: SearchMode,
  query: string,
  judgments: Judgments,
): Promise<{ ndcg: number; recall: number }> {
  const hits = await service.retrieve({ query, mode, limit: CHUNKS_PER_QUERY });
  const ranked = distinctSources(hits).slice(0, DOCS_PER_QUERY);
  return {
    ndcg: ndcgAt(10, ranked, judgments),
    recall: recallAt(DOCS_PER_QUERY, ranked, judgments),
  };
}

function toIngestInput(doc: BeirDocument) {
  return {
    source: doc.id,
    content: doc.text,
    contentType: 'text/plain',
    ...(doc.title && { title: doc.title }),
  };
}

/** Keeps the first `n` test queries, the documents they judge, and seeded random distractors. */
function restrictToSubset(data: BeirDataset, n: number, distractors: number, seed: number): void {
  for (const [split, qrels] of data.qrels) {
    data.qrels.set(split, new Map([...qrels].slice(0, n)));
  }
  const needed = new Set(
    [...data.qrels.values()].flatMap((q) => [...q.values()].flatMap((j) => [...j.keys()])),
  );
  const others = data.corpus.filter((d) => !needed.has(d.id));
  const sampled = new Set(seededSample(others, distractors, seed).map((d) => d.id));
  data.corpus = data.corpus.filter((d) => needed.has(d.id) || sampled.has(d.id));
}

async function mapPool<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${name}: must be a positive integer, not ${value}`);
  return n;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
