import { cpSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LanceDbVectorStore } from '../../../src/adapters/local/lancedb-vector-store.js';
import { documentStack, type DocumentStack } from '../../support/document-fixtures.js';

describe('LanceDbVectorStore journal and background flushes (embedded LanceDB in a temp folder)', () => {
  let stack: DocumentStack | undefined;
  const folders: string[] = [];
  afterEach(async () => {
    await stack?.dispose();
    stack = undefined;
    for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
  });

  it('an acknowledged write survives a crash before any flush: the journal is replayed at open', async () => {
    // No flush by size or by time during the test: only the journal holds the writes.
    stack = await documentStack({ flushRows: 1_000_000, flushIdleMs: 1_000_000 });
    await stack.service.ingest({
      source: 'kept.md',
      content: '# Kept\n\nZebrafish regenerate their fins.',
      contentType: 'text/markdown',
    });
    await stack.service.ingest({
      source: 'gone.md',
      content: 'Deleted before the crash.',
      contentType: 'text/markdown',
    });
    await stack.service.deleteDocument('gone.md');

    // A copy of the folder as a crash would leave it: LanceDB has nothing, the journal all.
    const crashed = await mkdtemp(join(tmpdir(), 'documents-crash-'));
    folders.push(crashed);
    cpSync(join(stack.dataDir, 'documents'), join(crashed, 'documents'), { recursive: true });
    const reopened = await LanceDbVectorStore.open({ dataDir: crashed, embedder: stack.embedder });
    try {
      expect((await reopened.getDocument('kept.md'))?.chunks).toBe(1);
      expect(await reopened.getDocument('gone.md')).toBeUndefined();
      const hits = await reopened.search({ text: 'zebrafish fins', mode: 'keyword', limit: 5 });
      expect(hits.map((h) => h.id)).toEqual(['kept.md#0']);
      const [vector] = await stack.embedder.embed(['zebrafish fins'], 'query');
      const near = await reopened.search({ text: '', vector, mode: 'vector', limit: 5 });
      expect(near.map((h) => h.id)).toEqual(['kept.md#0']);
    } finally {
      await reopened.close();
    }
    // Replayed, written to LanceDB, and the journal emptied.
    const journal = readdirSync(join(crashed, 'documents', 'journal'));
    expect(journal.every((name) => !name.endsWith('.jsonl') || name === journal.at(-1))).toBe(true);
  });

  it('vector search sees written documents before and after they are flushed, once each', async () => {
    stack = await documentStack({ flushRows: 3, flushIdleMs: 1_000_000 });
    const { service, store, embedder } = stack;
    const [vector] = await embedder.embed(['tomatoes need sun'], 'query');
    const find = async () =>
      (await store.search({ text: '', vector, mode: 'vector', limit: 10 })).map((h) => h.id);
    await service.ingest({
      source: 'a.md',
      content: 'Tomatoes need sun.',
      contentType: 'text/plain',
    });
    expect(await find()).toEqual(['a.md#0']); // unflushed: scored from memory
    for (const name of ['b', 'c', 'd'])
      await service.ingest({
        source: `${name}.md`,
        content: `Note ${name}.`,
        contentType: 'text/plain',
      });
    await service.ingest({
      source: 'a.md',
      content: 'Tomatoes need full sun and water.',
      contentType: 'text/plain',
    });
    await store.optimize();
    const ids = await find();
    expect(ids.filter((id) => id === 'a.md#0')).toHaveLength(1);
    expect(ids).toHaveLength(4);
    const [hit] = await store.search({ text: '', vector, mode: 'vector', limit: 1 });
    expect(hit?.content).toBe('Tomatoes need full sun and water.');
  });

  it('searches in flight while maintenance removes old versions all succeed', async () => {
    stack = await documentStack({ flushRows: 5, flushIdleMs: 1_000_000 });
    const { service, store, embedder } = stack;
    const [vector] = await embedder.embed(['note about topic 3'], 'query');
    const searches: Promise<unknown>[] = [];
    for (let i = 0; i < 60; i++) {
      await service.ingest({
        source: `n${i}.md`,
        content: `Note about topic ${i % 7}, item ${i}.`,
        contentType: 'text/plain',
      });
      searches.push(store.search({ text: 'topic', vector, mode: 'vector', limit: 5 }));
      if (i % 20 === 19) searches.push(store.optimize());
    }
    await expect(Promise.all(searches)).resolves.toBeDefined();
    expect((await store.listDocuments({ limit: 100 })).documents).toHaveLength(60);
  });
});
