import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { startInProcess, type InProcessServer } from '../../support/in-process.js';
import { ALL_TOOLS, callError, callOk, callTool, textOf } from '../../support/tool-results.js';

const READ_TOOLS = ['read_record', 'list_records', 'search_documents', 'list_documents'];
const WRITE_TOOLS = ALL_TOOLS.filter((name) => !READ_TOOLS.includes(name));

let server: InProcessServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('read-only (MCP_READ_ONLY / --read-only)', () => {
  let readOnly: InProcessServer;
  beforeAll(async () => {
    readOnly = await startInProcess({ env: { MCP_READ_ONLY: 'true' } });
  });
  afterAll(() => readOnly.close());

  it('lists only the tools annotated readOnlyHint: true', async () => {
    const { tools } = await readOnly.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...READ_TOOLS].sort());
    expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
  });

  it.each(WRITE_TOOLS)(
    'refuses %s with READ_ONLY and what to do, changing nothing',
    async (tool) => {
      const args =
        tool === 'ingest_document'
          ? { source: 'a.md', content: '# A\n\ntext' }
          : tool.endsWith('_document')
            ? { source: 'a.md' }
            : { table: 'notes', data: { title: 'x' }, record_id: 'r1' };
      const text = await callError(readOnly.client, tool, args);
      expect(text).toMatch(
        new RegExp(`^READ_ONLY: ${tool} changes data and this server is read-only`),
      );
      expect(text).toContain('MCP_READ_ONLY');
      expect(text).toContain('without read-only');
      const { documents } = await callOk(readOnly.client, 'list_documents', {});
      expect(documents).toEqual([]);
      const { records } = await callOk(readOnly.client, 'list_records', { table: 'notes' });
      expect(records).toEqual([]);
    },
  );

  it('still answers the read tools', async () => {
    const result = await callTool(readOnly.client, 'search_documents', { query: 'anything' });
    expect(result.isError ?? false, textOf(result)).toBe(false);
  });
});

describe('allowlist (MCP_ENABLED_TOOLS)', () => {
  it('lists exactly the named tools and refuses the others as NOT_ENABLED', async () => {
    server = await startInProcess({
      env: { MCP_ENABLED_TOOLS: 'search_documents,read_record,create_record' },
    });
    const { tools } = await server.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      ['create_record', 'read_record', 'search_documents'].sort(),
    );
    await callOk(server.client, 'create_record', { table: 'notes', data: { title: 'kept' } });
    const text = await callError(server.client, 'list_records', { table: 'notes' });
    expect(text).toMatch(
      /^NOT_ENABLED: list_records is not enabled on this server \(MCP_ENABLED_TOOLS\)/,
    );
  });

  it('fails start-up on an unknown name, listing the valid ones', async () => {
    const failed = startInProcess({ env: { MCP_ENABLED_TOOLS: 'search_documents,serch_records' } });
    await expect(failed).rejects.toBeInstanceOf(ConfigError);
    await expect(failed).rejects.toThrow(
      `MCP_ENABLED_TOOLS: "serch_records" is not a tool; the tools are ${ALL_TOOLS.join(', ')}`,
    );
  });

  it('fails start-up when it names a writing tool while read-only', async () => {
    await expect(
      startInProcess({
        env: { MCP_READ_ONLY: 'true', MCP_ENABLED_TOOLS: 'read_record,delete_record' },
      }),
    ).rejects.toThrow(/MCP_ENABLED_TOOLS: delete_record writes, but the server is read-only/);
  });
});
