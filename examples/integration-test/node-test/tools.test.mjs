import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from 'chatbot-mcp-server/testing';

/** The same kind of test with Node's built-in runner, and a read-only server. */
let server;
before(async () => {
  server = await startTestServer({
    tables: { tickets: { partitionKey: 'id' } },
    records: { tickets: [{ id: 'T-1', status: 'open' }] },
    readOnly: true,
  });
});
after(() => server?.close());

describe('a read-only chatbot-mcp server', () => {
  it('lists only the read tools', async () => {
    const { tools } = await server.client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), [
      'list_documents',
      'list_records',
      'read_record',
      'search_documents',
    ]);
  });

  it('reads the seeded ticket and refuses a write with READ_ONLY', async () => {
    const read = await server.client.callTool({
      name: 'read_record',
      arguments: { table: 'tickets', record_id: 'T-1' },
    });
    assert.equal(read.structuredContent.record.status, 'open');
    const write = await server.client.callTool({
      name: 'update_record',
      arguments: { table: 'tickets', record_id: 'T-1', data: { status: 'closed' } },
    });
    assert.equal(write.isError, true);
    assert.match(write.content[0].text, /^READ_ONLY: /);
  });
});
