import { fileURLToPath } from 'node:url';
import {
  LoggingMessageNotificationSchema,
  type LoggingMessageNotification,
  type Progress,
} from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { loadToolContract } from '../../../src/contract/load-contract.js';
import { createLogger } from '../../../src/logger.js';
import type { RecordStore } from '../../../src/ports/record-store.js';
import { defaultTables } from '../../../src/tables/tables-file.js';
import { RecordService } from '../../../src/records/record-service.js';
import { TableRegistry } from '../../../src/records/table-registry.js';
import { ToolRegistry } from '../../../src/tool-registry.js';
import { documentTools } from '../../../src/tools/documents.js';
import { recordTools } from '../../../src/tools/records.js';
import { connectClient, startInProcess, type ConnectedClient } from '../../support/in-process.js';
import { callError, callOk } from '../../support/tool-results.js';

const CONTRACT_PATH = fileURLToPath(
  new URL('../../../../../openapi/mcp-tools.yaml', import.meta.url),
);

let open: ConnectedClient | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

describe('progress', () => {
  it('ingest_document reports chunking, embedding, writing and done when the call has a progressToken', async () => {
    const server = await startInProcess();
    open = server;
    const updates: Progress[] = [];
    const result = await server.client.callTool(
      { name: 'ingest_document', arguments: { source: 'p.md', content: '# P\n\nSome text.' } },
      undefined,
      { onprogress: (p) => updates.push(p) },
    );
    expect(result.isError ?? false).toBe(false);
    expect(updates.map((u) => [u.progress, u.total])).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(updates.map((u) => u.message)).toEqual([
      'chunking the document',
      'embedding 1 chunk(s)',
      'writing 1 chunk(s)',
      'done: 1 chunk(s) indexed',
    ]);
  });

  it('sends no progress without a progressToken', async () => {
    const server = await startInProcess();
    open = server;
    const seen: unknown[] = [];
    server.client.fallbackNotificationHandler = (n) => Promise.resolve(void seen.push(n));
    await callOk(server.client, 'ingest_document', { source: 'q.md', content: 'Text.' });
    expect(
      seen.filter((n) => (n as { method: string }).method === 'notifications/progress'),
    ).toEqual([]);
  });
});

describe('logging', () => {
  const SECRET = '/srv/secret-index/chunks.lance';
  const boom = () => Promise.reject(new Error(`IO error: ${SECRET}: permission denied`));

  /** The real contract and tools over stores that fail unexpectedly. */
  async function failingServer(): Promise<{ connected: ConnectedClient; serverLog: string[] }> {
    const serverLog: string[] = [];
    const tables = new TableRegistry(defaultTables({}));
    const store = {
      create: boom,
      get: boom,
      update: boom,
      delete: boom,
      list: boom,
    } as RecordStore;
    const registry = new ToolRegistry(await loadToolContract(CONTRACT_PATH), [
      recordTools(new RecordService({ tables, store }), tables),
      documentTools({ get: boom, close: () => Promise.resolve() }),
    ]);
    const connected = await connectClient(
      registry,
      createLogger('info', (l) => serverLog.push(l)),
    );
    return { connected, serverLog };
  }

  it('announces logging and sends server errors as notifications/message, without stacks or paths', async () => {
    const { connected, serverLog } = await failingServer();
    open = connected;
    expect(connected.client.getServerCapabilities()?.logging).toEqual({});
    const messages: LoggingMessageNotification['params'][] = [];
    connected.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      messages.push(n.params);
    });
    const text = await callError(connected.client, 'search_documents', { query: 'x' });
    const reference = /reference (\w+)/.exec(text)?.[1];
    await expect.poll(() => messages.length).toBe(1);
    expect(messages[0]).toMatchObject({
      level: 'error',
      logger: 'chatbot-mcp-server',
      data: { message: 'tool failed', tool: 'search_documents', reference },
    });
    expect(JSON.stringify(messages)).not.toContain(SECRET);
    expect(serverLog.join('\n')).toContain(SECRET); // the server's own log keeps the cause
  });

  it('logging/setLevel filters what is sent', async () => {
    const { connected } = await failingServer();
    open = connected;
    const messages: unknown[] = [];
    connected.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      messages.push(n.params);
    });
    await connected.client.setLoggingLevel('critical');
    await callError(connected.client, 'read_record', { table: 'notes', record_id: 'r' });
    await connected.client.setLoggingLevel('error');
    await callError(connected.client, 'read_record', { table: 'notes', record_id: 'r' });
    await expect.poll(() => messages.length).toBe(1);
    expect(messages[0]).toMatchObject({ level: 'error', data: { tool: 'read_record' } });
  });
});
