/**
 * Requests whose params break the method's schema are answered with -32602 Invalid params (the
 * SDK's own answer was -32603 Internal error with the schema library's issue list as JSON).
 */
import { EmptyResultSchema, ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcess, type InProcessServer } from '../../support/in-process.js';

const LEVELS = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
] as const;

let server: InProcessServer;
beforeAll(async () => {
  server = await startInProcess();
});
afterAll(() => server.close());

/** Sends a request as a client could put it on the wire, past the SDK client's own typing. */
function send(method: string, params: Record<string, unknown>): Promise<unknown> {
  return server.client.request({ method, params }, EmptyResultSchema.passthrough());
}

describe('malformed request params', () => {
  it('logging/setLevel with a level that is not one of the eight is -32602 naming level', async () => {
    await expect(send('logging/setLevel', { level: 'loud' })).rejects.toMatchObject({
      code: ErrorCode.InvalidParams,
      message: expect.stringMatching(/Invalid params for logging\/setLevel: level: /) as unknown,
    });
  });

  it('resources/read without a uri, prompts/get without a name and completion/complete without an argument are -32602', async () => {
    for (const [method, params, field] of [
      ['resources/read', {}, 'uri'],
      ['prompts/get', { arguments: {} }, 'name'],
      ['completion/complete', { ref: { type: 'ref/prompt', name: 'cited_answer' } }, 'argument'],
    ] as const) {
      await expect(send(method, params), method).rejects.toMatchObject({
        code: ErrorCode.InvalidParams,
        message: expect.stringContaining(`${field}: `) as unknown,
      });
    }
  });

  it('leaves well-formed requests to their handlers: every level of logging/setLevel is {}', async () => {
    for (const level of LEVELS) {
      await expect(server.client.setLoggingLevel(level), level).resolves.toEqual({});
    }
  });
});
