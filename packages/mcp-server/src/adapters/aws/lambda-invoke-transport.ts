import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export interface LambdaInvokeTransportOptions {
  /** Function name or ARN of the MCP server Lambda. */
  functionName: string;
  /** An existing client, or settings to make one. */
  client?: LambdaClient;
  region?: string;
  endpoint?: string;
}

/**
 * An MCP client transport that sends each JSON-RPC message to the MCP server Lambda with a
 * synchronous Invoke and delivers its answer: no HTTP endpoint needed, IAM authorizes calls.
 */
export class LambdaInvokeClientTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private readonly client: LambdaClient;
  private readonly functionName: string;
  private closed = false;

  constructor(options: LambdaInvokeTransportOptions) {
    this.functionName = options.functionName;
    this.client =
      options.client ??
      new LambdaClient({
        ...(options.region && { region: options.region }),
        ...(options.endpoint && { endpoint: options.endpoint }),
      });
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) throw new Error('transport is closed');
    const out = await this.client.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify(message)),
      }),
    );
    const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
    if (out.FunctionError) {
      const error = new Error(
        `MCP server Lambda failed (${out.FunctionError}): ${text.slice(0, 500)}`,
      );
      this.onerror?.(error);
      if ('id' in message && 'method' in message) {
        // Answer the request so the caller does not wait for a reply that will never come.
        this.onmessage?.({
          jsonrpc: '2.0',
          id: message.id,
          error: { code: -32603, message: error.message },
        });
      }
      return;
    }
    if (!text || text === 'null') return;
    const reply = JSON.parse(text) as JSONRPCMessage | JSONRPCMessage[];
    for (const m of Array.isArray(reply) ? reply : [reply]) {
      // A refusal made before the message was read (a timeout, an unparsable request) has
      // id null; one invoke carries one request, so it is this request's answer.
      const refused =
        'error' in m &&
        (m as { id?: unknown }).id === null &&
        'id' in message &&
        'method' in message;
      this.onmessage?.(refused ? { ...m, id: message.id } : m);
    }
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.onclose?.();
    }
    return Promise.resolve();
  }
}
