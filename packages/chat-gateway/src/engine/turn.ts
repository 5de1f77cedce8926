import type { ChatFinishReason, QueryType, TokenUsage } from '../protocol/frames.js';
import type { ModelMessage } from '../ports/chat-model.js';
import type { ToolCaller } from '../ports/tool-client.js';

/** A passage shown to the user as `[n]`. */
export interface CitedSource {
  n: number;
  source: string;
  title?: string;
  snippet: string;
  score: number;
}

export interface ToolCallView {
  toolCallId: string;
  toolName: string;
  input: Record<string, unknown>;
}

/**
 * Where a turn's output goes while it runs. The core maps each call to a protocol frame; a
 * rejected promise (client gone) stops the turn.
 */
export interface TurnSink {
  start(queryType: QueryType, reason: string): Promise<void>;
  textDelta(delta: string): Promise<void>;
  source(source: CitedSource): Promise<void>;
  toolCall(call: ToolCallView): Promise<void>;
  /** Asks the user to approve a destructive call; false when refused, timed out or cancelled. */
  approve(call: ToolCallView): Promise<boolean>;
  toolResult(result: {
    toolCallId: string;
    isError: boolean;
    output: unknown;
    text: string;
  }): Promise<void>;
}

export interface TurnInput {
  sessionId: string;
  /** The client's id of the user message. */
  clientMessageId: string;
  content: string;
  /** Earlier turns, oldest first (text only); loaded only by handlers that use it. */
  history: () => Promise<ModelMessage[]>;
  signal: AbortSignal;
  sink: TurnSink;
  /** Whom the turn's tool calls and document reads are for (the session's user). */
  caller: ToolCaller;
}

export interface TurnOutcome {
  content: string;
  queryType: QueryType;
  routeReason: string;
  /** Sources cited in the answer (`source` of each `[n]` used). */
  sources: string[];
  toolsUsed: string[];
  finishReason: ChatFinishReason;
  /** Tokens the model reported for the turn's calls; absent when none reported any. */
  usage?: TokenUsage;
}

/** What each route handler returns; the engine adds the route and the usage. */
export type HandlerOutcome = Omit<TurnOutcome, 'queryType' | 'routeReason' | 'usage'>;

export interface RouteDecision {
  route: QueryType;
  reason: string;
}
