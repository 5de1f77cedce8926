import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentService } from '../../../src/documents/document-service.js';
import { NotFoundError, ValidationError } from '../../../src/errors.js';
import type { SearchMode } from '../../../src/ports/vector-store.js';
import { documentStack, exampleDocs, type DocumentStack } from '../../support/document-fixtures.js';
import { expectFailure } from '../../support/expect-failure.js';

/** Everything a caller can observe about the index: documents, and what a few searches return. */
async function snapshot(service: DocumentService): Promise<unknown> {
  const { documents } = await service.listDocuments({ limit: 100 });
  const searches = await Promise.all(
    ['deployment rollback', 'API keys', 'incident severity'].map((query) =>
      service.search({ query, limit: 20, mode: 'keyword' }),
    ),
  );
  return { documents, searches: searches.map((hits) => hits.map((h) => [h.id, h.content])) };
}

describe('DocumentService on LanceDB (embedded, real files in a temp folder)', () => {
  let stack: DocumentStack;
  let service: DocumentService;

  beforeAll(async () => {
    stack = await documentStack();
    service = stack.service;
    const results = await service.ingestMany(exampleDocs());
    expect(results.every((r) => !r.skipped && r.chunks > 0)).toBe(true);
  });
  afterAll(() => stack.dispose());

  describe('search finds the relevant document first in every mode', () => {
    const cases: [string, string][] = [
      ['how do I roll back a deployment', 'deployment-runbook.md'],
      ['rotate API keys', 'api-authentication.html'],
      ['incident severity levels and response time', 'incident-policy.md'],
      ['how long are raw events kept', 'faq.txt'],
      ['laptop setup bootstrap script', 'onboarding.md'],
    ];
    for (const mode of ['hybrid', 'vector', 'keyword'] as SearchMode[]) {
      it.each(cases)(`${mode}: %s`, async (query, source) => {
        const hits = await service.search({ query, mode });
        expect(hits[0]?.source).toBe(source);
        expect(hits.length).toBeGreaterThan(0);
        expect(hits.length).toBeLessThanOrEqual(5);
        for (const hit of hits) {
          expect(hit.score).toBeGreaterThanOrEqual(0);
          expect(hit.score).toBeLessThanOrEqual(1);
        }
        expect(hits.map((h) => h.score)).toEqual(
          [...hits.map((h) => h.score)].sort((a, b) => b - a),
        );
      });
    }
  });

  it('returns chunks with their source, title, heading path and position', async () => {
    const [hit] = await service.search({
      query: 'OAuth2 scopes reports:read',
      mode: 'keyword',
      limit: 1,
    });
    expect(hit).toMatchObject({
      source: 'api-authentication.html',
      title: 'Beacon API authentication',
      heading: expect.stringMatching(/^API authentication > OAuth2 client credentials/) as unknown,
    });
    expect(hit!.id).toBe(`api-authentication.html#${hit!.position}`);
  });

  it('tolerates a typo in hybrid mode, through the trigram ranking', async () => {
    expect(await service.search({ query: 'clickhuose', mode: 'keyword' })).toEqual([]);
    const hits = await service.search({ query: 'clickhuose', mode: 'hybrid' });
    expect(hits[0]?.content).toMatch(/ClickHouse/);
  });

  it('drops hits below the threshold', async () => {
    const all = await service.search({ query: 'deployment rollback', limit: 20 });
    const cut = all[Math.floor(all.length / 2)]!.score;
    const kept = await service.search({ query: 'deployment rollback', limit: 20, threshold: cut });
    expect(kept.length).toBeLessThan(all.length);
    expect(kept.every((h) => h.score >= cut)).toBe(true);
    expect(
      await service
        .search({ query: 'deployment rollback', threshold: 1.01 })
        .catch((e: unknown) => e),
    ).toBeInstanceOf(ValidationError);
    expect(await service.search({ query: 'zzzz qqqq', mode: 'keyword', threshold: 0.1 })).toEqual(
      [],
    );
  });

  it('validates the tool limits but lets the internal path retrieve more', async () => {
    await expectFailure(
      service.search({ query: 'deploy', limit: 21 }),
      ValidationError,
      /limit: must be an integer from 1 to 20/,
    );
    await expectFailure(service.search({ query: 'deploy', limit: 0 }), ValidationError);
    const many = await service.retrieve({ query: 'beacon', mode: 'keyword', limit: 100 });
    expect(many.length).toBeGreaterThan(20);
  });

  it('refuses an empty query clearly', async () => {
    await expectFailure(service.search({ query: '   ' }), ValidationError, /query: is empty/);
  });

  it('answers a query of stop words only with no keyword hits rather than an error', async () => {
    expect(await service.search({ query: 'the and of', mode: 'keyword' })).toEqual([]);
    expect(Array.isArray(await service.search({ query: 'the and of' }))).toBe(true);
  });

  describe('a bad input leaves the index exactly as it was', () => {
    const bad: [string, Parameters<DocumentService['ingest']>[0], RegExp][] = [
      [
        '10 MB of text',
        { source: 'big.txt', content: 'a'.repeat(10 * 1024 * 1024), contentType: 'text/plain' },
        /is 10\.0 MB; the limit is 5 MB/,
      ],
      [
        'binary content',
        {
          source: 'logo.png',
          content: '\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR',
          contentType: 'text/plain',
        },
        /looks like a binary file/,
      ],
      [
        'empty content',
        { source: 'empty.md', content: '  ', contentType: 'text/markdown' },
        /content: is empty/,
      ],
      [
        'an unknown type',
        { source: 'a.pdf', content: 'text', contentType: 'application/pdf' },
        /contentType: "application\/pdf" is not supported/,
      ],
      [
        'markup without text',
        {
          source: 'blank.html',
          content: '<script>x()</script><style>p{}</style>',
          contentType: 'text/html',
        },
        /has no text once markup is removed/,
      ],
      [
        'an empty source',
        { source: '', content: 'text', contentType: 'text/plain' },
        /source: must be a non-empty string/,
      ],
      [
        'bad metadata',
        { source: 'm.txt', content: 'text', contentType: 'text/plain', metadata: { 'bad key': 1 } },
        /metadata: key "bad key"/,
      ],
    ];
    it.each(bad)('%s', async (_name, input, message) => {
      const before = await snapshot(service);
      await expectFailure(service.ingest(input), ValidationError, message);
      if (input.source !== '') {
        // Replacing an existing source with bad content must not touch its stored version either.
        await expectFailure(service.ingest({ ...input, source: 'faq.txt' }), ValidationError);
      }
      expect(await snapshot(service)).toEqual(before);
    });

    it('a batch with one bad document writes none of them', async () => {
      const before = await snapshot(service);
      const error = await expectFailure(
        service.ingestMany([
          {
            source: 'new-1.txt',
            content: 'A new document about caching.',
            contentType: 'text/plain',
          },
          { source: 'new-2.txt', content: 'bin\u0000ary', contentType: 'text/plain' },
        ]),
        ValidationError,
      );
      expect(error.message).toMatch(/^documents\[1\]\.content: contains NUL characters/);
      await expectFailure(
        service.ingestMany([
          { source: 'dup.txt', content: 'one', contentType: 'text/plain' },
          { source: 'dup.txt', content: 'two', contentType: 'text/plain' },
        ]),
        ValidationError,
        /appears twice/,
      );
      expect(await snapshot(service)).toEqual(before);
    });
  });
});

describe('DocumentService: re-ingest, delete, list and filters', () => {
  let stack: DocumentStack;
  let service: DocumentService;

  beforeAll(async () => {
    stack = await documentStack();
    service = stack.service;
  });
  afterAll(() => stack.dispose());

  const chunksOf = async (source: string) =>
    service.retrieve({
      query: 'section text words',
      mode: 'vector',
      limit: 1000,
      filter: { source },
    });

  it('skips unchanged content and replaces changed content without duplicates', async () => {
    const long = Array.from(
      { length: 12 },
      (_, i) => `## Section ${i}\n\nSection ${i} text with some words.`,
    ).join('\n\n');
    const first = await service.ingest({
      source: 'guide.md',
      content: long,
      contentType: 'text/markdown',
    });
    expect(first).toEqual({ source: 'guide.md', chunks: 12, skipped: false });
    const stored = await stack.store.getDocument('guide.md');

    const again = await service.ingest({
      source: 'guide.md',
      content: long,
      contentType: 'text/markdown',
    });
    expect(again).toEqual({ source: 'guide.md', chunks: 12, skipped: true });
    expect(await stack.store.getDocument('guide.md')).toEqual(stored);

    // Same text, other metadata: not skipped, because metadata is stored on every chunk.
    const retagged = await service.ingest({
      source: 'guide.md',
      content: long,
      contentType: 'text/markdown',
      metadata: { v: 2 },
    });
    expect(retagged.skipped).toBe(false);

    const shorter = '## Only section\n\nThe one remaining section text with words.';
    expect(
      await service.ingest({ source: 'guide.md', content: shorter, contentType: 'text/markdown' }),
    ).toEqual({
      source: 'guide.md',
      chunks: 1,
      skipped: false,
    });
    const chunks = await chunksOf('guide.md');
    expect(chunks.map((c) => c.id)).toEqual(['guide.md#0']);
    expect(chunks[0]!.content).toBe('The one remaining section text with words.');
    expect((await stack.store.getDocument('guide.md'))?.chunks).toBe(1);
  });

  it('keeps concurrent re-ingests of one source free of duplicates', async () => {
    const versions = ['alpha beta', 'gamma delta', 'epsilon zeta'].map((words) =>
      Array.from({ length: 5 }, (_, i) => `Paragraph ${i} about ${words}.`).join('\n\n'),
    );
    await Promise.all(
      versions.map((content) =>
        service.ingest({ source: 'race.txt', content, contentType: 'text/plain' }),
      ),
    );
    const chunks = await chunksOf('race.txt');
    expect(new Set(chunks.map((c) => c.id)).size).toBe(chunks.length);
    expect(chunks.length).toBe((await stack.store.getDocument('race.txt'))?.chunks);
  });

  it('deletes a document and all its chunks, then reports it as not found', async () => {
    await service.ingest({
      source: 'gone.txt',
      content: 'Temporary note.\n\nSecond paragraph.',
      contentType: 'text/plain',
    });
    const removed = await service.deleteDocument('gone.txt');
    expect(removed.chunks).toBeGreaterThan(0);
    expect(await chunksOf('gone.txt')).toEqual([]);
    expect(await stack.store.getDocument('gone.txt')).toBeUndefined();
    await expectFailure(
      service.deleteDocument('gone.txt'),
      NotFoundError,
      /no document "gone.txt" is indexed/,
    );
  });

  it('lists documents in source order, page by page with an opaque cursor', async () => {
    const sources = ['b.txt', 'a.txt', "it's.txt", 'c/d.txt', 'e.txt'];
    await service.ingestMany(
      sources.map((source) => ({
        source,
        content: `Text of ${source}.`,
        contentType: 'text/plain',
      })),
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await service.listDocuments({ limit: 2, ...(cursor && { cursor }) });
      expect(page.documents.length).toBeLessThanOrEqual(2);
      seen.push(...page.documents.map((d) => d.source));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(seen.length);
    for (const source of sources) expect(seen).toContain(source);
    const [doc] = (await service.listDocuments({ limit: 100 })).documents.filter(
      (d) => d.source === 'a.txt',
    );
    expect(doc).toMatchObject({
      source: 'a.txt',
      chunks: 1,
      contentHash: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
    });
    await expectFailure(
      service.listDocuments({ cursor: 'not-a-cursor' }),
      ValidationError,
      /cursor/,
    );
    await expectFailure(service.listDocuments({ limit: 101 }), ValidationError, /limit/);
  });

  it('filters by source and by exact metadata, with quotes and injection attempts escaped', async () => {
    await service.ingestMany([
      {
        source: "team's/ops.md",
        content: 'Pager rotation for the ops team.',
        contentType: 'text/markdown',
        metadata: { team: "o'ps", tier: 2, public: false },
      },
      {
        source: 'team/web.md',
        content: 'Pager rotation for the web team.',
        contentType: 'text/markdown',
        metadata: { team: 'web', tier: '2', public: true },
      },
    ]);
    const query = 'pager rotation team';
    const sourcesOf = async (filter: Parameters<DocumentService['search']>[0]['filter']) =>
      (await service.search({ query, limit: 20, filter })).map((h) => h.source).sort();

    expect(await sourcesOf({ source: "team's/ops.md" })).toEqual(["team's/ops.md"]);
    expect(await sourcesOf({ metadata: { team: "o'ps" } })).toEqual(["team's/ops.md"]);
    expect(await sourcesOf({ metadata: { tier: 2 } })).toEqual(["team's/ops.md"]);
    expect(await sourcesOf({ metadata: { tier: '2' } })).toEqual(['team/web.md']);
    expect(await sourcesOf({ metadata: { public: true, team: 'web' } })).toEqual(['team/web.md']);
    expect(await sourcesOf({ metadata: { public: true, team: "o'ps" } })).toEqual([]);
    expect(await sourcesOf({ source: "x' OR '1'='1" })).toEqual([]);
    expect(await sourcesOf({ metadata: { team: "web' OR true OR '" } })).toEqual([]);
    const [hit] = await service.search({ query, filter: { source: "team's/ops.md" } });
    expect(hit!.metadata).toEqual({ team: "o'ps", tier: 2, public: false });
    await expectFailure(
      service.search({ query, filter: { metadata: { 'x y': 1 } } }),
      ValidationError,
      /filter\.metadata/,
    );
  });
});
