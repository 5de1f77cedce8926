import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { rpcError } from './rpc-errors.js';

type RequestHandler = (request: unknown, extra: unknown) => Promise<unknown>;

/** How many schema issues one error message lists. */
const MAX_ISSUES = 5;

/**
 * The SDK checks each request's params against the method's schema before a handler runs, and
 * answers a mismatch (logging/setLevel with an unknown level, resources/read without a uri,
 * prompts/get without a name) with -32603 Internal error and the schema library's issue list as
 * JSON. JSON-RPC and the MCP spec say -32602 Invalid params; this answers so, naming the fields.
 * Call it after every handler is registered: it wraps those the server has then, the SDK's own
 * included (it registers logging/setLevel itself). The SDK has no public hook for this, so the
 * handler table is reached by its field name; its test catches an SDK that renames it.
 */
export function answerMalformedParamsAsInvalid(server: Server): void {
  const handlers = (server as unknown as { _requestHandlers?: Map<string, RequestHandler> })
    ._requestHandlers;
  if (!(handlers instanceof Map)) {
    throw new Error('the MCP SDK Server has no _requestHandlers map: update invalid-params.ts');
  }
  for (const [method, handler] of handlers) {
    handlers.set(method, async (request, extra) => {
      try {
        return await handler(request, extra);
      } catch (error) {
        const issues = schemaIssues(error);
        if (!issues) throw error;
        throw rpcError(ErrorCode.InvalidParams, `Invalid params for ${method}: ${issues}`);
      }
    });
  }
}

interface SchemaIssue {
  path: (string | number)[];
  message: string;
}

/** zod's validation error (ZodError; $ZodError from zod/v4 core, which the SDK's schemas use). */
const SCHEMA_ERRORS = new Set(['ZodError', '$ZodError']);

/** A schema validation error as `field: rule` sentences; undefined for any other error. */
function schemaIssues(error: unknown): string | undefined {
  if (!(error instanceof Error) || !SCHEMA_ERRORS.has(error.name)) return undefined;
  const issues = (error as Error & { issues?: unknown }).issues;
  if (!Array.isArray(issues)) return undefined;
  const lines = (issues as SchemaIssue[]).slice(0, MAX_ISSUES).map((issue) => {
    // The request is checked whole: its params are under `params`.
    const path = issue.path[0] === 'params' ? issue.path.slice(1) : issue.path;
    return `${path.join('.') || 'params'}: ${issue.message}`;
  });
  const more = issues.length > MAX_ISSUES ? ` (and ${issues.length - MAX_ISSUES} more)` : '';
  return [...new Set(lines)].join('; ') + more;
}
