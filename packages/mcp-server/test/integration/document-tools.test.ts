import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcess, type InProcessServer } from '../support/in-process.js';
import {
  callError,
  callOk,
  callTool,
  listAllDocuments,
  searchOk,
  textOf,
  type ListedDocument,
  type SearchResultItem,
} from '../support/tool-results.js';

/**
 * The four document tools through an SDK client, in process (InMemoryTransport), on the
 * server as the CLI builds it: embedded LanceDB with the hashing embedder, in a temp folder.
 * The sample documents of examples/docs are ingested first, so every search has distractors.
 */

const EXAMPLE_DOCS = fileURLToPath(new URL('../../../../examples/docs/', import.meta.url));
const CONTENT_TYPES: Record<string, string> = {
  '.md': 'text/markdown',
  '.html': 'text/html',
  '.txt': 'text/plain',
};
const MODES = ['hybrid', 'vector', 'keyword'] as const;

let server: InProcessServer;
let client: Client;

beforeAll(async () => {
  server = await startInProcess();
  client = server.client;
  for (const name of readdirSync(EXAMPLE_DOCS).sort()) {
    const result = await callOk(client, 'ingest_document', {
      source: `examples/${name}`,
      content: readFileSync(join(EXAMPLE_DOCS, name), 'utf8'),
      content_type: CONTENT_TYPES[extname(name)],
    });
    expect(result).toMatchObject({ source: `examples/${name}`, skipped: false });
  }
});

afterAll(() => server?.close());

async function ingest(args: Record<string, unknown>): Promise<Record<string, unknown>> {
  return callOk(client, 'ingest_document', args);
}

async function search(args: Record<string, unknown>): Promise<SearchResultItem[]> {
  return (await searchOk(client, args)).results;
}

describe('search_documents', () => {
  const source = 'notes/drone-fleet.md';
  beforeAll(async () => {
    await ingest({
      source,
      content:
        '# Drone fleet\n\n## Telemetry\n\nThe Kestrel drone fleet reports battery telemetry every 30 seconds over LoRaWAN.\n',
      metadata: { team: 'field-ops' },
    });
  });

  it.each(MODES)(
    '%s: the ingested document comes first, each passage cited [n] with its source',
    async (mode) => {
      const query = 'drone battery telemetry LoRaWAN';
      const { results, text } = await searchOk(client, { query, mode });
      expect(results.length).toBeGreaterThan(0);
      expect(results.length).toBeLessThanOrEqual(5);
      expect(results[0]).toMatchObject({
        id: `${source}#0`,
        source,
        title: 'Drone fleet',
        heading: 'Drone fleet > Telemetry',
        metadata: { team: 'field-ops' },
      });
      expect(results[0]?.content).toContain('battery telemetry every 30 seconds');
      expect(results.map((r) => r.score)).toEqual(
        [...results.map((r) => r.score)].sort((a, b) => b - a),
      );

      expect(text).toMatch(
        new RegExp(`^${results.length} passage\\(s\\) for "${query}"\\. Cite them as \\[n\\]`),
      );
      expect(text).toContain(
        `\n\n[1] (score ${results[0]!.score.toFixed(3)})\n<passage>\n│ source: "${source}"\n│ § Drone fleet > Telemetry\n${results[0]!.content
          .split('\n')
          .map((line) => `│ ${line}`)
          .join('\n')}\n</passage>`,
      );
      results.forEach((r, i) => {
        expect(text).toContain(
          `[${i + 1}] (score ${r.score.toFixed(3)})\n<passage>\n│ source: ${JSON.stringify(r.source)}\n`,
        );
      });
      expect(text.match(/<passage>/g)).toHaveLength(results.length);
      expect(text.match(/<\/passage>/g)).toHaveLength(results.length);
    },
  );

  it.each(MODES)(
    "%s: each passage carries its document's lead, unless it opens with it",
    async (mode) => {
      const manual = 'manual/git-frob.md';
      await ingest({
        source: manual,
        content:
          '# git-frob\n\ngit-frob - Frobnicate the quux widgets\n\n## OPTIONS\n\n--twiddle\n\nTwiddle every quux widget before the frobnication.\n',
      });
      const results = await search({ query: 'twiddle quux frobnication', mode, limit: 20 });
      const options = results.find((r) => r.id === `${manual}#1`);
      expect(options).toMatchObject({ lead: 'git-frob - Frobnicate the quux widgets' });
      const name = results.find((r) => r.id === `${manual}#0`);
      expect(name?.content).toMatch(/^git-frob - Frobnicate/);
      expect(name).not.toHaveProperty('lead');
    },
  );

  it('returns at most two passages of one document while other documents match', async () => {
    const long = 'manual/zephyr.md';
    await ingest({
      source: long,
      content: ['# Zephyr', 'A', 'B', 'C', 'D']
        .map((h, i) => (i === 0 ? h : `## ${h}\n\nThe zephyr wind blows over the zephyr hills.`))
        .join('\n\n'),
    });
    await ingest({ source: 'notes/weather.md', content: 'A zephyr is a light west wind.' });
    const results = await search({ query: 'zephyr wind', mode: 'keyword', limit: 3 });
    expect(results.filter((r) => r.source === long)).toHaveLength(2);
    expect(results.map((r) => r.source)).toContain('notes/weather.md');
    const only = await search({ query: 'zephyr hills', limit: 4, filter: { source: long } });
    expect(only).toHaveLength(4);
  });

  it('filters by source and by exact metadata values', async () => {
    const a = 'reports/finance-q3.md';
    const b = 'reports/sales-q3.md';
    await ingest({
      source: a,
      content: '# Finance Q3\n\nThe quarterly revenue review covers invoices and refunds.',
      metadata: { team: 'finance', year: 2025, public: false },
    });
    await ingest({
      source: b,
      content: '# Sales Q3\n\nThe quarterly pipeline review covers leads and renewals.',
      metadata: { team: 'sales', year: 2025, public: true },
    });
    const query = 'quarterly review';

    const bySource = await search({ query, limit: 20, filter: { source: a } });
    expect(bySource.map((r) => r.source)).toEqual([a]);
    const byTeam = await search({ query, limit: 20, filter: { metadata: { team: 'sales' } } });
    expect(byTeam.map((r) => r.source)).toEqual([b]);
    const byYear = await search({ query, limit: 20, filter: { metadata: { year: 2025 } } });
    expect(byYear.map((r) => r.source).sort()).toEqual([a, b]);
    const byBoolean = await search({ query, limit: 20, filter: { metadata: { public: false } } });
    expect(byBoolean.map((r) => r.source)).toEqual([a]);
    expect(await search({ query, filter: { source: b, metadata: { team: 'finance' } } })).toEqual(
      [],
    );
    const none = await searchOk(client, { query, filter: { source: 'reports/none.md' } });
    expect(none.results).toEqual([]);
    expect(none.text).toBe(`No passages matched "${query}".`);
  });

  it.each(MODES)('%s: threshold drops the passages scoring below it', async (mode) => {
    const query = 'beacon deployment events';
    const all = await search({ query, mode, limit: 20 });
    expect(all.length).toBeGreaterThan(3);
    const cut = (all[1]!.score + all[2]!.score) / 2;
    expect(all[1]!.score).toBeGreaterThan(all[2]!.score);
    const kept = await search({ query, mode, limit: 20, threshold: cut });
    expect(kept.map((r) => r.id)).toEqual(all.slice(0, 2).map((r) => r.id));
    expect(kept.every((r) => r.score >= cut)).toBe(true);
    expect(await search({ query, mode, threshold: 1 })).toEqual(
      all.filter((r) => r.score >= 1).slice(0, 5),
    );
  });
});

describe('ingest_document', () => {
  const source = 'notes/ferry-timetable.md';
  const v1 =
    '# Ferry timetable\n\n## Winter\n\nIn winter the albatross ferry leaves the harbour at 07:15.\n\n' +
    '## Summer\n\nIn summer ferries leave every half hour from 06:00.\n';
  const v2 =
    '# Ferry timetable\n\n## Summer\n\nIn summer ferries leave every half hour from 06:00.\n\n' +
    '## Autumn\n\nIn autumn the cormorant ferry sails twice a day.\n';

  it('skips unchanged content and replaces changed content without stale passages', async () => {
    const first = await ingest({ source, content: v1 });
    expect(first).toEqual({ source, chunks: 2, skipped: false });
    const listedFirst = await listed(source);

    expect(await ingest({ source, content: v1 })).toEqual({ source, chunks: 2, skipped: true });
    const call = await callTool(client, 'ingest_document', { source, content: v1 });
    expect(textOf(call)).toBe(
      `Unchanged: "${source}" is already indexed with this content (2 chunks); nothing was re-indexed.`,
    );
    expect(await listed(source)).toEqual(listedFirst); // not re-written: same ingested_at

    expect(await ingest({ source, content: v2 })).toEqual({ source, chunks: 2, skipped: false });
    const listedSecond = await listed(source);
    expect(listedSecond.chunks).toBe(2);
    expect(listedSecond.ingested_at >= listedFirst.ingested_at).toBe(true);

    // The removed section is gone in every mode; the new one is found.
    for (const mode of MODES) {
      const stale = await search({ query: 'albatross winter 07:15', mode, limit: 20 });
      expect(
        stale.filter((r) => r.content.includes('albatross')),
        mode,
      ).toEqual([]);
      const fresh = await search({ query: 'cormorant ferry autumn', mode });
      expect(fresh[0], mode).toMatchObject({ source, heading: 'Ferry timetable > Autumn' });
    }
    const passages = await search({ query: 'ferry', limit: 20, filter: { source } });
    expect(passages.map((r) => r.id).sort()).toEqual([`${source}#0`, `${source}#1`]);
  });

  it('takes HTML and plain text, with a title and metadata', async () => {
    expect(
      await ingest({
        source: 'https://intranet.example/wiki/kilns',
        content:
          '<html><head><title>Kilns</title><style>p { color: red }</style></head><body><h1>Kiln safety</h1><p>Never open a kiln above 200 degrees.</p></body></html>',
        content_type: 'text/html',
        metadata: { space: 'studio' },
      }),
    ).toEqual({ source: 'https://intranet.example/wiki/kilns', chunks: 1, skipped: false });
    await ingest({
      source: 'notes/plain.txt',
      content: 'Plain text: the darkroom timer is set to ninety seconds.',
      content_type: 'text/plain',
      title: 'Darkroom',
    });
    const [kiln] = await search({ query: 'open a kiln degrees', mode: 'keyword' });
    expect(kiln).toMatchObject({
      source: 'https://intranet.example/wiki/kilns',
      title: 'Kilns',
      metadata: { space: 'studio' },
    });
    expect(kiln?.content).not.toMatch(/<p>|color: red/);
    const [plain] = await search({ query: 'darkroom timer', mode: 'keyword' });
    expect(plain).toMatchObject({ source: 'notes/plain.txt', title: 'Darkroom' });
  });
});

describe('delete_document', () => {
  it('removes every passage of a document; a second delete is NOT_FOUND', async () => {
    const source = 'notes/long-handbook.md';
    const sections = Array.from(
      { length: 6 },
      (_, i) =>
        `## Chapter ${i + 1}\n\n${`The heron handbook chapter ${i + 1} explains wading birds. `.repeat(40)}`,
    );
    const { chunks } = await ingest({
      source,
      content: `# Heron handbook\n\n${sections.join('\n\n')}`,
    });
    expect(chunks).toBeGreaterThan(3);
    expect(await search({ query: 'heron wading birds', filter: { source } })).not.toEqual([]);

    const deleted = await callTool(client, 'delete_document', { source });
    expect(deleted.structuredContent).toEqual({ source, deleted_chunks: chunks });
    expect(textOf(deleted)).toBe(
      `Deleted "${source}": ${String(chunks)} chunk(s) removed from the index.`,
    );
    for (const mode of MODES) {
      const hits = await search({ query: 'heron handbook wading birds', mode, limit: 20 });
      expect(
        hits.map((r) => r.source),
        mode,
      ).not.toContain(source);
    }
    expect((await listAllDocuments(client)).map((d) => d.source)).not.toContain(source);

    const again = await callError(client, 'delete_document', { source });
    expect(again).toMatch(/^NOT_FOUND: source: no document "notes\/long-handbook\.md" is indexed/);
  });
});

describe('list_documents', () => {
  it('pages through every document in source order with an opaque cursor', async () => {
    const everything = await listAllDocuments(client, 100);
    expect(everything.length).toBeGreaterThan(5);
    const sources = everything.map((d) => d.source);
    expect(sources).toEqual([...sources].sort());
    expect(new Set(sources).size).toBe(sources.length);

    const pages: ListedDocument[][] = [];
    let cursor: string | undefined;
    do {
      const result = await callTool(client, 'list_documents', {
        limit: 2,
        ...(cursor !== undefined && { cursor }),
      });
      const page = result.structuredContent as { documents: ListedDocument[]; cursor?: string };
      pages.push(page.documents);
      cursor = page.cursor;
      if (cursor !== undefined) {
        expect(textOf(result)).toContain(
          `More documents exist: call list_documents again with cursor "${cursor}".`,
        );
        expect(cursor).not.toContain(page.documents[1]!.source); // opaque, not a raw source
      } else {
        expect(textOf(result)).not.toContain('More documents exist');
      }
    } while (cursor !== undefined && pages.length < 100);
    expect(pages).toHaveLength(Math.ceil(everything.length / 2));
    expect(pages.flat()).toEqual(everything);

    expect(await callError(client, 'list_documents', { cursor: 'not-a-cursor' })).toMatch(
      /^VALIDATION: cursor: is not one this server issued/,
    );
  });
});

describe('bad input: VALIDATION, and the index exactly as it was', () => {
  /**
   * What a client can observe: every document (with ingest times) and a search in each mode.
   * Scores to 6 places: a background flush in between stores the vectors as float32, which
   * moves a score in the 8th place without changing the index.
   */
  async function observe(): Promise<unknown> {
    const searches = [];
    for (const mode of MODES) {
      const found = await search({ query: 'ferry deployment beacon', mode, limit: 20 });
      searches.push(
        JSON.parse(JSON.stringify(found), (key, value: unknown) =>
          key === 'score' && typeof value === 'number' ? Number(value.toFixed(6)) : value,
        ) as unknown,
      );
    }
    return { documents: await listAllDocuments(client), searches };
  }

  // Sources that exist: a refused replacement must not disturb them.
  const existing = 'notes/ferry-timetable.md';
  const cases: [string, string, Record<string, unknown>, RegExp][] = [
    ['empty query', 'search_documents', { query: '' }, /^VALIDATION: query: /],
    [
      'whitespace-only query',
      'search_documents',
      { query: ' \t\n ' },
      /^VALIDATION: query: is empty/,
    ],
    ['limit 0', 'search_documents', { query: 'ferry', limit: 0 }, /^VALIDATION: limit: /],
    ['limit 21', 'search_documents', { query: 'ferry', limit: 21 }, /^VALIDATION: limit: /],
    [
      'unknown mode',
      'search_documents',
      { query: 'ferry', mode: 'semantic' },
      /^VALIDATION: mode: /,
    ],
    [
      '10 MB of content',
      'ingest_document',
      { source: existing, content: 'ferry '.repeat((10 * 1024 * 1024) / 6) },
      /^VALIDATION: content: is 10\.0 MB; the limit is 5 MB/,
    ],
    [
      'binary content (NUL bytes)',
      'ingest_document',
      {
        source: existing,
        content: '\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR\u0000\u0000ferry',
      },
      /^VALIDATION: content: contains NUL characters/,
    ],
    [
      'metadata with a nested object',
      'ingest_document',
      { source: existing, content: '# New\n\nnew text', metadata: { owner: { name: 'eve' } } },
      /^VALIDATION: metadata\.owner: /,
    ],
  ];

  it.each(cases)('%s', async (_case, tool, args, pattern) => {
    const before = await observe();
    expect(await callError(client, tool, args)).toMatch(pattern);
    expect(await observe()).toEqual(before);
  });
});

async function listed(source: string): Promise<ListedDocument> {
  const found = (await listAllDocuments(client)).find((d) => d.source === source);
  expect(found, `${source} is not listed`).toBeDefined();
  return found!;
}
