/**
 * `chatbot-mcp-server/runtime`: the whole MCP server in-process (a chat gateway embeds it this
 * way; `chatbot-mcp-server/server` makes the MCP server over its registry). Neither the MCP SDK
 * nor the document adapters load until they are used.
 */
export { createRuntime, type Runtime, type RuntimeOptions } from '../runtime.js';
export type { StoreHealth } from '../adapters/local/dynalite-recovery.js';
