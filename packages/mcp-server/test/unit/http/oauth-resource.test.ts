import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import {
  bearerChallenge,
  metadataUrlOf,
  requiredScope,
  scopeAllows,
} from '../../../src/http/oauth-resource.js';

const tool = (name: string, readOnlyHint?: boolean): Tool => ({
  name,
  inputSchema: { type: 'object' },
  ...(readOnlyHint !== undefined && { annotations: { readOnlyHint } }),
});
const TOOLS = [tool('read_record', true), tool('create_record', false), tool('unannotated')];
const call = (name: unknown) => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name } });

describe('requiredScope: the scope a JSON-RPC body needs', () => {
  it.each([
    ['tools/list', { jsonrpc: '2.0', id: 1, method: 'tools/list' }, 'mcp:read'],
    ['a read-only tool', call('read_record'), 'mcp:read'],
    ['a notification', { jsonrpc: '2.0', method: 'notifications/initialized' }, 'mcp:read'],
    ['a write tool', call('create_record'), 'mcp:write'],
    ['a tool without annotations', call('unannotated'), 'mcp:write'],
    ['an unknown tool', call('nope'), 'mcp:write'],
    ['a call without a name', { jsonrpc: '2.0', id: 1, method: 'tools/call' }, 'mcp:write'],
    ['a name that is not a string', call(['create_record']), 'mcp:write'],
    ['a batch of reads', [call('read_record'), call('read_record')], 'mcp:read'],
    ['a batch with one write', [call('read_record'), 42, call('create_record')], 'mcp:write'],
  ])('%s', (_name, body, scope) => {
    expect(requiredScope(body, TOOLS)).toBe(scope);
  });

  it('mcp:write includes mcp:read, not the other way round', () => {
    expect(scopeAllows(new Set(['mcp:write']), 'mcp:read')).toBe(true);
    expect(scopeAllows(new Set(['mcp:read']), 'mcp:write')).toBe(false);
    expect(scopeAllows(new Set(['openid']), 'mcp:read')).toBe(false);
  });
});

describe('challenge and metadata addresses', () => {
  it('puts the well-known segment before the resource path (RFC 9728 §3.1)', () => {
    expect(metadataUrlOf('https://mcp.example.com/mcp')).toBe(
      'https://mcp.example.com/.well-known/oauth-protected-resource/mcp',
    );
    expect(metadataUrlOf('https://example.com/tools/mcp')).toBe(
      'https://example.com/.well-known/oauth-protected-resource/tools/mcp',
    );
  });

  it('quotes parameters and drops quotes inside values', () => {
    expect(bearerChallenge({ error: 'invalid_token', scope: undefined, x: 'a"b' })).toBe(
      'Bearer error="invalid_token", x="ab"',
    );
  });
});
