import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CALLER_META_KEY, type Logger } from 'chatbot-mcp-server/core';
import { McpToolError } from '../../errors.js';
import type {
  DocumentText,
  ToolCallOptions,
  ToolCallResult,
  ToolClient,
  ToolCaller,
  ToolInfo,
} from '../../ports/tool-client.js';

export interface McpToolClientOptions {
  /** Makes a fresh transport: called at first use and again after the connection died. */
  connect: () => Promise<Transport>;
  /** Names the connection in logs and errors (`in-process`, `stdio`, `http`, `lambda`). */
  name: string;
  logger: Logger;
  /** Reconnect backoff after a failure: doubles from base up to max. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  clientName?: string;
}

/** How the MCP server names a document as a resource (its source percent-encoded whole). */
const DOC_SCHEME = 'doc://';
/** MCP's JSON-RPC code for a resource that does not exist. */
const RESOURCE_NOT_FOUND = -32002;

type SdkTypes = typeof import('@modelcontextprotocol/sdk/types.js');

/**
 * The request `_meta` naming whom a call is for (see the MCP server's README, "Identity"). The
 * server honours it only on channels the gateway owns (in-process, its stdio child, the data
 * dir's socket, HTTP with the static token, a Lambda invoke); none: the gateway itself.
 */
export function callerMeta(caller: ToolCaller | undefined): {
  _meta?: Record<string, unknown>;
} {
  if (caller === undefined) return {};
  if (caller === 'anonymous') return { _meta: { [CALLER_META_KEY]: { anonymous: true } } };
  const { issuer, subject, groups = [] } = caller;
  return { _meta: { [CALLER_META_KEY]: { issuer, subject, groups } } };
}

/**
 * A `ToolClient` over any MCP transport. It connects lazily (the MCP SDK loads then, not at
 * start-up), and when the connection dies (a stdio child killed, an HTTP endpoint down) the
 * next call reconnects after a backoff that grows with consecutive failures, so a crash-looping
 * server is not hammered.
 */
export class McpToolClient implements ToolClient {
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private tools: ToolInfo[] | undefined;
  private failures = 0;
  private lastFailure = 0;
  private closed = false;
  /** The SDK's error types, loaded with the client (no call can fail with them before). */
  private sdk: SdkTypes | undefined;

  constructor(private readonly options: McpToolClientOptions) {}

  async listTools(): Promise<ToolInfo[]> {
    if (this.tools) return this.tools;
    const client = await this.connected();
    const tools: ToolInfo[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : {});
      for (const t of page.tools) {
        tools.push({
          name: t.name,
          description: t.description ?? '',
          inputSchema: t.inputSchema,
          ...(t.annotations && { annotations: t.annotations }),
        });
      }
      cursor = page.nextCursor;
    } while (cursor);
    this.tools = tools;
    return tools;
  }

  async callTool(
    name: string,
    args: Record<string, unknown>,
    options: ToolCallOptions = {},
  ): Promise<ToolCallResult> {
    const client = await this.connected();
    try {
      const result = (await client.callTool(
        { name, arguments: args, ...callerMeta(options.caller) },
        undefined,
        {
          ...(options.signal && { signal: options.signal }),
          ...(options.timeoutMs !== undefined && { timeout: options.timeoutMs }),
        },
      )) as CallToolResult;
      const text = result.content
        .map((c) => (c.type === 'text' ? c.text : `[${c.type} content]`))
        .join('\n');
      return {
        isError: result.isError === true,
        text,
        ...(result.structuredContent && { structured: result.structuredContent }),
      };
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw this.toToolError(name, error, options.timeoutMs, options.readOnly);
    }
  }

  async readDocument(
    source: string,
    options: { signal?: AbortSignal; timeoutMs?: number; caller?: ToolCaller } = {},
  ): Promise<DocumentText | undefined> {
    const client = await this.connected();
    try {
      const result = await client.readResource(
        { uri: DOC_SCHEME + encodeURIComponent(source), ...callerMeta(options.caller) },
        {
          ...(options.signal && { signal: options.signal }),
          ...(options.timeoutMs !== undefined && { timeout: options.timeoutMs }),
        },
      );
      const content = result.contents[0];
      if (!content || !('text' in content) || typeof content.text !== 'string') return undefined;
      const meta = content._meta ?? {};
      const title = typeof meta['title'] === 'string' ? meta['title'] : undefined;
      return {
        source,
        ...(title !== undefined && { title }),
        text: content.text,
        mimeType: content.mimeType ?? 'text/plain',
      };
    } catch (error) {
      if (options.signal?.aborted) throw error;
      // The MCP server answers an unknown document with "resource not found".
      if (this.sdk && error instanceof this.sdk.McpError && error.code === RESOURCE_NOT_FOUND)
        return undefined;
      throw this.toToolError('resources/read', error, options.timeoutMs, true);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    await client?.close().catch(() => undefined);
  }

  private toToolError(
    name: string,
    error: unknown,
    timeoutMs?: number,
    readOnly = false,
  ): McpToolError {
    const sdkError = (code: number): boolean =>
      this.sdk !== undefined && error instanceof this.sdk.McpError && error.code === code;
    if (this.sdk && sdkError(this.sdk.ErrorCode.RequestTimeout)) {
      return new McpToolError(
        name,
        `it did not answer within ${waited(timeoutMs ?? 0)}; ${readOnly ? 'try again (the MCP server may be starting or busy)' : 'it may still complete, so check before retrying'}`,
        true,
        { cause: error },
      );
    }
    if (this.sdk && sdkError(this.sdk.ErrorCode.ConnectionClosed)) {
      return new McpToolError(
        name,
        `the connection to the MCP server (${this.options.name}) closed during the call; it reconnects on the next request, so check whether the change was applied before retrying`,
        true,
        { cause: error },
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    return new McpToolError(name, message.slice(0, 300), true, { cause: error });
  }

  private async connected(): Promise<Client> {
    if (this.client) return this.client;
    if (this.closed) throw new McpToolError('*', 'the gateway is shutting down', true);
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async open(): Promise<Client> {
    const wait = this.backoffMs();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const [{ Client }, sdk] = await Promise.all([
      import('@modelcontextprotocol/sdk/client/index.js'),
      import('@modelcontextprotocol/sdk/types.js'),
    ]);
    this.sdk = sdk;
    const client = new Client({
      name: this.options.clientName ?? 'chatbot-gateway',
      version: '0.1.0',
    });
    try {
      const transport = await this.options.connect();
      client.onclose = () => {
        if (this.client === client) {
          this.client = undefined;
          this.tools = undefined;
          this.noteFailure();
          if (!this.closed) {
            this.options.logger.warn('MCP connection closed; reconnecting on next use', {
              mcp: this.options.name,
            });
          }
        }
      };
      await client.connect(transport);
      if (this.closed) {
        // Closed while connecting (a shutdown during the start-up warm-up): do not keep it.
        await client.close().catch(() => undefined);
        throw new McpToolError('*', 'the gateway is shutting down', true);
      }
      this.client = client;
      this.failures = 0;
      return client;
    } catch (error) {
      if (this.closed) throw error;
      this.noteFailure();
      this.options.logger.error('MCP connection failed', {
        mcp: this.options.name,
        message: error instanceof Error ? error.message : String(error),
      });
      throw new McpToolError(
        'connect',
        `cannot reach the MCP server (${this.options.name}); retry in a moment`,
        true,
        { cause: error },
      );
    }
  }

  private noteFailure(): void {
    this.failures += 1;
    this.lastFailure = Date.now();
  }

  private backoffMs(): number {
    if (this.failures === 0) return 0;
    const base = this.options.baseDelayMs ?? 200;
    const max = this.options.maxDelayMs ?? 10_000;
    const delay = Math.min(max, base * 2 ** (this.failures - 1));
    return Math.max(0, this.lastFailure + delay - Date.now());
  }
}

/** A wait as a person reads it: "300 ms", "8 s". */
function waited(ms: number): string {
  return ms < 1_000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 1000)} s`;
}
