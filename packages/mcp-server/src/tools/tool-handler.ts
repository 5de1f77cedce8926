/** What a tool handler returns: the structured result and a readable text rendering of it. */
export interface ToolOutput {
  structured: Record<string, unknown>;
  text: string;
}

/** Arguments arrive already validated against the tool's input schema, defaults filled in. */
export type ToolHandler = (args: Record<string, unknown>) => Promise<ToolOutput>;

/** One tool group: handlers keyed by tool name, plus optional text appended to descriptions. */
export interface ToolGroup {
  handlers: Record<string, ToolHandler>;
  /** Runtime facts a model needs (e.g. the configured tables), appended to each tool's description. */
  describe?: (toolName: string) => string | undefined;
}
