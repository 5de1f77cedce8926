import {
  ErrorCode,
  ResourceListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcess, type InProcessServer } from '../../support/in-process.js';
import { callOk } from '../../support/tool-results.js';

const GUIDE = `# Setup guide

Install the server with npm and start it. The first start creates the data folder.

## Claude Desktop

Add the server to the Claude Desktop configuration file and restart Claude Desktop.`;

/** Names with a slash, spaces, a percent sign, a question mark and non-ASCII letters. */
const ODD_SOURCES = ['guides/setup guide.md', 'notes/50% off? ünïcode #1.txt', 'plain.md'];

let server: InProcessServer;
const changes: number[] = [];

beforeAll(async () => {
  server = await startInProcess();
  server.client.setNotificationHandler(ResourceListChangedNotificationSchema, () => {
    changes.push(Date.now());
  });
  for (const source of ODD_SOURCES) {
    await callOk(server.client, 'ingest_document', {
      source,
      content: GUIDE,
      title: `About ${source}`,
    });
  }
});
afterAll(() => server.close());

async function allResources(): Promise<
  { uri: string; name: string; mimeType?: string; title?: string }[]
> {
  const all = [];
  let cursor: string | undefined;
  do {
    const page = await server.client.listResources(cursor === undefined ? {} : { cursor });
    all.push(...page.resources);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return all;
}

describe('resources', () => {
  it('initialize announces resources with listChanged, prompts, completions and logging', () => {
    expect(server.client.getServerCapabilities()).toMatchObject({
      resources: { listChanged: true },
      prompts: {},
      completions: {},
      logging: {},
      tools: {},
    });
  });

  it('lists each table as table://{alias} (JSON) and each document as doc://{source} (Markdown)', async () => {
    const resources = await allResources();
    const tables = resources.filter((r) => r.uri.startsWith('table://'));
    expect(tables.map((r) => r.uri)).toEqual([
      'table://sessions',
      'table://conversations',
      'table://analytics',
      'table://notes',
    ]);
    expect(tables.every((r) => r.mimeType === 'application/json')).toBe(true);
    const docs = resources.filter((r) => r.uri.startsWith('doc://'));
    expect(docs.map((r) => r.name).sort()).toEqual([...ODD_SOURCES].sort());
    expect(docs.find((r) => r.name === 'guides/setup guide.md')).toMatchObject({
      uri: 'doc://guides%2Fsetup%20guide.md',
      title: 'About guides/setup guide.md',
      mimeType: 'text/markdown',
    });
  });

  it('percent-encodes every source so that its URI reads back the same document', async () => {
    const docs = (await allResources()).filter((r) => r.uri.startsWith('doc://'));
    for (const doc of docs) {
      expect(new URL(doc.uri).pathname, doc.uri).toBe('');
      expect(doc.uri.slice('doc://'.length)).toBe(encodeURIComponent(doc.name));
      const { contents } = await server.client.readResource({ uri: doc.uri });
      expect(contents).toHaveLength(1);
      expect(contents[0]).toMatchObject({ uri: doc.uri, mimeType: 'text/markdown' });
      expect(contents[0]?._meta).toMatchObject({ source: doc.name, title: `About ${doc.name}` });
    }
  });

  it("reads a document's whole text in order, once, with its headings", async () => {
    const { contents } = await server.client.readResource({
      uri: 'doc://guides%2Fsetup%20guide.md',
    });
    const text = (contents[0] as { text: string }).text;
    expect(text).toContain('Install the server with npm and start it.');
    expect(text.indexOf('Install the server')).toBeLessThan(text.indexOf('Add the server'));
    expect(text).toMatch(/^## .*Claude Desktop$/m);
    expect(text.split('Add the server to the Claude Desktop').length).toBe(2);
  });

  it('pages resources/list with the store cursor: tables first, then every document once', async () => {
    for (let i = 0; i < 55; i++) {
      await callOk(server.client, 'ingest_document', {
        source: `bulk/doc ${String(i).padStart(2, '0')}.md`,
        content: `Bulk document number ${i}.`,
      });
    }
    const first = await server.client.listResources();
    expect(first.nextCursor).toBeTypeOf('string');
    expect(first.resources.slice(0, 4).map((r) => r.uri)).toEqual([
      'table://sessions',
      'table://conversations',
      'table://analytics',
      'table://notes',
    ]);
    const all = await allResources();
    const docUris = all.filter((r) => r.uri.startsWith('doc://')).map((r) => r.uri);
    expect(new Set(docUris).size).toBe(docUris.length);
    expect(docUris).toHaveLength(55 + ODD_SOURCES.length);
    expect(all.filter((r) => r.uri.startsWith('table://'))).toHaveLength(4);
  });

  it('offers the doc://{source} and table://{alias} templates', async () => {
    const { resourceTemplates } = await server.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => [t.uriTemplate, t.mimeType])).toEqual([
      ['doc://{source}', 'text/markdown'],
      ['table://{alias}', 'application/json'],
    ]);
  });

  it("reads a table's key schema and access, never its physical name", async () => {
    const { contents } = await server.client.readResource({ uri: 'table://notes' });
    const text = (contents[0] as { text: string }).text;
    expect(JSON.parse(text)).toMatchObject({
      alias: 'notes',
      partitionKey: { name: expect.any(String) as unknown, type: 'S' },
      access: 'read-write',
    });
    expect(text).not.toContain('chatbot-notes');
  });

  it('answers an unknown document with -32002 and a malformed URI with invalid params', async () => {
    await expect(server.client.readResource({ uri: 'doc://nope.md' })).rejects.toMatchObject({
      code: -32002,
      message: expect.stringMatching(/NOT_FOUND: source: no document "nope.md"/) as unknown,
    });
    await expect(server.client.readResource({ uri: 'table://nope' })).rejects.toMatchObject({
      code: -32002,
      message: expect.stringContaining('sessions, conversations, analytics, notes') as unknown,
    });
    await expect(server.client.readResource({ uri: 'doc://%E0%A4%A' })).rejects.toMatchObject({
      code: ErrorCode.InvalidParams,
      message: expect.stringContaining('malformed percent-escape') as unknown,
    });
    await expect(server.client.readResource({ uri: 'file:///etc/passwd' })).rejects.toMatchObject({
      code: ErrorCode.InvalidParams,
    });
  });

  it('sends notifications/resources/list_changed after an ingest that changed something and after a delete', async () => {
    const before = changes.length;
    await callOk(server.client, 'ingest_document', { source: 'fresh.md', content: 'Fresh text.' });
    await expect.poll(() => changes.length).toBe(before + 1);
    // Unchanged content is skipped: the list did not change.
    await callOk(server.client, 'ingest_document', { source: 'fresh.md', content: 'Fresh text.' });
    await callOk(server.client, 'delete_document', { source: 'fresh.md' });
    await expect.poll(() => changes.length).toBe(before + 2);
  });
});
