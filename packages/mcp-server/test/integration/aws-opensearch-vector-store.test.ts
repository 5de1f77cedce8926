import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOpenSearchClient } from '../../src/adapters/aws/opensearch-client.js';
import {
  OpenSearchVectorStore,
  type OpenSearchVectorStoreOptions,
} from '../../src/adapters/aws/opensearch-vector-store.js';
import { HashingEmbedder } from '../../src/adapters/local/hashing-embedder.js';
import { keywordSearchBody } from '../../src/adapters/aws/opensearch-queries.js';
import { KEYWORD_SCORE_SATURATION } from '../../src/documents/score-scale.js';
import { ConfigError, UpstreamError, ValidationError } from '../../src/errors.js';
import type { DocumentInfo, StoredChunk } from '../../src/ports/vector-store.js';
import {
  startFakeOpenSearchServer,
  type FakeOpenSearchServer,
} from '../support/fake-opensearch-server.js';

const embedder = new HashingEmbedder({ dimensions: 64 });

async function version(
  source: string,
  texts: string[],
  hash: string,
): Promise<[DocumentInfo, StoredChunk[]]> {
  const vectors = await embedder.embed(texts, 'document');
  const chunks = texts.map((content, position) => ({
    id: `${source}#${position}`,
    source,
    content,
    position,
    metadata: { hash },
    vector: vectors[position] as Float32Array,
  }));
  return [
    { source, chunks: chunks.length, contentHash: hash, ingestedAt: '2025-01-01T00:00:00.000Z' },
    chunks,
  ];
}

describe('OpenSearchVectorStore against a local fake OpenSearch server', () => {
  let fake: FakeOpenSearchServer;
  let counter = 0;
  const stores: OpenSearchVectorStore[] = [];

  beforeAll(async () => {
    fake = await startFakeOpenSearchServer({ rejectCustomIds: true });
  });
  afterAll(async () => {
    await fake.close();
  });
  afterEach(async () => {
    delete fake.rejectWrite;
    delete fake.failRequest;
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });

  const open = (options: Partial<OpenSearchVectorStoreOptions> = {}) => {
    const index = `store-${++counter}`;
    const store = new OpenSearchVectorStore({
      client: createOpenSearchClient({ node: fake.url }),
      embedder,
      index,
      ...options,
    });
    stores.push(store);
    return { store, index };
  };

  it('creates a k-NN chunk index and a documents index on first use', async () => {
    const { store, index } = open();

    await store.listDocuments({ limit: 1 });

    const chunks = fake.indexes.get(index);
    expect(chunks?.settings).toEqual({ index: { knn: true } });
    expect(chunks?.mappings).toMatchObject({
      _meta: { embedder: embedder.id },
      properties: {
        vector: {
          type: 'knn_vector',
          dimension: 64,
          method: { name: 'hnsw', space_type: 'cosinesimil', engine: 'faiss' },
        },
        content: { type: 'text', analyzer: 'english' },
        source: { type: 'keyword' },
        position: { type: 'integer' },
        metadata: { type: 'object' },
        metadata_json: { type: 'keyword', index: false },
      },
    });
    expect(fake.indexes.get(`${index}-documents`)?.mappings).toMatchObject({
      properties: { source: { type: 'keyword' } },
    });
  });

  it('writes chunks with _bulk index actions that carry no document ids', async () => {
    const { store, index } = open();
    const [document, chunks] = await version('a.md', ['alpha text', 'beta text'], 'v1');

    await store.replaceDocument(document, chunks);

    const bulk = fake.requests.find((request) => request.path === `/${index}/_bulk`);
    const lines = (bulk?.body ?? '')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((_, i) => i % 2 === 0)).toEqual([{ index: {} }, { index: {} }]);
    expect(lines[1]).toMatchObject({
      chunk_id: 'a.md#0',
      source: 'a.md',
      content: 'alpha text',
      metadata_json: '{"hash":"v1"}',
    });
    expect(fake.requests.some((request) => request.path.endsWith('/_delete_by_query'))).toBe(false);
  });

  it('keeps the previous version whole when writing the new one fails', async () => {
    const { store, index } = open();
    const [v1, v1Chunks] = await version('a.md', ['first version one', 'first version two'], 'v1');
    await store.replaceDocument(v1, v1Chunks);
    const [v2, v2Chunks] = await version(
      'a.md',
      ['second version one', 'second version two', 'second version three'],
      'v2',
    );
    fake.rejectWrite = (_index, doc) =>
      doc.chunk_id === 'a.md#2' ? 'failed to parse field [content]' : undefined;

    const failure = store.replaceDocument(v2, v2Chunks);

    await expect(failure).rejects.toThrow(UpstreamError);
    await expect(failure).rejects.toThrow(
      /rejected 1 of 3 writes .*failed to parse field \[content\].*previous version of "a.md" is unchanged/,
    );
    expect(await store.getDocument('a.md')).toEqual(v1);
    const [query] = await embedder.embed(['version'], 'query');
    const hits = await store.search({ text: 'version', vector: query, mode: 'hybrid', limit: 10 });
    expect(hits.map((hit) => hit.content).sort()).toEqual([
      'first version one',
      'first version two',
    ]);
    // The two chunks of v2 that did get written were removed again.
    expect(fake.indexes.get(index)?.live.size).toBe(2);
  });

  it('shows only the newest generation of a chunk while an older one is still visible', async () => {
    const { store, index } = open();
    const [v1, v1Chunks] = await version('a.md', ['old words about apples'], 'v1');
    await store.replaceDocument(v1, v1Chunks);
    const stale = structuredClone([...(fake.indexes.get(index)?.live.values() ?? [])][0]) as Record<
      string,
      unknown
    >;
    const [v2, v2Chunks] = await version('a.md', ['new words about apples'], 'v2');
    await store.replaceDocument(v2, v2Chunks);
    // As if the clean-up of v1 had not happened yet.
    fake.indexes.get(index)?.put('stale-copy', stale);
    fake.indexes.get(index)?.refresh();

    const hits = await store.search({ text: 'apples words', mode: 'keyword', limit: 10 });

    expect(hits.map((hit) => hit.content)).toEqual(['new words about apples']);
  });

  it('maps OpenSearch scores onto the shared scale', async () => {
    const { store, index } = open();
    const [document, chunks] = await version(
      'a.md',
      ['solar panels on the roof', 'wind turbines at sea'],
      'v1',
    );
    await store.replaceDocument(document, chunks);
    const client = createOpenSearchClient({ node: fake.url });
    const [query] = await embedder.embed(['solar roof'], 'query');

    const raw = await client.search({ index, body: keywordSearchBody('solar roof', 1, []) });
    const bm25 = raw.body.hits.hits[0]?._score ?? 0;
    const [keyword] = await store.search({ text: 'solar roof', mode: 'keyword', limit: 1 });
    const [vector] = await store.search({
      text: 'solar roof',
      vector: query,
      mode: 'vector',
      limit: 1,
    });
    await client.close();

    expect(bm25).toBeGreaterThan(0);
    expect(keyword?.score).toBeCloseTo(bm25 / (bm25 + KEYWORD_SCORE_SATURATION), 10);
    const cosine = dot(query as Float32Array, chunks[0]?.vector as Float32Array);
    expect(vector?.score).toBeCloseTo((1 + cosine) / 2, 5);
  });

  it('refuses an existing index built for another embedder', async () => {
    const { store, index } = open();
    await store.listDocuments({ limit: 1 });
    const other = new OpenSearchVectorStore({
      client: createOpenSearchClient({ node: fake.url }),
      embedder: { id: 'bedrock:amazon.titan-embed-text-v2:0:64', dimensions: 64 },
      index,
    });
    stores.push(other);

    await expect(other.listDocuments({ limit: 1 })).rejects.toThrow(ConfigError);
    await expect(other.listDocuments({ limit: 1 })).rejects.toThrow(
      /holds vectors from embedder hashing-v1/,
    );
  });

  it('does not create indexes when told not to', async () => {
    const { store, index } = open({ createIndex: false });

    await expect(store.getDocument('a.md')).rejects.toThrow(
      `OpenSearch index "${index}" does not exist`,
    );
    expect(fake.indexes.has(index)).toBe(false);
  });

  it('with refresh off (as for Serverless) never calls _refresh; writes show after the next refresh', async () => {
    const { store, index } = open({ refresh: false });
    const [document, chunks] = await version('a.md', ['alpha'], 'v1');

    await store.replaceDocument(document, chunks);

    expect(
      fake.requests.some(
        (request) => request.path.includes(index) && request.path.endsWith('/_refresh'),
      ),
    ).toBe(false);
    expect(await store.getDocument('a.md')).toBeUndefined();
    fake.indexes.get(`${index}-documents`)?.refresh();
    expect(await store.getDocument('a.md')).toEqual(document);
  });

  it('rejects bad input with ValidationError', async () => {
    const { store } = open();
    const [document, chunks] = await version('a.md', ['alpha'], 'v1');

    await expect(store.listDocuments({ limit: 5, cursor: 'not-a-cursor' })).rejects.toThrow(
      ValidationError,
    );
    await expect(store.listDocuments({ limit: 0 })).rejects.toThrow(ValidationError);
    await expect(store.search({ text: 'x', mode: 'vector', limit: 5 })).rejects.toThrow(
      /vector: required/,
    );
    await expect(
      store.search({ text: 'x', vector: new Float32Array(3), mode: 'hybrid', limit: 5 }),
    ).rejects.toThrow(/3 dimensions/);
    await expect(store.replaceDocument({ ...document, source: 'b.md' }, chunks)).rejects.toThrow(
      /chunks\[0\]\.source/,
    );
    await expect(store.replaceDocument(document, [...chunks, ...chunks])).rejects.toThrow(
      /appears twice/,
    );
  });

  it('turns a refused request into advice about access policies', async () => {
    const { store } = open();
    fake.failRequest = () => [403, 'security_exception'];

    await expect(store.getDocument('a.md')).rejects.toThrow(
      /OpenSearch refused .*\(403\): allow these credentials/,
    );
  });

  it('turns an unreachable endpoint into UpstreamError', async () => {
    const store = new OpenSearchVectorStore({
      client: createOpenSearchClient({ node: 'http://127.0.0.1:9', requestTimeoutMs: 2_000 }),
      embedder,
    });
    stores.push(store);

    await expect(store.getDocument('a.md')).rejects.toThrow(/could not reach OpenSearch/);
  });
});

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}
