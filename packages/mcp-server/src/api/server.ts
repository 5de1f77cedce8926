/**
 * `chatbot-mcp-server/server`: the MCP server over a runtime's tool registry. Apart from
 * `./runtime` so that a host embedding the runtime loads the MCP SDK only when it connects.
 */
export { createMcpServer, type McpServerDeps } from '../server.js';
