import type { ToolCaller, ToolClient } from '../ports/tool-client.js';

/**
 * `tools` acting for `caller`: every call and document read of a turn carries the person the
 * turn is for, so no handler can forget to pass it (or pass another session's).
 */
export function toolsFor(tools: ToolClient, caller: ToolCaller): ToolClient {
  return {
    listTools: () => tools.listTools(),
    callTool: (name, args, options = {}) => tools.callTool(name, args, { ...options, caller }),
    readDocument: (source, options = {}) => tools.readDocument(source, { ...options, caller }),
    // The connection is the gateway's, not the turn's.
    close: () => Promise.resolve(),
  };
}
