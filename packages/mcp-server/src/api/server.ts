/**
 * `chatbot-mcp-server/server`: the MCP server over a runtime's tool registry. Apart from
 * `./runtime` so that a host embedding the runtime loads the MCP SDK only when it connects.
 */
export { createMcpServer, type McpServerDeps } from '../server.js';
/**
 * A second process on a data directory (the chat gateway started after a stdio server): the
 * holder's tools over its socket, or this process's own runtime once the folder is free.
 */
export { openBackend, type Backend } from '../transports/attach-backend.js';
export { sharedSocketPath } from '../transports/shared-socket.js';
