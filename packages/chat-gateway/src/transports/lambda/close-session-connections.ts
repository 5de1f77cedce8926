import type { Logger } from 'chatbot-mcp-server/core';
import type { WebSocketConnections } from '../../adapters/aws/apigw-connections.js';
import type { ConnectionBindings } from '../../adapters/records/aws-connection-bindings.js';

export interface CloseConnectionsDeps {
  bindings: ConnectionBindings;
  connections: WebSocketConnections;
  logger: Logger;
}

/**
 * Closes the API Gateway connections attached to a session the cleanup job closed (one already
 * gone is fine): each is marked gone first, so a turn posting to it stops.
 */
export async function closeSessionConnections(
  deps: CloseConnectionsDeps,
  sessionId: string,
): Promise<void> {
  // Every tab still on the session: its connection set. Not the connection the session record
  // names (the last to resume it), which may have moved on to another session since.
  for (const connectionId of await deps.bindings.attached.list(sessionId).catch(() => [])) {
    await deps.bindings.markGone(connectionId).catch(() => undefined);
    await deps.connections
      .delete(connectionId)
      .catch((error: unknown) =>
        deps.logger.warn('could not close a connection', { sessionId, message: String(error) }),
      );
  }
}
