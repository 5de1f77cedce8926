import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMcpHttpHandler } from '../../../src/http/mcp-http-handler.js';
import { silentLogger } from '../../../src/logger.js';
import { ToolRegistry } from '../../../src/tool-registry.js';

afterEach(() => vi.restoreAllMocks());

const handler = createMcpHttpHandler({
  registry: new ToolRegistry([], []),
  logger: silentLogger,
  options: {
    allowedHosts: ['localhost'],
    allowedOrigins: [],
    maxBodyBytes: 100_000,
    requestTimeoutMs: 10_000,
  },
});

const post = (body: unknown): Request =>
  new Request('http://localhost/mcp', {
    method: 'POST',
    headers: {
      host: 'localhost',
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify(body),
  });

describe('createMcpHttpHandler: the per-request MCP server', () => {
  it('is closed after the answer without aborting the answered request', async () => {
    const abort = vi.spyOn(AbortController.prototype, 'abort');
    for (let id = 1; id <= 3; id++) {
      const response = await handler(post({ jsonrpc: '2.0', id, method: 'tools/list' }));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ jsonrpc: '2.0', id, result: { tools: [] } });
    }
    // The per-request servers close on a later turn; give them that turn.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(abort).not.toHaveBeenCalled();
  });
});
