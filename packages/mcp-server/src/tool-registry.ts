import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { ToolValidators, type ToolValidatorsOptions } from './contract/schema-validator.js';
import type { ToolContract } from './contract/tool-contract.js';
import { ConfigError } from './errors.js';
import type { ToolGroup, ToolHandler } from './tools/tool-handler.js';

/**
 * The tools as served: the OpenAPI contract joined with the handlers, schemas compiled once.
 * Built once per process; `createMcpServer` may then be called per connection or per request.
 */
export class ToolRegistry {
  readonly definitions: Tool[];
  readonly validators: ToolValidators;
  private readonly handlers: Map<string, ToolHandler>;

  constructor(
    contract: readonly ToolContract[],
    groups: readonly ToolGroup[],
    options: ToolValidatorsOptions = {},
  ) {
    this.handlers = new Map();
    for (const group of groups) {
      for (const [name, handler] of Object.entries(group.handlers))
        this.handlers.set(name, handler);
    }
    const named = new Set(contract.map((t) => t.name));
    const problems = [
      ...contract
        .filter((t) => !this.handlers.has(t.name))
        .map((t) => `operation ${t.name} has no handler in the server; remove it or implement it`),
      ...[...this.handlers.keys()]
        .filter((name) => !named.has(name))
        .map(
          (name) =>
            `tool ${name} is implemented but missing from the OpenAPI file; add an operation with operationId ${name}`,
        ),
    ];
    if (problems.length > 0) {
      throw new ConfigError(`tool contract and server disagree:\n- ${problems.join('\n- ')}`);
    }
    this.validators = new ToolValidators(contract, options);
    this.definitions = contract.map((t) => toDefinition(t, groups));
  }

  handler(name: string): ToolHandler | undefined {
    return this.handlers.get(name);
  }
}

function toDefinition(tool: ToolContract, groups: readonly ToolGroup[]): Tool {
  const extra = groups.map((g) => g.describe?.(tool.name)).filter(Boolean);
  return {
    name: tool.name,
    ...(tool.title && { title: tool.title }),
    description: [tool.description, ...extra].join(' '),
    inputSchema: tool.inputSchema as Tool['inputSchema'],
    outputSchema: tool.outputSchema as Tool['outputSchema'],
    annotations: { ...(tool.title && { title: tool.title }), ...tool.annotations },
  };
}
