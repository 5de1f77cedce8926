// The synthetic part of the document section: one index grown from size to size; at each size,
// ingest throughput (split by stage), search latency per mode, RSS and a hybrid-stage profile.
import { HashingEmbedder } from '../src/adapters/local/hashing-embedder.js';
import { LanceDbVectorStore } from '../src/adapters/local/lancedb-vector-store.js';
import { DocumentService } from '../src/documents/document-service.js';
import type { SearchMode } from '../src/ports/vector-store.js';
import type { BenchConfig } from './bench-config.js';
import { profileHybrid } from './doc-search-profile.js';
import type { SizeResult } from './documents-report.js';
import { TimedEmbedder, TimedVectorStore } from './ingest-timers.js';
import { progress } from './section.js';
import { percentile } from './stats.js';
import { CHUNKS_PER_DOCUMENT, SyntheticCorpus } from './synthetic-corpus.js';

/** Synthetic documents per ingestMany call: 10,000 chunks. */
const BATCH_DOCUMENTS = 2_500;
const MODES: readonly SearchMode[] = ['hybrid', 'vector', 'keyword'];
const QUERY_SEED = 1_001;
const WARMUP_SEED = 2_002;
/** Queries whose hybrid stages are timed one by one, per size. */
export const PROFILE_QUERIES = 30;

export async function measureSizes(
  options: BenchConfig['documents'],
  dataDir: string,
  limit: number,
  rssMb: () => number,
): Promise<SizeResult[]> {
  const corpus = new SyntheticCorpus();
  const queries = corpus.queries(options.queries, QUERY_SEED);
  const warmup = corpus.queries(options.warmup, WARMUP_SEED);
  const hashing = new HashingEmbedder();
  const embedder = new TimedEmbedder(hashing);
  const lance = await LanceDbVectorStore.open({ dataDir, embedder: hashing });
  const store = new TimedVectorStore(lance);
  const service = new DocumentService({ store, embedder });
  const results: SizeResult[] = [];
  let documents = 0;
  let chunks = 0;
  try {
    for (const size of options.sizes) {
      progress(`documents: growing the index to ${size.toLocaleString('en-US')} chunks`);
      const target = Math.ceil(size / CHUNKS_PER_DOCUMENT);
      embedder.reset();
      store.reset();
      let ingestMs = 0;
      const before = chunks;
      while (documents < target) {
        const batch = corpus.documents(documents, Math.min(BATCH_DOCUMENTS, target - documents));
        const started = performance.now(); // text generation is not ingest time
        const ingested = await service.ingestMany(batch);
        ingestMs += performance.now() - started;
        chunks += ingested.reduce((sum, r) => sum + r.chunks, 0);
        documents += batch.length;
      }
      const optimizeStarted = performance.now();
      await lance.optimize();
      const optimizeMs = performance.now() - optimizeStarted;

      progress(`documents: up to ${queries.length} queries per mode at ${chunks} chunks`);
      const search = await timeSearches(service, queries, warmup, limit, options.searchSeconds);
      const rss = rssMb();
      progress(`documents: timing hybrid stages at ${chunks} chunks`);
      const profile = await profileHybrid(
        lance,
        hashing,
        queries.slice(0, PROFILE_QUERIES),
        limit,
        chunks >= 20_000,
      );
      results.push({
        chunks,
        added: chunks - before,
        ingestSeconds: (ingestMs + optimizeMs) / 1000,
        embedSeconds: embedder.spentMs / 1000,
        writeSeconds: store.writeMs / 1000,
        optimizeSeconds: optimizeMs / 1000,
        rssMb: rss,
        ...search,
        profile,
      });
    }
    return results;
  } finally {
    await store.close();
  }
}

/**
 * Warm-up, then the timed queries with the modes interleaved per query, so that load changes
 * during the run hit every mode alike. Stops early at the time cap (a slow index).
 */
async function timeSearches(
  service: DocumentService,
  queries: readonly string[],
  warmup: readonly string[],
  limit: number,
  capSeconds: number,
): Promise<Pick<SizeResult, 'queries' | 'search'>> {
  for (const query of warmup) {
    for (const mode of MODES) await service.search({ query, mode, limit });
  }
  const samples = MODES.map(() => [] as number[]);
  const hits = MODES.map(() => 0);
  const started = performance.now();
  let run = 0;
  for (const query of queries) {
    if (performance.now() - started > capSeconds * 1000) break;
    run++;
    for (const [i, mode] of MODES.entries()) {
      const t0 = performance.now();
      const found = await service.search({ query, mode, limit });
      samples[i]!.push(performance.now() - t0);
      hits[i]! += found.length;
    }
  }
  return {
    queries: run,
    search: MODES.map((mode, i) => ({
      mode,
      p50Ms: percentile(samples[i]!, 50),
      p99Ms: percentile(samples[i]!, 99),
      meanHits: hits[i]! / run,
    })),
  };
}
