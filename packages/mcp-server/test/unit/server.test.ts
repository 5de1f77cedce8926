import { describe, expect, it } from 'vitest';
import { createMcpServer, sharedJsonSchemaValidator } from '../../src/server.js';
import { ToolRegistry } from '../../src/tool-registry.js';

describe('createMcpServer', () => {
  it('gives every server the one shared JSON Schema validator (no Ajv instance per request)', () => {
    const registry = new ToolRegistry([], []);
    const servers = [createMcpServer({ registry }), createMcpServer({ registry })];
    const validators = servers.map((s) => Reflect.get(s, '_jsonSchemaValidator') as unknown);
    expect(validators[0]).toBeDefined();
    expect(validators[0]).toBe(sharedJsonSchemaValidator());
    expect(validators[1]).toBe(validators[0]);
  });
});
