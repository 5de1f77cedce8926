import type { ToolContract } from './contract/tool-contract.js';
import { AppError, ConfigError, ReadOnlyError } from './errors.js';

/** Which tools a server offers: `--read-only` / MCP_READ_ONLY and MCP_ENABLED_TOOLS. */
export interface ToolSelectionOptions {
  /** Serve only tools annotated `readOnlyHint: true`. */
  readOnly?: boolean;
  /** Serve only these tools; every name must be a tool of the contract. */
  enabledTools?: readonly string[];
}

/** A tool of the contract that this server does not offer. */
export class ToolNotEnabledError extends AppError {
  constructor(message: string) {
    super('NOT_ENABLED', message);
  }
}

/**
 * The served subset of the contract, and the reason each other tool is refused. Unknown names
 * in the allowlist, or a writing tool in it while read-only, fail start-up: both are typos or
 * contradictions an operator should see at once, not a tool that silently never appears.
 */
export class ToolSelection {
  readonly served: readonly ToolContract[];
  private readonly refused = new Map<string, AppError>();

  constructor(contract: readonly ToolContract[], options: ToolSelectionOptions = {}) {
    const names = contract.map((t) => t.name);
    const enabled = options.enabledTools;
    if (enabled) {
      const unknown = enabled.filter((name) => !names.includes(name));
      if (unknown.length > 0) {
        throw new ConfigError(
          `MCP_ENABLED_TOOLS: ${unknown.map((n) => JSON.stringify(n)).join(', ')} ${unknown.length === 1 ? 'is not a tool' : 'are not tools'}; the tools are ${names.join(', ')}`,
        );
      }
    }
    const writers = contract.filter((t) => t.annotations.readOnlyHint !== true).map((t) => t.name);
    if (options.readOnly && enabled) {
      const contradictions = enabled.filter((name) => writers.includes(name));
      if (contradictions.length > 0) {
        throw new ConfigError(
          `MCP_ENABLED_TOOLS: ${contradictions.join(', ')} ${contradictions.length === 1 ? 'writes' : 'write'}, but the server is read-only (--read-only / MCP_READ_ONLY=true); remove ${contradictions.length === 1 ? 'it' : 'them'} from the list or turn read-only off`,
        );
      }
    }
    const readers = names.filter((name) => !writers.includes(name));
    for (const name of names) {
      if (options.readOnly && writers.includes(name)) {
        this.refused.set(
          name,
          new ReadOnlyError(
            `${name} changes data and this server is read-only (--read-only / MCP_READ_ONLY=true); nothing was changed. Use the read tools (${readers.join(', ')}), or ask whoever runs the server to start it without read-only to make changes`,
          ),
        );
      } else if (enabled && !enabled.includes(name)) {
        this.refused.set(
          name,
          new ToolNotEnabledError(
            `${name} is not enabled on this server (MCP_ENABLED_TOOLS); call tools/list for the tools it offers, or ask whoever runs it to add ${name} to MCP_ENABLED_TOOLS`,
          ),
        );
      }
    }
    this.served = contract.filter((t) => !this.refused.has(t.name));
  }

  /** Why `name` is refused, if it is a tool of the contract this server does not offer. */
  refusal(name: string): AppError | undefined {
    return this.refused.get(name);
  }

  isServed(name: string): boolean {
    return this.served.some((t) => t.name === name);
  }
}
