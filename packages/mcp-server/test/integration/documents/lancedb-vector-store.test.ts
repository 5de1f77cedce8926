import { join } from 'node:path';
import { connect } from '@lancedb/lancedb';
import { afterEach, describe, expect, it } from 'vitest';
import { HashingEmbedder } from '../../../src/adapters/local/hashing-embedder.js';
import { LanceDbVectorStore } from '../../../src/adapters/local/lancedb-vector-store.js';
import { ConfigError } from '../../../src/errors.js';
import { documentStack, type DocumentStack } from '../../support/document-fixtures.js';
import { expectFailure } from '../../support/expect-failure.js';

describe('LanceDbVectorStore (embedded LanceDB in a temp folder)', () => {
  let stack: DocumentStack | undefined;
  afterEach(async () => {
    await stack?.dispose();
    stack = undefined;
  });

  it('keeps documents across close and reopen, and refuses another embedder', async () => {
    stack = await documentStack();
    await stack.service.ingest({
      source: 'keep.md',
      content: '# Keep\n\nPersisted text.',
      contentType: 'text/markdown',
    });
    await stack.store.close();

    const reopened = await LanceDbVectorStore.open({
      dataDir: stack.dataDir,
      embedder: stack.embedder,
    });
    try {
      expect((await reopened.getDocument('keep.md'))?.chunks).toBe(1);
      const hits = await reopened.search({ text: 'persisted', mode: 'keyword', limit: 5 });
      expect(hits.map((h) => h.id)).toEqual(['keep.md#0']);
    } finally {
      await reopened.close();
    }
    await expectFailure(
      LanceDbVectorStore.open({
        dataDir: stack.dataDir,
        embedder: new HashingEmbedder({ dimensions: 512 }),
      }),
      ConfigError,
      /was built with embedder hashing-v1:d1024.*delete .* and ingest the documents again/,
    );
    // dispose() closes the store again: closing twice is harmless.
  });

  it('builds the vector index once the table is big enough, and still finds the exact match', async () => {
    stack = await documentStack({ vectorIndexMinRows: 300, flushRows: 100 });
    const topics = [
      'billing',
      'alerts',
      'deploys',
      'backups',
      'auth',
      'quotas',
      'regions',
      'schemas',
    ];
    const docs = Array.from({ length: 320 }, (_, i) => ({
      source: `note-${String(i).padStart(3, '0')}.txt`,
      content: `Note ${i} about ${topics[i % topics.length]} and ${topics[(i * 3) % topics.length]}, item ${i * 7919}.`,
      contentType: 'text/plain',
    }));
    await stack.service.ingest({
      source: 'small.txt',
      content: 'Below the threshold.',
      contentType: 'text/plain',
    });
    expect(await indexedColumns(stack)).not.toContain('vector');
    await stack.service.ingestMany(docs);
    // The keyword rankings are in memory: LanceDB holds the vector index only.
    expect(await indexedColumns(stack)).toEqual(['vector']);

    const [hit] = await stack.service.search({
      query: docs[123]!.content,
      mode: 'vector',
      limit: 1,
    });
    expect(hit?.source).toBe('note-123.txt');
    expect(hit!.score).toBeGreaterThan(0.95);
  });

  it('accepts query text with quotes, operators and punctuation as plain words', async () => {
    stack = await documentStack();
    await stack.service.ingest({
      source: 'q.txt',
      content: "Don't use OR, AND or NOT: they're words here.",
      contentType: 'text/plain',
    });
    for (const query of [
      `"unbalanced`,
      `it's (a) test*`,
      'NOT AND OR',
      'field:value ~2 ^3 [x TO y]',
      '\\ / { }',
    ]) {
      for (const mode of ['keyword', 'hybrid'] as const) {
        await expect(stack.service.search({ query, mode })).resolves.toBeInstanceOf(Array);
      }
    }
    const [hit] = await stack.service.search({ query: '"words (here', mode: 'keyword' });
    expect(hit?.source).toBe('q.txt');
  });

  it('replaces a document directly through the port without leftovers', async () => {
    stack = await documentStack();
    const { store, embedder } = stack;
    const chunk = async (source: string, position: number, content: string) => ({
      id: `${source}#${position}`,
      source,
      content,
      position,
      metadata: {},
      vector: (await embedder.embed([content], 'document'))[0]!,
    });
    const doc = (chunks: number, hash: string) => ({
      source: 'p.txt',
      chunks,
      contentHash: hash,
      ingestedAt: new Date(0).toISOString(),
    });
    await store.replaceDocument(doc(3, 'v1'), [
      await chunk('p.txt', 0, 'zero'),
      await chunk('p.txt', 1, 'one'),
      await chunk('p.txt', 2, 'two'),
    ]);
    await store.replaceDocument(doc(1, 'v2'), [await chunk('p.txt', 0, 'only')]);
    const all = await store.search({
      text: 'x',
      vector: (await embedder.embed(['only'], 'query'))[0]!,
      mode: 'vector',
      limit: 10,
    });
    expect(all.map((h) => [h.id, h.content])).toEqual([['p.txt#0', 'only']]);
    expect(await store.getDocuments(['p.txt', 'missing'])).toEqual([doc(1, 'v2')]);
    expect(await store.deleteDocument('p.txt')).toBe(1);
    expect(await store.deleteDocument('p.txt')).toBe(0);
  });
});

/** The indexed columns on disk, read through a connection of its own. */
async function indexedColumns(stack: DocumentStack): Promise<string[]> {
  const db = await connect(join(stack.dataDir, 'documents'));
  try {
    const table = await db.openTable('chunks');
    return (await table.listIndices()).flatMap((i) => i.columns);
  } finally {
    db.close();
  }
}
