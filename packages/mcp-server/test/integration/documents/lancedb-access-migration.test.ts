import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@lancedb/lancedb';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { HashingEmbedder } from '../../../src/adapters/local/hashing-embedder.js';
import { LanceDbVectorStore } from '../../../src/adapters/local/lancedb-vector-store.js';
import { accessPrincipals, callerReaders } from '../../../src/documents/document-access.js';
import type { SearchMode } from '../../../src/ports/vector-store.js';

/**
 * A document index written by the code before documents had access (a copy of
 * test/fixtures/lancedb-before-access, made by that code) opens, reads as everyone's, gets the
 * access column, and takes restricted documents from then on.
 */
const FIXTURE = new URL('../../fixtures/lancedb-before-access/documents', import.meta.url);
const embedder = new HashingEmbedder({ dimensions: 64 });
const ANONYMOUS = callerReaders({ kind: 'anonymous' })!;
const ALICE = callerReaders({
  kind: 'user',
  identity: { issuer: 'https://id.example.com', subject: 'alice', groups: [] },
})!;

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lancedb-migration-'));
  await cp(FIXTURE, join(dataDir, 'documents'), { recursive: true });
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

async function columns(table: string): Promise<string[]> {
  const db = await connect(join(dataDir, 'documents'));
  try {
    const t = await db.openTable(table);
    const names = (await t.schema()).fields.map((f) => f.name);
    t.close();
    return names;
  } finally {
    db.close();
  }
}

it('an index without the access column opens, reads as everyone’s, and filters new documents', async () => {
  expect(await columns('chunks')).not.toContain('access');
  let store = await LanceDbVectorStore.open({ dataDir, embedder });
  try {
    expect(await columns('chunks')).toContain('access');
    expect(await columns('documents')).toContain('access');
    const search = async (text: string, mode: SearchMode, readers: readonly string[]) => {
      const [vector] = await embedder.embed([text], 'query');
      return store.search({ text, mode, limit: 5, filter: { readers }, ...(vector && { vector }) });
    };
    for (const mode of ['vector', 'keyword', 'hybrid'] as const) {
      const hits = await search('install the server on Windows', mode, ANONYMOUS);
      expect(hits[0]?.id, mode).toBe('guides/install.md#0');
    }
    expect((await store.listDocuments({ limit: 5, readers: ANONYMOUS })).documents).toHaveLength(2);
    expect(await store.getChunks('notes/garden.md', ANONYMOUS)).toHaveLength(1);

    const [vector] = await embedder.embed(['Install the private build on Windows.'], 'document');
    await store.replaceDocument(
      {
        source: 'private.md',
        chunks: 1,
        contentHash: 'h',
        ingestedAt: '2026-12-06T11:00:00.000Z',
        access: accessPrincipals({ users: ['alice'] }),
      },
      [
        {
          id: 'private.md#0',
          source: 'private.md',
          content: 'Install the private build on Windows.',
          position: 0,
          metadata: {},
          vector: vector!,
        },
      ],
    );
    await store.close();
    // Reopened: everything now comes from the tables, vector search through the SQL filter.
    store = await LanceDbVectorStore.open({ dataDir, embedder });
    for (const mode of ['vector', 'keyword', 'hybrid'] as const) {
      const anonymous = await search('install private build windows', mode, ANONYMOUS);
      expect(
        anonymous.map((h) => h.source),
        mode,
      ).not.toContain('private.md');
      expect(
        anonymous.map((h) => h.source),
        mode,
      ).toContain('guides/install.md');
      const alice = await search('install private build windows', mode, ALICE);
      expect(alice[0]?.source, mode).toBe('private.md');
    }
    expect(await store.getDocument('guides/install.md', ANONYMOUS)).toMatchObject({
      contentHash: 'hash-guides/install.md',
    });
    expect(await store.getDocument('private.md', ANONYMOUS)).toBeUndefined();
  } finally {
    await store.close();
  }
});
