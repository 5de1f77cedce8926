// The document-index-at-scale section of `pnpm bench`, on the built server (dist) as users run
// it: SciFact through `ingest_document` over stdio one document per call vs the CLI batch
// ingest of the same files (time, disk, versions and files); search latency with the 300 real
// SciFact test queries over stdio right after each, and on a 100,000-chunk index (SciFact plus
// generated text); disk at rest after re-ingesting every document and deleting half.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HashingEmbedder } from '../src/adapters/local/hashing-embedder.js';
import { LanceDbVectorStore } from '../src/adapters/local/lancedb-vector-store.js';
import { DocumentService } from '../src/documents/document-service.js';
import type { SearchMode } from '../src/ports/vector-store.js';
import { loadBeir, type BeirDocument } from '../scripts/eval/beir-data.js';
import { snapshotCli } from '../scripts/eval/tool-ingest.js';
import type { BenchConfig } from './bench-config.js';
import { diskUsage, liveRowBytes, type DiskUsage } from './doc-disk.js';
import { renderScale, type LatencyRow } from './doc-scale-report.js';
import { startServer, type McpProcess } from './mcp-process.js';
import { progress, runSection } from './section.js';
import { percentile } from './stats.js';
import { SyntheticCorpus } from './synthetic-corpus.js';

const MODES: readonly SearchMode[] = ['hybrid', 'keyword', 'vector'];
const LIMIT = 10;
const WARMUP = 20;

async function scaleSection(config: BenchConfig): Promise<string> {
  const { scifactDir, scifactDocs, largeChunks } = config.documents;
  if (!existsSync(join(scifactDir, 'corpus.jsonl')))
    return `Skipped: no SciFact corpus in ${scifactDir} (set SCIFACT_DIR).`;
  const cliPath = snapshotCli();
  const data = await loadBeir(scifactDir, ['test']);
  const corpus = scifactDocs === undefined ? data.corpus : data.corpus.slice(0, scifactDocs);
  const queries = [...data.qrels.get('test')!.keys()].map((id) => data.queries.get(id) ?? '');
  const root = mkdtempSync(join(tmpdir(), 'chatbot-mcp-bench-scale-'));
  try {
    const files = join(root, 'files');
    mkdirSync(files);
    for (const doc of corpus) writeFileSync(join(files, `${doc.id}.md`), markdown(doc));

    progress(`scale: CLI batch ingest of ${corpus.length} SciFact documents`);
    const batchDir = join(root, 'batch');
    const started = performance.now();
    const cli = spawnSync(process.execPath, [cliPath, 'ingest', files, '--data-dir', batchDir], {
      encoding: 'utf8',
    });
    if (cli.status !== 0) throw new Error(`CLI ingest failed: ${cli.stderr}`);
    const batch = { seconds: (performance.now() - started) / 1000, disk: diskUsage(batchDir) };

    progress(`scale: ingest_document over stdio, one call per document`);
    const toolDir = join(root, 'tool');
    const server = await serve(cliPath, toolDir);
    const callMs: number[] = [];
    const toolStarted = performance.now();
    for (const doc of corpus) {
      const t0 = performance.now();
      await server.call('ingest_document', {
        source: `${doc.id}.md`,
        content: markdown(doc),
        content_type: 'text/markdown',
      });
      callMs.push(performance.now() - t0);
    }
    const toolSeconds = (performance.now() - toolStarted) / 1000;
    progress('scale: real queries right after the one-at-a-time ingest');
    const afterTool = await timeQueries(server, queries, 'SciFact, after one-at-a-time ingest');
    await stop(server);
    const tool = { seconds: toolSeconds, disk: diskUsage(toolDir), callMs };
    const toolLive = await liveRowBytes(toolDir);

    progress('scale: real queries on the batch-ingested index');
    const batchServer = await serve(cliPath, batchDir);
    const afterBatch = await timeQueries(batchServer, queries, 'SciFact, after CLI batch ingest');
    await stop(batchServer);

    progress('scale: re-ingest every document (updates), then delete half');
    const churn = await serve(cliPath, toolDir);
    for (const doc of corpus) {
      await churn.call('ingest_document', {
        source: `${doc.id}.md`,
        content: `${markdown(doc)}\n\nRevised.`,
        content_type: 'text/markdown',
      });
    }
    const afterUpdates = diskUsage(toolDir);
    for (const doc of corpus.filter((_, i) => i % 2 === 0))
      await churn.call('delete_document', { source: `${doc.id}.md` });
    await stop(churn);
    const atRest = diskUsage(toolDir);
    const atRestLive = await liveRowBytes(toolDir);

    progress(`scale: growing a copy of the SciFact index to ${largeChunks} chunks`);
    const largeDir = join(root, 'large');
    const large = await growIndex(batchDir, largeDir, root, largeChunks);
    const largeServer = await serve(cliPath, largeDir);
    const onLarge = await timeQueries(
      largeServer,
      queries,
      `${large.toLocaleString('en-US')} chunks (SciFact + generated)`,
    );
    await stop(largeServer);

    return renderScale({
      documents: corpus.length,
      batch,
      tool,
      liveBytes: { batch: await liveRowBytes(batchDir), tool: toolLive, atRest: atRestLive },
      afterUpdates,
      atRest,
      latency: [...afterBatch, ...afterTool, ...onLarge],
      queries: queries.length,
      limit: LIMIT,
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function markdown(doc: BeirDocument): string {
  return doc.title ? `# ${doc.title}\n\n${doc.text}` : doc.text;
}

function serve(cliPath: string, dataDir: string): Promise<McpProcess> {
  return startServer({
    label: 'chatbot-mcp-server',
    args: [cliPath, '--data-dir', dataDir],
    cwd: tmpdir(),
  });
}

/** SIGTERM, as a host stopping it does, and wait for the exit: the store closes (flush, compaction). */
async function stop(server: McpProcess): Promise<void> {
  process.kill(server.pid, 'SIGTERM');
  while (existsSync(`/proc/${server.pid}`)) await new Promise((r) => setTimeout(r, 50));
  await server.close();
}

/** Warm-up, then every query once per mode, modes interleaved per query. */
async function timeQueries(
  server: McpProcess,
  queries: readonly string[],
  index: string,
): Promise<LatencyRow[]> {
  for (const query of queries.slice(0, WARMUP))
    for (const mode of MODES) await server.call('search_documents', { query, mode, limit: LIMIT });
  const samples = MODES.map(() => [] as number[]);
  for (const query of queries) {
    for (const [i, mode] of MODES.entries()) {
      const t0 = performance.now();
      await server.call('search_documents', { query, mode, limit: LIMIT });
      samples[i]!.push(performance.now() - t0);
    }
  }
  return MODES.map((mode, i) => ({
    index,
    mode,
    p50Ms: percentile(samples[i]!, 50),
    p99Ms: percentile(samples[i]!, 99),
  }));
}

/** A copy of the SciFact index plus generated documents up to `chunks`, in-process batches. */
async function growIndex(from: string, to: string, root: string, chunks: number): Promise<number> {
  const copy = spawnSync('cp', ['-r', from, to]);
  if (copy.status !== 0) throw new Error(`cp failed: ${String(copy.stderr)}`);
  const embedder = new HashingEmbedder();
  const store = await LanceDbVectorStore.open({ dataDir: to, embedder });
  const service = new DocumentService({ store, embedder });
  const corpus = new SyntheticCorpus();
  let total =
    (await store.listDocuments({ limit: 1 })).documents.length > 0 ? await count(store) : 0;
  for (let next = 0; total < chunks;) {
    // Four chunks a document: batches of up to 10,000 chunks, stopping near the target.
    const batch = Math.min(2_500, Math.ceil((chunks - total) / 4));
    const results = await service.ingestMany(corpus.documents(next, batch));
    next += batch;
    total += results.reduce((sum, r) => sum + r.chunks, 0);
  }
  await store.close();
  void root;
  return total;
}

async function count(store: LanceDbVectorStore): Promise<number> {
  let chunks = 0;
  let cursor: string | undefined;
  do {
    const page = await store.listDocuments({ limit: 100, ...(cursor !== undefined && { cursor }) });
    chunks += page.documents.reduce((sum, d) => sum + d.chunks, 0);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return chunks;
}

export type { DiskUsage };

runSection('Document index at scale (stdio, the built server, real queries)', scaleSection);
