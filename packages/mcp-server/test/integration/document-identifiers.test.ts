import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcess, type InProcessServer } from '../support/in-process.js';
import { callError, callOk, listAllDocuments } from '../support/tool-results.js';

/**
 * Document identifiers (source, metadata keys, filter keys, list cursors) through the tools:
 * ill-formed UTF-16 and `__proto__` are refused with VALIDATION, so no identifier is changed
 * on the way to the index (a lone surrogate would become U+FFFD and name another document).
 */

const LONE = ['\uDC00', '\uD800', 'x\uD83D', '\uDE00\uD83D'];
const NEIGHBOUR = 'report\uFFFD.md';

let server: InProcessServer;
let client: Client;

beforeAll(async () => {
  server = await startInProcess();
  client = server.client;
  await callOk(client, 'ingest_document', {
    source: NEIGHBOUR,
    content: '# Report\n\nThe quarterly report lists revenue by region.\n',
    metadata: { team: 'finance' },
  });
});
afterAll(() => server.close());

describe('document identifiers', () => {
  it.each(LONE)(
    'source with lone surrogate %j: refused by ingest, delete and filters',
    async (lone) => {
      const source = `report${lone}.md`;
      for (const [tool, args] of [
        ['ingest_document', { source, content: 'Replacement text.' }],
        ['delete_document', { source }],
        ['search_documents', { query: 'report', filter: { source } }],
      ] as const) {
        expect(await callError(client, tool, args)).toMatch(
          /^VALIDATION: (filter\.)?source: contains an unpaired UTF-16 surrogate/,
        );
      }
      // The document with the well-formed neighbour name is untouched.
      const documents = await listAllDocuments(client);
      expect(documents.map((d) => d.source)).toEqual([NEIGHBOUR]);
    },
  );

  it('metadata and filter keys: lone surrogates and __proto__ are refused', async () => {
    for (const key of ['__proto__', 'team\uDC00', '\uD800']) {
      const metadata = JSON.parse(`{${JSON.stringify(key)}: "x"}`) as Record<string, string>;
      expect(
        await callError(client, 'ingest_document', { source: 'm.md', content: 'Text.', metadata }),
      ).toMatch(/^VALIDATION: metadata/);
      expect(
        await callError(client, 'search_documents', { query: 'report', filter: { metadata } }),
      ).toMatch(/^VALIDATION: filter\.metadata/);
    }
  });

  it('a list cursor naming an ill-formed source is refused', async () => {
    const cursor = Buffer.from('{"v":1,"after":"report\\udc00.md"}').toString('base64url');
    expect(await callError(client, 'list_documents', { cursor })).toMatch(/^VALIDATION: cursor/);
  });
});
