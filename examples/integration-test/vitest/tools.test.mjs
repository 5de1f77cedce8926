import { startTestServer } from 'chatbot-mcp-server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** What an application under test would do with the tools: here, called directly. */
let server;
beforeAll(async () => {
  server = await startTestServer({
    documents: [
      {
        source: 'handbook/on-call.md',
        title: 'On-call',
        content: '# On-call\n\nThe on-call engineer hands over every Monday at 10:00.',
      },
    ],
    records: { notes: [{ id: 'welcome', title: 'Welcome to the team' }] },
  });
});
afterAll(() => server?.close());

describe('the chatbot-mcp tools, in-process', () => {
  it('finds the seeded document with a citation', async () => {
    const result = await server.client.callTool({
      name: 'search_documents',
      arguments: { query: 'when is the on-call handover' },
    });
    expect(result.isError ?? false).toBe(false);
    expect(result.structuredContent.results[0].source).toBe('handbook/on-call.md');
    // The text quotes each passage inside a fence, its source on the first quoted line.
    expect(result.content[0].text).toContain('[1] (score');
    expect(result.content[0].text).toContain('│ source: "handbook/on-call.md"');
  });

  it('reads the seeded record and creates another', async () => {
    const read = await server.client.callTool({
      name: 'read_record',
      arguments: { table: 'notes', record_id: 'welcome' },
    });
    expect(read.structuredContent.record.title).toBe('Welcome to the team');
    const created = await server.client.callTool({
      name: 'create_record',
      arguments: { table: 'notes', data: { title: 'Second note' } },
    });
    expect(created.isError ?? false).toBe(false);
    expect(created.structuredContent.record.version).toBe(1);
  });
});
