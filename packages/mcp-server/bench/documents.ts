// The document-search section of `pnpm bench`, in-process on the embedded defaults
// (HashingEmbedder + LanceDbVectorStore through DocumentService, as the server builds them):
// SciFact ingest time, then search latency per mode and memory at growing synthetic index sizes.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HashingEmbedder } from '../src/adapters/local/hashing-embedder.js';
import { LanceDbVectorStore } from '../src/adapters/local/lancedb-vector-store.js';
import { DocumentService } from '../src/documents/document-service.js';
import { loadBeir } from '../scripts/eval/beir-data.js';
import type { BenchConfig } from './bench-config.js';
import { measureSizes, PROFILE_QUERIES } from './doc-sizes.js';
import { renderDocuments, type ScifactIngest } from './documents-report.js';
import { progress, runSection } from './section.js';

/** Documents per ingestMany call, as the eval does for SciFact. */
const SCIFACT_BATCH = 1_000;
const LIMIT = 5;

async function documentsSection(config: BenchConfig): Promise<string> {
  const options = config.documents;
  const tempRoot = mkdtempSync(join(tmpdir(), 'chatbot-mcp-bench-docs-'));
  try {
    const scifact = existsSync(join(options.scifactDir, 'corpus.jsonl'))
      ? await ingestScifact(options.scifactDir, options.scifactDocs, join(tempRoot, 'scifact'))
      : undefined;
    if (!scifact)
      progress(`documents: no SciFact corpus in ${options.scifactDir}; skipping its ingest`);
    const rssBeforeMb = rssMb();
    const sizes = await measureSizes(options, join(tempRoot, 'synthetic'), LIMIT, rssMb);
    return renderDocuments({
      scifact,
      rssBeforeMb,
      sizes,
      options,
      limit: LIMIT,
      profileQueries: PROFILE_QUERIES,
    });
  } finally {
    rmSync(tempRoot, { recursive: true, force: true });
  }
}

/** As scripts/eval-retrieval.ts does it: batches of 1,000 documents, then one optimize. */
async function ingestScifact(
  dir: string,
  limit: number | undefined,
  dataDir: string,
): Promise<ScifactIngest> {
  const data = await loadBeir(dir, []);
  const corpus = limit === undefined ? data.corpus : data.corpus.slice(0, limit);
  progress(`documents: ingesting ${corpus.length} SciFact documents from ${dir}`);
  const embedder = new HashingEmbedder();
  const store = await LanceDbVectorStore.open({ dataDir, embedder });
  const service = new DocumentService({ store, embedder });
  try {
    const started = performance.now();
    let chunks = 0;
    for (let i = 0; i < corpus.length; i += SCIFACT_BATCH) {
      const batch = corpus.slice(i, i + SCIFACT_BATCH).map((doc) => ({
        source: doc.id,
        content: doc.text,
        contentType: 'text/plain',
        ...(doc.title && { title: doc.title }),
      }));
      const results = await service.ingestMany(batch);
      chunks += results.reduce((sum, r) => sum + r.chunks, 0);
    }
    await store.optimize();
    return { documents: corpus.length, chunks, seconds: (performance.now() - started) / 1000 };
  } finally {
    await store.close();
  }
}

function rssMb(): number {
  return process.memoryUsage().rss / (1024 * 1024);
}

runSection('Document search (in-process, embedded defaults)', documentsSection);
