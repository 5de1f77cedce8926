/**
 * The language-model port. Adapters: Bedrock ConverseStream (`adapters/aws`), OpenAI-compatible
 * chat completions (`adapters/openai`), and none at all (the offline engine needs no model).
 * Every adapter streams; a non-streaming backend yields its whole answer as one delta.
 */

/** A tool the model may call: an MCP tool's name, description and JSON Schema input. */
export interface ModelToolSpec {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

export type ModelContent =
  | { type: 'text'; text: string }
  | { type: 'tool-use'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'tool-result'; toolUseId: string; isError: boolean; text: string };

export interface ModelMessage {
  role: 'user' | 'assistant';
  content: ModelContent[];
}

export interface ModelRequest {
  system?: string;
  messages: ModelMessage[];
  tools?: ModelToolSpec[];
  /** Force a call of this tool (structured output, e.g. the router's decision). */
  toolChoice?: { name: string };
  maxTokens?: number;
  temperature?: number;
  /** Aborts the request and the stream (cancel, client gone, deadline). */
  signal?: AbortSignal;
}

export type FinishReason = 'stop' | 'tool-use' | 'length' | 'content-filter';

export type ModelEvent =
  | { type: 'text-delta'; text: string }
  /** A complete tool call: adapters assemble streamed input fragments before yielding it. */
  | { type: 'tool-use'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'finish'; reason: FinishReason; usage?: { inputTokens: number; outputTokens: number } };

export interface ChatModel {
  /** `bedrock:<model id>` or `openai:<model>`: shown in logs and analytics. */
  readonly id: string;
  /**
   * Streams one model turn. Throws `ModelUnavailableError` (retryable or not, with an
   * actionable message) when the model cannot answer; adapters retry throttling themselves,
   * also when it arrives inside the stream before any text was yielded.
   */
  stream(request: ModelRequest): AsyncIterable<ModelEvent>;
}
