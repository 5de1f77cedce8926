import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOpenSearchClient } from '../../src/adapters/aws/opensearch-client.js';
import { OpenSearchVectorStore } from '../../src/adapters/aws/opensearch-vector-store.js';
import { HashingEmbedder } from '../../src/adapters/local/hashing-embedder.js';
import { LanceDbVectorStore } from '../../src/adapters/local/lancedb-vector-store.js';
import type {
  DocumentInfo,
  SearchMode,
  SearchQuery,
  StoredChunk,
  VectorStore,
} from '../../src/ports/vector-store.js';
import {
  startFakeOpenSearchServer,
  type FakeOpenSearchServer,
} from '../support/fake-opensearch-server.js';

/** The VectorStore port's contract, run against every adapter. */

const embedder = new HashingEmbedder({ dimensions: 512 });

interface Backend {
  name: string;
  setUp(): Promise<void>;
  open(): Promise<VectorStore>;
  tearDown(): Promise<void>;
}

let fake: FakeOpenSearchServer | undefined;
let indexCounter = 0;
const openSearch: Backend = {
  name: 'OpenSearch adapter against a local fake OpenSearch server',
  setUp: async () => {
    // Refusing custom ids, as Serverless vector collections do, proves the adapter never sends one.
    fake = await startFakeOpenSearchServer({ rejectCustomIds: true });
  },
  open: () =>
    Promise.resolve(
      new OpenSearchVectorStore({
        client: createOpenSearchClient({ node: (fake as FakeOpenSearchServer).url }),
        embedder,
        index: `chunks-${++indexCounter}`,
      }),
    ),
  tearDown: async () => {
    await fake?.close();
  },
};

let dataDirs: string[] = [];
const lanceDb: Backend = {
  name: 'LanceDB (embedded)',
  setUp: () => Promise.resolve(),
  open: async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vector-store-contract-'));
    dataDirs.push(dataDir);
    return LanceDbVectorStore.open({ dataDir, embedder });
  },
  tearDown: async () => {
    await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
    dataDirs = [];
  },
};

const MODES: SearchMode[] = ['vector', 'keyword', 'hybrid'];
const TEAM = `O'Brien "core" \\ team`;

interface ChunkSpec {
  content: string;
  heading?: string;
  metadata?: StoredChunk['metadata'];
}

async function documentOf(
  source: string,
  specs: ChunkSpec[],
  options: { title?: string; hash?: string } = {},
): Promise<[DocumentInfo, StoredChunk[]]> {
  const vectors = await embedder.embed(
    specs.map((spec) => spec.content),
    'document',
  );
  const chunks = specs.map((spec, position) => ({
    id: `${source}#${position}`,
    source,
    content: spec.content,
    ...(options.title !== undefined && { title: options.title }),
    ...(spec.heading !== undefined && { heading: spec.heading }),
    position,
    metadata: spec.metadata ?? {},
    vector: vectors[position] as Float32Array,
  }));
  const document: DocumentInfo = {
    source,
    ...(options.title !== undefined && { title: options.title }),
    chunks: chunks.length,
    contentHash: options.hash ?? `hash-of-${source}`,
    ingestedAt: '2025-01-02T03:04:05.000Z',
  };
  return [document, chunks];
}

const INSTALL: ChunkSpec[] = [
  {
    heading: 'Install > Windows',
    content:
      'To install the server on Windows, download the installer and run setup as administrator.',
    metadata: { lang: 'en', team: TEAM, priority: 2, public: true },
  },
  {
    heading: 'Install > Linux',
    content: 'On Linux, unpack the tarball into /opt and start the daemon with systemd.',
    metadata: { lang: 'en', team: 'platform', priority: 1, public: true },
  },
];
const BILLING: ChunkSpec[] = [
  {
    content: 'Invoices are emailed monthly; update the credit card in the billing portal.',
    metadata: { lang: 'en', team: 'finance', priority: 3, public: false },
  },
  {
    content: 'Refunds are processed within five business days after approval.',
    metadata: { lang: 'de', team: TEAM, priority: 2, public: false },
  },
];
const GARDEN: ChunkSpec[] = [
  {
    content: 'Tomatoes need full sun and regular watering during the summer months.',
    metadata: { lang: 'en', team: 'garden', priority: 5, public: true },
  },
];

describe.each([openSearch, lanceDb])('VectorStore contract: $name', (backend) => {
  let store: VectorStore;

  beforeAll(() => backend.setUp());
  afterAll(() => backend.tearDown());
  beforeEach(async () => {
    store = await backend.open();
  });
  afterEach(async () => {
    await store.close();
  });

  const put = async (
    source: string,
    specs: ChunkSpec[],
    options?: { title?: string; hash?: string },
  ) => {
    const [document, chunks] = await documentOf(source, specs, options);
    await store.replaceDocument(document, chunks);
    return document;
  };
  const search = async (text: string, mode: SearchMode, extra: Partial<SearchQuery> = {}) => {
    const [vector] = await embedder.embed([text], 'query');
    return store.search({ text, vector, mode, limit: 10, ...extra });
  };
  const seed = async () => {
    await put('guides/install.md', INSTALL, { title: 'Installation' });
    await put('guides/billing.md', BILLING, { title: 'Billing' });
    await put('notes/garden.md', GARDEN);
  };

  it('replaceDocument twice with the same chunks stores each chunk once', async () => {
    await put('guides/install.md', INSTALL, { title: 'Installation' });
    await put('guides/install.md', INSTALL, { title: 'Installation' });

    for (const mode of MODES) {
      const hits = await search('install server windows linux', mode, {
        filter: { source: 'guides/install.md' },
      });
      expect(hits.map((hit) => hit.id).sort(), mode).toEqual([
        'guides/install.md#0',
        'guides/install.md#1',
      ]);
    }
    const listed = await store.listDocuments({ limit: 10 });
    expect(listed.documents.map((d) => d.source)).toEqual(['guides/install.md']);
  });

  it('replaceDocument removes chunks the new version no longer has', async () => {
    await put(
      'guides/install.md',
      [...INSTALL, { content: 'Uninstall by deleting the obsolete folder.' }],
      { hash: 'v1' },
    );
    const v2 = await put(
      'guides/install.md',
      [{ content: 'Installation is now a single command: npx chatbot.' }],
      {
        hash: 'v2',
      },
    );

    expect(await search('uninstall obsolete folder', 'keyword')).toEqual([]);
    const hits = await search('installation', 'vector', {
      filter: { source: 'guides/install.md' },
    });
    expect(hits.map((hit) => [hit.id, hit.content])).toEqual([
      ['guides/install.md#0', 'Installation is now a single command: npx chatbot.'],
    ]);
    expect(await store.getDocument('guides/install.md')).toEqual(v2);
  });

  it('getDocument returns what was stored, and undefined for an unknown source', async () => {
    expect(await store.getDocument('guides/install.md')).toBeUndefined();
    const stored = await put('guides/install.md', INSTALL, {
      title: 'Installation',
      hash: 'sha256:abc',
    });
    const untitled = await put('notes/garden.md', GARDEN);

    expect(await store.getDocument('guides/install.md')).toEqual(stored);
    expect(await store.getDocument('notes/garden.md')).toEqual(untitled);
    expect(await store.getDocument('guides/install')).toBeUndefined();
  });

  it('deleteDocument removes one document, counts its chunks, and leaves the others', async () => {
    await seed();

    expect(await store.deleteDocument('guides/install.md')).toBe(2);

    expect(await store.getDocument('guides/install.md')).toBeUndefined();
    expect(
      await search('install server windows', 'vector', { filter: { source: 'guides/install.md' } }),
    ).toEqual([]);
    expect(await store.deleteDocument('guides/install.md')).toBe(0);
    expect(await store.getDocument('guides/billing.md')).toBeDefined();
    expect((await search('refunds', 'keyword')).map((hit) => hit.id)).toEqual([
      'guides/billing.md#1',
    ]);
  });

  it('getChunks reads back the stored version of one document in position order, without vectors', async () => {
    await seed();
    // Written out of order: the store, not the caller, puts them in position order.
    const many = Array.from({ length: 12 }, (_, i) => ({
      content: `Paragraph ${i} of the long guide.`,
    }));
    const [document, chunks] = await documentOf('guides/long guide.md', many, { title: 'Long' });
    await store.replaceDocument(document, [...chunks].reverse());

    const read = await store.getChunks('guides/long guide.md');
    expect(read.map((chunk) => chunk.position)).toEqual([...Array(12).keys()]);
    expect(read.map((chunk) => chunk.content)).toEqual(many.map((spec) => spec.content));
    expect(read.every((chunk) => !('vector' in chunk) && chunk.title === 'Long')).toBe(true);

    const install = await store.getChunks('guides/install.md');
    expect(install).toEqual([
      {
        id: 'guides/install.md#0',
        source: 'guides/install.md',
        content: INSTALL[0]!.content,
        title: 'Installation',
        heading: 'Install > Windows',
        position: 0,
        metadata: INSTALL[0]!.metadata,
      },
      expect.objectContaining({ id: 'guides/install.md#1', heading: 'Install > Linux' }),
    ]);
    expect(await store.getChunks('unknown.md')).toEqual([]);
  });

  it('getChunks reads every chunk of a long document (more than one backend page)', async () => {
    const specs = Array.from({ length: 1_050 }, (_, i) => ({ content: `Line ${i}.` }));
    const [document, chunks] = await documentOf('long.md', specs);
    await store.replaceDocument(document, chunks);
    const read = await store.getChunks('long.md');
    expect(read.map((chunk) => chunk.content)).toEqual(specs.map((spec) => spec.content));
  });

  it('getChunks returns only the newest version after a replacement, and nothing after a delete', async () => {
    await put('notes/garden.md', GARDEN.concat(GARDEN));
    await put('notes/garden.md', [{ content: 'Only one paragraph remains.' }], { hash: 'v2' });
    expect((await store.getChunks('notes/garden.md')).map((chunk) => chunk.content)).toEqual([
      'Only one paragraph remains.',
    ]);
    await store.deleteDocument('notes/garden.md');
    expect(await store.getChunks('notes/garden.md')).toEqual([]);
  });

  it('listDocuments pages through every document exactly once with an opaque cursor', async () => {
    const sources = ['e.md', 'a.md', 'd.md', 'b.md', 'c.md'];
    for (const source of sources) await put(source, [{ content: `Notes about ${source}` }]);

    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listDocuments({ limit: 2, ...(cursor !== undefined && { cursor }) });
      pages.push(page.documents.map((d) => d.source));
      cursor = page.cursor;
      expect(pages.length).toBeLessThanOrEqual(3);
    } while (cursor !== undefined);

    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(pages.flat().sort()).toEqual([...sources].sort());
    const everything = await store.listDocuments({ limit: 10 });
    expect(everything.cursor).toBeUndefined();
    expect(everything.documents).toHaveLength(5);
  });

  it.each(MODES)('%s search ranks the obviously relevant chunk first', async (mode) => {
    await seed();

    const hits = await search('how do I install the server on Windows', mode);

    expect(hits[0]?.id).toBe('guides/install.md#0');
    expect(hits[0]).toMatchObject({
      source: 'guides/install.md',
      title: 'Installation',
      heading: 'Install > Windows',
      position: 0,
      metadata: { lang: 'en', team: TEAM, priority: 2, public: true },
    });
  });

  it.each(MODES)('%s search filters by source', async (mode) => {
    await seed();

    const hits = await search('refunds invoices install windows', mode, {
      filter: { source: 'guides/billing.md' },
    });

    expect(hits.length).toBeGreaterThan(0);
    expect(new Set(hits.map((hit) => hit.source))).toEqual(new Set(['guides/billing.md']));
  });

  it.each(MODES)('%s search filters by metadata, including values with quotes', async (mode) => {
    await seed();
    const text = 'install windows refunds approval invoices';

    const quoted = await search(text, mode, { filter: { metadata: { team: TEAM } } });
    expect(quoted.map((hit) => hit.id).sort()).toEqual([
      'guides/billing.md#1',
      'guides/install.md#0',
    ]);

    const typed = await search(text, mode, {
      filter: { metadata: { priority: 2, public: false } },
    });
    expect(typed.map((hit) => hit.id)).toEqual(['guides/billing.md#1']);

    const both = await search(text, mode, {
      filter: { source: 'guides/install.md', metadata: { lang: 'en', team: TEAM } },
    });
    expect(both.map((hit) => hit.id)).toEqual(['guides/install.md#0']);

    expect(await search(text, mode, { filter: { metadata: { team: "O'Brien" } } })).toEqual([]);
  });

  it.each(MODES)(
    '%s scores are in [0, 1], best first, and threshold drops the low ones',
    async (mode) => {
      await seed();
      const query = 'install the server on Windows, start the daemon, update the billing portal';

      const all = await search(query, mode);
      expect(all.length).toBeGreaterThan(1);
      for (const hit of all) {
        expect(hit.score).toBeGreaterThanOrEqual(0);
        expect(hit.score).toBeLessThanOrEqual(1);
      }
      const scores = all.map((hit) => hit.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      const top = scores[0] as number;
      const bottom = scores.at(-1) as number;
      expect(top).toBeGreaterThan(bottom);

      const threshold = (top + bottom) / 2;
      const kept = await search(query, mode, { threshold });
      expect(kept.length).toBeGreaterThan(0);
      expect(kept.length).toBeLessThan(all.length);
      expect(kept.every((hit) => hit.score >= threshold)).toBe(true);
      expect(kept.map((hit) => hit.id)).toEqual(
        all.filter((hit) => hit.score >= threshold).map((hit) => hit.id),
      );
      expect(await search(query, mode, { threshold: 1.01 })).toEqual([]);
    },
  );

  it.each(MODES)('%s search returns at most `limit` hits', async (mode) => {
    await seed();

    const hits = await search('install server windows linux refunds invoices tomatoes', mode, {
      limit: 2,
    });

    expect(hits).toHaveLength(2);
  });
});
