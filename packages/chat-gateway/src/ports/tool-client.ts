/** What the engine needs of an MCP connection: the tools and a way to call them. */

import type { Identity } from './session-store.js';

/**
 * Whom a call is for: the signed-in user, or `anonymous` (sign-in off). The MCP server decides
 * document access and owner-scoped records by it. Absent: the gateway itself (its own seeding
 * and upload ingest), which the server trusts as the operator.
 */
export type ToolCaller = Identity | 'anonymous';

/** The session's caller: its signed-in user, else anonymous (never the operator). */
export function callerOf(identity: Identity | undefined): ToolCaller {
  return identity ?? 'anonymous';
}

export interface ToolAnnotations {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface ToolInfo {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  annotations?: ToolAnnotations;
}

export interface ToolCallResult {
  isError: boolean;
  /** The tool's text content, joined. */
  text: string;
  structured?: Record<string, unknown>;
}

export interface ToolCallOptions {
  signal?: AbortSignal;
  /** Per-call deadline; past it the call ends with `MCP_TOOL_ERROR` (retryable). */
  timeoutMs?: number;
  /** Whom the call is for; absent: the gateway itself (trusted). */
  caller?: ToolCaller;
  /**
   * The call only reads: after a timeout the error says to try again, instead of to check
   * whether the change was applied first.
   */
  readOnly?: boolean;
}

/** A document's text as the MCP server reads it back (`doc://{source}`). */
export interface DocumentText {
  source: string;
  title?: string;
  text: string;
  mimeType: string;
}

export interface ToolClient {
  listTools(): Promise<ToolInfo[]>;
  /** Tool errors come back as `isError` results; only transport failures throw. */
  callTool(
    name: string,
    args: Record<string, unknown>,
    options?: ToolCallOptions,
  ): Promise<ToolCallResult>;
  /**
   * The indexed text of a document (MCP `resources/read` of `doc://{source}`); undefined when
   * there is no such document. Only transport failures throw.
   */
  readDocument(
    source: string,
    options?: { signal?: AbortSignal; timeoutMs?: number; caller?: ToolCaller },
  ): Promise<DocumentText | undefined>;
  close(): Promise<void>;
}
