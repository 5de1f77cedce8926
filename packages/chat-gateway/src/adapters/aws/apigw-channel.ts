import type { ClientChannel } from '../../ports/client-channel.js';
import type { ServerFrame } from '../../protocol/frames.js';
import type { WebSocketConnections } from './apigw-connections.js';
import { fitFrame } from './apigw-frame-fit.js';

/**
 * One API Gateway connection as the core's channel: each frame is posted (split or shortened
 * under the 128 KB frame limit) in order; `GoneException` rejects with `ClientGoneError`.
 */
export class ApiGatewayChannel implements ClientChannel {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly connectionId: string,
    private readonly connections: WebSocketConnections,
  ) {}

  send(frame: ServerFrame): Promise<void> {
    // Chained: concurrent sends (a tool result racing a delta) must reach the client in order.
    const sent = this.queue.then(async () => {
      for (const text of fitFrame(frame)) await this.connections.post(this.connectionId, text);
    });
    this.queue = sent.catch(() => undefined);
    return sent;
  }

  /** API Gateway has no close codes for the server side: the connection is deleted. */
  close(): Promise<void> {
    return this.connections.delete(this.connectionId);
  }
}
