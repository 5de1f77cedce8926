/**
 * `chatbot-mcp-server/runtime`: the whole MCP server in-process (a chat gateway embeds it this
 * way). Document adapters still load on first use.
 */
export { createRuntime, type Runtime, type RuntimeOptions } from '../runtime.js';
export { createMcpServer, type McpServerDeps } from '../server.js';
