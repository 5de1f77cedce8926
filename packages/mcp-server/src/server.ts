import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import { AppError } from './errors.js';
import { errorFields, silentLogger, type Logger } from './logger.js';
import type { ToolRegistry } from './tool-registry.js';
import { SERVER_NAME, SERVER_VERSION } from './version.js';

export interface McpServerDeps {
  registry: ToolRegistry;
  logger?: Logger;
}

const INSTRUCTIONS =
  'Tools for a team knowledge base: record tools (create_record, read_record, update_record, delete_record, list_records) over configured tables. ' +
  'Errors come back as tool results whose text starts with a code: VALIDATION (fix the arguments), NOT_FOUND, CONFLICT (read again and retry), READ_ONLY, UPSTREAM (retry later).';

/**
 * The MCP server shared by every transport. Cheap to create (all start-up work lives in the
 * registry), so stateless HTTP can make one per request.
 */
export function createMcpServer({ registry, logger = silentLogger }: McpServerDeps): Server {
  // The high-level McpServer takes zod schemas; our schemas come from OpenAPI as JSON Schema.
  const server = new Server(
    { name: SERVER_NAME, version: SERVER_VERSION },
    { capabilities: { tools: { listChanged: false } }, instructions: INSTRUCTIONS },
  );

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: registry.definitions }));

  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const { name } = request.params;
    const handler = registry.handler(name);
    if (!handler) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Unknown tool: ${JSON.stringify(name.slice(0, 64))}; call tools/list for the available tools`,
      );
    }
    const started = performance.now();
    try {
      const args = structuredClone(request.params.arguments ?? {});
      registry.validators.validateInput(name, args);
      const output = await handler(args);
      registry.validators.validateOutput(name, output.structured);
      logger.debug('tool call', { tool: name, ms: elapsed(started) });
      return {
        content: [{ type: 'text', text: output.text }],
        structuredContent: output.structured,
      };
    } catch (error) {
      return toErrorResult(name, error, logger, elapsed(started));
    }
  });

  return server;
}

/** The one place tool errors become MCP results: a stable code first, never internals. */
function toErrorResult(tool: string, error: unknown, logger: Logger, ms: number): CallToolResult {
  if (error instanceof AppError) {
    logger.info('tool refused', { tool, code: error.code, ms, message: error.message });
    if (error.cause !== undefined) logger.warn('upstream cause', { tool, ...errorFields(error.cause) });
    return { isError: true, content: [{ type: 'text', text: `${error.code}: ${error.message}` }] };
  }
  const reference = randomUUID().slice(0, 8);
  logger.error('tool failed', { tool, reference, ms, ...errorFields(error) });
  return {
    isError: true,
    content: [
      {
        type: 'text',
        text: `INTERNAL: ${tool} failed unexpectedly; check with a read whether the change was applied before retrying, and if it persists report reference ${reference} (the details are in the server log).`,
      },
    ],
  };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
