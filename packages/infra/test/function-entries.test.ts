import { describe, expect, it } from 'vitest';
import { FUNCTION_ENTRIES, resolveEntries } from '../lib/function-entries.js';
import { FIXTURES } from './support/test-app.js';

describe('function entries', () => {
  it('names the seven handlers the design deploys (five for the chat, two for page uploads)', () => {
    expect(Object.keys(FUNCTION_ENTRIES).sort()).toEqual([
      'authorizer',
      'engine',
      'mcpServer',
      'sessionCleanup',
      'uploadForm',
      'uploadIngest',
      'websocket',
    ]);
    expect(FUNCTION_ENTRIES.mcpServer).toBe('packages/mcp-server/src/transports/lambda.ts');
  });

  it('a fixture folder replaces every entry by base name', () => {
    const entries = resolveEntries(FIXTURES);
    expect(entries.engine).toBe(`${FIXTURES}engine-worker.ts`);
    expect(entries.mcpServer).toBe(`${FIXTURES}lambda.ts`);
  });

  it('a missing entry fails by name, never falls back', () => {
    expect(() => resolveEntries('/nonexistent')).toThrow(/engine: .*engine-worker\.ts/);
  });
});
