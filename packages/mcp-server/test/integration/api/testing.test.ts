import { access, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../../../src/api/testing.js';
import { callError, callOk, textOf, callTool } from '../../support/tool-results.js';

describe('startTestServer (chatbot-mcp-server/testing)', () => {
  it('seeds documents and records, serves them to a connected client, and close removes the data folder', async () => {
    const { client, close, dataDir } = await startTestServer({
      documents: [
        {
          source: 'guides/setup guide.md',
          content: '# Setup\n\nRun the installer, then sign in.',
          title: 'Setup',
        },
      ],
      records: { notes: [{ id: 'n1', title: 'First note' }] },
    });
    try {
      const search = await callTool(client, 'search_documents', { query: 'installer' });
      expect(textOf(search)).toMatch(
        /^\[1\] \(score [\d.]+\)\n<passage>\n│ source: "guides\/setup guide\.md"$/m,
      );
      const { record } = await callOk(client, 'read_record', { table: 'notes', record_id: 'n1' });
      expect(record).toMatchObject({ id: 'n1', title: 'First note', version: 1 });
      const { contents } = await client.readResource({ uri: 'doc://guides%2Fsetup%20guide.md' });
      expect((contents[0] as { text: string }).text).toContain('Run the installer');
    } finally {
      await close();
    }
    await expect(access(dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
  }, 60_000);

  it("serves its record store from the test's own thread: no worker thread to boot", async () => {
    const { client, close } = await startTestServer();
    try {
      await callOk(client, 'create_record', { table: 'notes', data: { id: 'own-thread' } });
      // The store's database module is loaded in this thread (a worker would have its own).
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      expect(
        loaded.filter((path) => /[/\\]dynalite[/\\]db[/\\]index\.js$/.test(path)),
      ).toHaveLength(1);
    } finally {
      await close();
    }
  }, 60_000);

  it('takes tables in the tables-file shape, seeds read-only ones, and serves read-only', async () => {
    const { client, close } = await startTestServer({
      tables: {
        metrics: { partitionKey: 'day', sortKey: { name: 'seq', type: 'N' }, access: 'read-only' },
        tasks: { partitionKey: 'id' },
      },
      records: { metrics: [{ day: '2026-01-01', seq: 1, visits: 3 }] },
      readOnly: true,
    });
    try {
      const { records } = await callOk(client, 'list_records', { table: 'metrics' });
      expect(records).toEqual([expect.objectContaining({ day: '2026-01-01', seq: 1, visits: 3 })]);
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).not.toContain('create_record');
      expect(await callError(client, 'create_record', { table: 'tasks', data: {} })).toMatch(
        /^READ_ONLY: /,
      );
      expect(await callError(client, 'list_records', { table: 'notes' })).toMatch(
        /not a configured table; use one of: metrics, tasks/,
      );
    } finally {
      await close();
    }
  }, 60_000);

  it('fails with the configuration error and leaves no data folder behind', async () => {
    const folders = async () =>
      (await readdir(tmpdir())).filter((name) => name.startsWith('chatbot-mcp-test-')).sort();
    const before = await folders();
    await expect(startTestServer({ enabledTools: ['serch_documents'] })).rejects.toThrow(
      /MCP_ENABLED_TOOLS: "serch_documents" is not a tool/,
    );
    expect(await folders()).toEqual(before);
  });
});
