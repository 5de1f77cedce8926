import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOpenSearchClient } from '../../src/adapters/aws/opensearch-client.js';
import { OpenSearchVectorStore } from '../../src/adapters/aws/opensearch-vector-store.js';
import { HashingEmbedder } from '../../src/adapters/local/hashing-embedder.js';
import { LanceDbVectorStore } from '../../src/adapters/local/lancedb-vector-store.js';
import { accessPrincipals, callerReaders } from '../../src/documents/document-access.js';
import type { Caller } from '../../src/identity/caller.js';
import type {
  DocumentInfo,
  SearchMode,
  StoredChunk,
  VectorStore,
} from '../../src/ports/vector-store.js';
import {
  startFakeOpenSearchServer,
  type FakeOpenSearchServer,
} from '../support/fake-opensearch-server.js';

/**
 * The access filter of the VectorStore port, run against every adapter: a chunk is found,
 * listed or read back only by callers whose principals it names, inside the backend's query,
 * so `limit` counts allowed chunks. OpenSearch runs against a local fake server that evaluates
 * the query DSL the adapter sends (terms, exists, bool, knn with a filter).
 */

const embedder = new HashingEmbedder({ dimensions: 256 });
const ISSUER = 'https://id.example.com';

const user = (subject: string, groups: string[] = []): Caller => ({
  kind: 'user',
  identity: { issuer: ISSUER, subject, groups },
});
const ALICE = callerReaders(user('alice', ['finance']))!;
const BOB = callerReaders(user('bob', ['eng']))!;
const CAROL = callerReaders(user('carol'))!;
const ANONYMOUS = callerReaders({ kind: 'anonymous' })!;
const OPERATOR = callerReaders({ kind: 'trusted' });

interface Backend {
  name: string;
  setUp(): Promise<void>;
  open(): Promise<VectorStore>;
  /** The same data through a new store: LanceDB then serves vector search from its tables. */
  reopen(store: VectorStore): Promise<VectorStore>;
  tearDown(): Promise<void>;
}

let fake: FakeOpenSearchServer | undefined;
let indexCounter = 0;
const openSearchStore = (index: string): VectorStore =>
  new OpenSearchVectorStore({
    client: createOpenSearchClient({ node: fake!.url }),
    embedder,
    index,
  });
const openSearch: Backend = {
  name: 'OpenSearch adapter against a local fake OpenSearch server',
  setUp: async () => {
    fake = await startFakeOpenSearchServer({ rejectCustomIds: true });
  },
  open: () => Promise.resolve(openSearchStore(`access-${++indexCounter}`)),
  reopen: async (store) => {
    await store.close();
    return openSearchStore(`access-${indexCounter}`);
  },
  tearDown: async () => {
    await fake?.close();
  },
};

const lanceDirs = new Map<VectorStore, string>();
let allDirs: string[] = [];
const lanceDb: Backend = {
  name: 'LanceDB (embedded)',
  setUp: () => Promise.resolve(),
  open: async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vector-store-access-'));
    allDirs.push(dataDir);
    const store = await LanceDbVectorStore.open({ dataDir, embedder });
    lanceDirs.set(store, dataDir);
    return store;
  },
  reopen: async (store) => {
    const dataDir = lanceDirs.get(store)!;
    await store.close();
    const reopened = await LanceDbVectorStore.open({ dataDir, embedder });
    lanceDirs.set(reopened, dataDir);
    return reopened;
  },
  tearDown: async () => {
    await Promise.all(allDirs.map((dir) => rm(dir, { recursive: true, force: true })));
    allDirs = [];
  },
};

const MODES: SearchMode[] = ['vector', 'keyword', 'hybrid'];

async function documentOf(
  source: string,
  contents: string[],
  access: readonly string[] | undefined,
): Promise<[DocumentInfo, StoredChunk[]]> {
  const vectors = await embedder.embed(contents, 'document');
  const chunks = contents.map((content, position) => ({
    id: `${source}#${position}`,
    source,
    content,
    position,
    metadata: { kind: 'note' },
    vector: vectors[position]!,
  }));
  const document: DocumentInfo = {
    source,
    chunks: chunks.length,
    contentHash: `hash-of-${source}`,
    ingestedAt: '2026-12-06T10:00:00.000Z',
    ...(access && { access }),
  };
  return [document, chunks];
}

/** One document per kind of access; each chunk says whose it is, and all match "budget". */
const DOCUMENTS: [string, readonly string[] | undefined][] = [
  ['everyone.md', undefined],
  ['alice.md', accessPrincipals({ users: ['alice'] })],
  ['finance.md', accessPrincipals({ groups: ['finance'] })],
  ['mixed.md', accessPrincipals({ users: ['carol'], groups: ['eng'] })],
  ['issuer-bound.md', accessPrincipals({ users: [`${ISSUER}#bob`] })],
  ['nobody.md', accessPrincipals({})],
];
const ALL = DOCUMENTS.map(([source]) => source).sort();
const VISIBLE: [string, readonly string[] | undefined, string[]][] = [
  ['anonymous', ANONYMOUS, ['everyone.md']],
  ['alice (finance)', ALICE, ['alice.md', 'everyone.md', 'finance.md']],
  ['bob (eng)', BOB, ['everyone.md', 'issuer-bound.md', 'mixed.md']],
  ['carol (no groups)', CAROL, ['everyone.md', 'mixed.md']],
  ['the operator', OPERATOR, ALL],
];

describe.each([openSearch, lanceDb])('VectorStore access contract: $name', (backend) => {
  let store: VectorStore;

  beforeAll(() => backend.setUp());
  afterAll(() => backend.tearDown());
  beforeEach(async () => {
    store = await backend.open();
  });
  afterEach(async () => {
    await store.close();
  });

  const put = async (source: string, contents: string[], access?: readonly string[]) => {
    const [document, chunks] = await documentOf(source, contents, access);
    await store.replaceDocument(document, chunks);
  };
  const seed = async () => {
    for (const [source, access] of DOCUMENTS)
      await put(source, [`The ${source} budget plan for the quarter.`], access);
  };
  const search = async (
    text: string,
    mode: SearchMode,
    readers: readonly string[] | undefined,
    limit = 10,
  ) => {
    const [vector] = await embedder.embed([text], 'query');
    return store.search({
      text,
      vector,
      mode,
      limit,
      ...(readers && { filter: { readers } }),
    });
  };

  describe.each(MODES)('%s search', (mode) => {
    it.each(VISIBLE)('%s finds exactly the documents open to them', async (_who, readers, want) => {
      await seed();
      const hits = await search('budget plan quarter', mode, readers);
      expect([...new Set(hits.map((hit) => hit.source))].sort()).toEqual(want);
    });

    it('returns `limit` allowed passages when the best matches are all forbidden (fresh and reopened)', async () => {
      // Twelve forbidden chunks repeat the query word for word; the allowed ones barely match.
      const query = 'rotate the signing keys of the payment gateway';
      for (let i = 0; i < 12; i++) await put(`secret-${i}.md`, [query], accessPrincipals({}));
      await put(
        'open.md',
        Array.from({ length: 5 }, (_, i) => `Section ${i}: the payment gateway keys, notes.`),
      );
      await put('alice-only.md', [query], accessPrincipals({ users: ['alice'] }));

      for (const phase of ['fresh', 'reopened']) {
        if (phase === 'reopened') store = await backend.reopen(store);
        const anonymous = await search(query, mode, ANONYMOUS, 3);
        expect(
          anonymous.map((hit) => hit.source),
          phase,
        ).toEqual(['open.md', 'open.md', 'open.md']);
        const alice = await search(query, mode, ALICE, 3);
        expect(alice, phase).toHaveLength(3);
        expect(alice[0]?.source, phase).toBe('alice-only.md');
        expect(
          alice.every((hit) => !hit.source.startsWith('secret-')),
          phase,
        ).toBe(true);
        const operator = await search(query, mode, OPERATOR, 3);
        expect(
          operator.every((hit) => hit.source !== 'open.md'),
          phase,
        ).toBe(true);
      }
    });

    it('combines the access filter with source and metadata filters', async () => {
      await seed();
      const [vector] = await embedder.embed(['budget'], 'query');
      const query = { text: 'budget', mode, limit: 10, ...(vector && { vector }) };
      const forbidden = await store.search({
        ...query,
        filter: { source: 'alice.md', metadata: { kind: 'note' }, readers: BOB },
      });
      expect(forbidden).toEqual([]);
      const allowed = await store.search({
        ...query,
        filter: { source: 'alice.md', metadata: { kind: 'note' }, readers: ALICE },
      });
      expect(allowed.map((hit) => hit.id)).toEqual(['alice.md#0']);
    });
  });

  it.each(VISIBLE)(
    'listDocuments shows %s only their documents, a full page at a time',
    async (_who, readers, want) => {
      await seed();
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listDocuments({
          limit: 2,
          ...(cursor !== undefined && { cursor }),
          ...(readers && { readers }),
        });
        pages.push(page.documents.map((d) => d.source));
        cursor = page.cursor;
        expect(pages.length).toBeLessThanOrEqual(3);
      } while (cursor !== undefined);
      expect(pages.flat()).toEqual(want);
      // Every page but the last is full: forbidden documents never make a page shorter.
      expect(pages.slice(0, -1).every((page) => page.length === 2)).toBe(true);
    },
  );

  it('getDocument and getChunks answer a forbidden document like a missing one', async () => {
    await seed();
    expect(await store.getDocument('alice.md', BOB)).toBeUndefined();
    expect(await store.getChunks('alice.md', BOB)).toEqual([]);
    expect(await store.getDocument('nobody.md', ALICE)).toBeUndefined();
    expect(await store.getChunks('nobody.md', ANONYMOUS)).toEqual([]);

    expect(await store.getDocument('alice.md', ALICE)).toMatchObject({
      source: 'alice.md',
      access: ['s:alice'],
    });
    expect((await store.getChunks('finance.md', ALICE)).map((c) => c.id)).toEqual(['finance.md#0']);
    expect((await store.getChunks('nobody.md', OPERATOR)).map((c) => c.id)).toEqual([
      'nobody.md#0',
    ]);
    // Everyone's documents read back without an access field, as they were given.
    expect(await store.getDocument('everyone.md', ANONYMOUS)).not.toHaveProperty('access');
  });

  it('a replacement with new access changes who finds it, in every mode and after reopening', async () => {
    await put('plan.md', ['The budget plan.'], accessPrincipals({ users: ['alice'] }));
    expect(await search('budget plan', 'keyword', BOB)).toEqual([]);
    await put('plan.md', ['The budget plan.'], accessPrincipals({ groups: ['eng'] }));
    store = await backend.reopen(store);
    for (const mode of MODES) {
      expect(
        (await search('budget plan', mode, BOB)).map((h) => h.id),
        mode,
      ).toEqual(['plan.md#0']);
      expect(await search('budget plan', mode, ALICE), mode).toEqual([]);
    }
    expect(await store.getDocument('plan.md', ALICE)).toBeUndefined();
    expect(await store.getDocument('plan.md', BOB)).toMatchObject({ access: ['g:eng'] });
  });

  it('group names with quotes and backslashes are matched exactly, never as query syntax', async () => {
    const odd = `it's "core" \\ team') OR true --`;
    await put('odd.md', ['The budget plan.'], accessPrincipals({ groups: [odd] }));
    store = await backend.reopen(store);
    const member = callerReaders(user('dana', [odd]));
    const almost = callerReaders(user('erin', [`it's "core" \\ team`]));
    for (const mode of MODES) {
      expect(
        (await search('budget plan', mode, member)).map((h) => h.id),
        mode,
      ).toEqual(['odd.md#0']);
      expect(await search('budget plan', mode, almost), mode).toEqual([]);
    }
  });

  it('a subject alone does not match an issuer-bound entry of another issuer', async () => {
    await put('bound.md', ['The budget plan.'], accessPrincipals({ users: [`${ISSUER}#bob`] }));
    const elsewhere = callerReaders({
      kind: 'user',
      identity: { issuer: 'https://other.example.com', subject: 'bob', groups: [] },
    });
    expect(await search('budget plan', 'keyword', elsewhere)).toEqual([]);
    expect(await search('budget plan', 'keyword', BOB)).toHaveLength(1);
  });
});

describe('OpenSearch adapter: the access filter is in the query it sends', () => {
  let server: FakeOpenSearchServer;
  let store: OpenSearchVectorStore;

  beforeAll(async () => {
    server = await startFakeOpenSearchServer();
    store = new OpenSearchVectorStore({
      client: createOpenSearchClient({ node: server.url }),
      embedder,
      index: 'dsl',
    });
  });
  afterAll(async () => {
    await store.close();
    await server.close();
  });

  const searchBodies = (): Record<string, unknown>[] =>
    server.requests
      .filter((r) => r.path.endsWith('/_search'))
      .map((r) => JSON.parse(r.body) as Record<string, unknown>);
  const accessClause = {
    bool: {
      should: [
        { terms: { access: ALICE } },
        { bool: { must_not: [{ exists: { field: 'access' } }] } },
      ],
      minimum_should_match: 1,
    },
  };

  it('puts a terms filter inside the knn clause (k stays k) and inside the keyword bool query', async () => {
    const [document, chunks] = await documentOf('a.md', ['budget'], undefined);
    await store.replaceDocument(document, chunks);
    server.requests.length = 0;
    const [vector] = await embedder.embed(['budget'], 'query');
    await store.search({
      text: 'budget',
      vector,
      mode: 'hybrid',
      limit: 4,
      filter: { readers: ALICE },
    });

    const bodies = searchBodies();
    const knn = bodies.find((b) => JSON.stringify(b).includes('"knn"')) as {
      query: { knn: { vector: { k: number; filter: unknown } } };
      post_filter?: unknown;
    };
    expect(knn.post_filter).toBeUndefined();
    expect(knn.query.knn.vector.filter).toEqual({ bool: { filter: [accessClause] } });
    const keyword = bodies.find((b) => JSON.stringify(b).includes('multi_match')) as {
      query: { bool: { filter: unknown[] } };
      post_filter?: unknown;
    };
    expect(keyword.post_filter).toBeUndefined();
    expect(keyword.query.bool.filter).toEqual([accessClause]);
  });

  it('filters list, getDocument and getChunks in their queries', async () => {
    server.requests.length = 0;
    await store.listDocuments({ limit: 5, readers: ALICE });
    await store.getDocument('a.md', ALICE);
    await store.getChunks('a.md', ALICE);
    const bodies = searchBodies() as { query: { bool: { filter: unknown[] } } }[];
    expect(bodies.length).toBeGreaterThanOrEqual(3);
    for (const body of bodies) expect(body.query.bool.filter).toContainEqual(accessClause);
  });

  it('adds the access mapping to an index created before it existed, and reads its chunks as everyone’s', async () => {
    // The index as the adapter created it before access: no access field in the mappings.
    const legacy = new OpenSearchVectorStore({
      client: createOpenSearchClient({ node: server.url }),
      embedder,
      index: 'legacy',
    });
    const [document, chunks] = await documentOf('old.md', ['budget'], undefined);
    await legacy.replaceDocument(document, chunks);
    await legacy.close();
    for (const name of ['legacy', 'legacy-documents']) {
      const index = server.indexes.get(name)!;
      index.fields.delete('access');
      delete (index.mappings.properties as Record<string, unknown>).access;
      for (const doc of [...index.live.values()]) delete doc.access;
      index.refresh();
    }

    const reopened = new OpenSearchVectorStore({
      client: createOpenSearchClient({ node: server.url }),
      embedder,
      index: 'legacy',
    });
    expect(
      (
        await reopened.search({
          text: 'budget',
          mode: 'keyword',
          limit: 5,
          filter: { readers: ANONYMOUS },
        })
      ).map((h) => h.id),
    ).toEqual(['old.md#0']);
    expect(server.indexes.get('legacy')!.mapping('access')).toEqual({ type: 'keyword' });
    expect(server.indexes.get('legacy-documents')!.mapping('access')).toEqual({ type: 'keyword' });
    await reopened.replaceDocument(
      ...(await documentOf('new.md', ['budget'], accessPrincipals({ users: ['alice'] }))),
    );
    const seen = await reopened.search({
      text: 'budget',
      mode: 'keyword',
      limit: 5,
      filter: { readers: ANONYMOUS },
    });
    expect(seen.map((h) => h.id)).toEqual(['old.md#0']);
    expect(
      (await reopened.listDocuments({ limit: 5, readers: ALICE })).documents.map((d) => d.source),
    ).toEqual(['new.md', 'old.md']);
    await reopened.close();
  });

  it('refuses to open an old index whose mapping it may not extend, rather than filter on an unindexed field', async () => {
    const old = server.indexes.get('legacy')!;
    const shelved = new OpenSearchVectorStore({
      client: createOpenSearchClient({ node: server.url }),
      embedder,
      index: 'legacy',
    });
    old.fields.delete('access');
    delete (old.mappings.properties as Record<string, unknown>).access;
    server.failRequest = (request) =>
      request.path.endsWith('/_mapping') && request.method !== 'GET'
        ? [403, 'security_exception']
        : undefined;
    try {
      await expect(
        shelved.search({
          text: 'budget',
          mode: 'keyword',
          limit: 5,
          filter: { readers: ANONYMOUS },
        }),
      ).rejects.toThrow(/refused to add the "access" field .*aoss:UpdateIndex/);
    } finally {
      server.failRequest = undefined;
      await shelved.close();
    }
  });
});
