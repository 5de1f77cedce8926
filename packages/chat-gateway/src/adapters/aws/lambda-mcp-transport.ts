import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';

/** The MCP server Lambda through synchronous Invoke (the design's `MCP_TRANSPORT=lambda`). */
export function lambdaTransport(options: {
  functionName: string;
  region?: string;
  endpoint?: string;
}): () => Promise<Transport> {
  return async () => {
    // Loaded on demand: only the AWS deployment needs the Lambda client.
    const { LambdaInvokeClientTransport } = await import('chatbot-mcp-server/lambda-client');
    return new LambdaInvokeClientTransport(options);
  };
}
