import type { Caller } from '../identity/caller.js';

/** What a tool handler returns: the structured result and a readable text rendering of it. */
export interface ToolOutput {
  structured: Record<string, unknown>;
  text: string;
}

/** What a call offers besides its arguments. */
export interface ToolCallContext {
  /** Who the call is for; absent means the trusted operator (see `identity/caller.ts`). */
  caller?: Caller;
  /**
   * Reports progress (`notifications/progress`) when the request asked for it with a
   * `progressToken`; absent otherwise. Values only grow; sending never fails the call.
   */
  progress?: (progress: number, total: number, message: string) => void;
}

/** Arguments arrive already validated against the tool's input schema, defaults filled in. */
export type ToolHandler = (
  args: Record<string, unknown>,
  context?: ToolCallContext,
) => Promise<ToolOutput>;

/** One tool group: handlers keyed by tool name, plus optional text appended to descriptions. */
export interface ToolGroup {
  handlers: Record<string, ToolHandler>;
  /** Runtime facts a model needs (e.g. the configured tables), appended to each tool's description. */
  describe?: (toolName: string) => string | undefined;
}
