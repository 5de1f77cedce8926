/** What the engine needs of an MCP connection: the tools and a way to call them. */

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
    options?: { signal?: AbortSignal },
  ): Promise<DocumentText | undefined>;
  close(): Promise<void>;
}
