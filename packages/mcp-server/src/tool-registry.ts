import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { ToolValidators, type ToolValidatorsOptions } from './contract/schema-validator.js';
import type { ToolContract } from './contract/tool-contract.js';
import { ConfigError } from './errors.js';
import type { ServerContent } from './mcp/server-content.js';
import { ToolSelection, type ToolSelectionOptions } from './tool-selection.js';
import type { ToolGroup, ToolHandler } from './tools/tool-handler.js';

export interface ToolRegistryOptions extends ToolValidatorsOptions, ToolSelectionOptions {
  /** What the server offers besides tools (resources, prompts, completions); none without it. */
  content?: ServerContent;
}

/**
 * The tools as served: the OpenAPI contract joined with the handlers, schemas compiled once.
 * Built once per process; `createMcpServer` may then be called per connection or per request.
 */
export class ToolRegistry {
  readonly definitions: Tool[];
  readonly validators: ToolValidators;
  /** The served tools, and why the others are refused (read-only, MCP_ENABLED_TOOLS). */
  readonly selection: ToolSelection;
  readonly content: ServerContent | undefined;
  private readonly handlers: Map<string, ToolHandler>;

  constructor(
    contract: readonly ToolContract[],
    groups: readonly ToolGroup[],
    options: ToolRegistryOptions = {},
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
    this.selection = new ToolSelection(contract, options);
    this.validators = new ToolValidators(this.selection.served, options);
    this.definitions = this.selection.served.map((t) => toDefinition(t, groups));
    this.content = options.content;
  }

  /** The handler of a served tool; see `selection.refusal` for the others. */
  handler(name: string): ToolHandler | undefined {
    return this.selection.isServed(name) ? this.handlers.get(name) : undefined;
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
